"""The text that old code runs. After an edit, a frame still running a replaced version (a loop,
a suspended generator), a definition whose edit was refused and the module's own top-level code
run code compiled from the file as it was; the interpreter reads a traceback's lines from the
file by name, as it is now. So the lines of each such version are kept while the version lives,
and tracebacks made through the `traceback` module (`traceback.print_exc()`, `logging`'s
`exception()`, uncaught exceptions: main.py's excepthook, _thread_excepthook) show the line that
frame runs.

`inspect.getsource()` (and getsourcelines, findsource) of old code — a frame running it, its
traceback, the code object, a refused definition's function — reads the same kept text:
inspect's own search runs on a copy of the code object whose file name is a linecache entry of
that text for the time of the call (the code the program runs keeps the user's file name).
`faulthandler` prints a frame's file and line only, and the line is the old code's own.

Nothing of the program is touched until the first patch: then `traceback.StackSummary`'s
extraction and `inspect.findsource` are wrapped, and `threading.excepthook` if it is Python's
own (frames and objects of other code come out as before).
"""

import functools
import itertools
import sys

# id(code) -> the source text it was compiled from, for code that runs although the file changed
# (kept as the text: it is split into lines only when a traceback asks); its nested comprehensions
# (frames of their own) are listed in _nested for forget().
_texts = {}
_nested = {}
_COMPREHENSIONS = ("<listcomp>", "<dictcomp>", "<setcomp>", "<genexpr>")
_installed = []


def keep(code, text):
    """`code` may run on after its file changed: `text` is the source it was compiled from. The
    first text given for a code object stays (it does not change)."""
    if id(code) in _texts:
        return
    _texts[id(code)] = text
    inner = [c for c in _comprehensions(code) if id(c) not in _texts]
    if inner:
        _nested[id(code)] = [id(c) for c in inner]
        _texts.update((id(c), text) for c in inner)
    if not _installed:
        _install()


def forget(code_id):
    """The code object `code_id` died (live_definitions._forget): its text goes."""
    if _texts.pop(code_id, None) is not None:
        for inner in _nested.pop(code_id, ()):
            _texts.pop(inner, None)


def lines_of(code, lineno, end_lineno):
    """Lines `lineno`..`end_lineno` as `code` was compiled, each as linecache gives it (with its
    newline; "" past the end); None when `code` runs the file's current text."""
    text = _texts.get(id(code))
    if text is None or lineno is None:
        return None
    from . import incremental  # (the patch machinery is loaded by then: not at start-up)

    lines = incremental.split_lines(text)
    last = lineno if end_lineno is None else max(lineno, end_lineno)
    return [lines[n - 1] + "\n" if 1 <= n <= len(lines) else "" for n in range(lineno, last + 1)]


def in_traceback(tb):
    """Whether a frame of the traceback `tb` runs old text."""
    while tb is not None:
        if id(tb.tb_frame.f_code) in _texts:
            return True
        tb = tb.tb_next
    return False


def _comprehensions(code):
    for const in code.co_consts:
        if isinstance(const, type(code)) and const.co_name in _COMPREHENSIONS:
            yield const
            yield from _comprehensions(const)


def _install():
    """Wrap the one function every StackSummary comes from (3.10: extract; 3.11+: the extended
    extraction extract() and TracebackException call)."""
    import traceback

    summary = traceback.StackSummary
    name = "_extract_from_extended_frame_gen" if hasattr(summary, "_extract_from_extended_frame_gen") else "extract"
    original = getattr(summary, name).__func__

    def extract(klass, frame_gen, **options):
        codes = []

        def recorded():
            for item in frame_gen:
                codes.append(item[0].f_code)
                yield item

        result = original(klass, recorded(), **options)
        if _texts:
            # (a limit keeps the first frames consumed, or the last ones)
            for position, code in enumerate(codes[len(codes) - len(result) :] if len(codes) > len(result) else codes):
                frame = result[position]
                lines = lines_of(code, frame.lineno, getattr(frame, "end_lineno", None) if _MULTILINE else None)
                if lines is not None:
                    result[position] = _with_lines(traceback.FrameSummary, frame, lines)
        return result

    setattr(summary, name, classmethod(extract))
    _installed.append(name)
    _install_findsource()
    import threading

    if threading.excepthook is threading.__excepthook__:
        threading.excepthook = _thread_excepthook


_lookups = itertools.count()


def _install_findsource():
    """inspect.findsource (what getsource and getsourcelines read) finds old code's lines in
    its kept text: inspect's own search runs on a copy of the code object named after a
    linecache entry of that text, there for the call only (each call its own name)."""
    import inspect
    import linecache

    original = inspect.findsource

    def findsource(object):
        code = _code_of(inspect, object)
        if code is None or id(code) not in _texts:
            return original(object)
        text = _texts[id(code)]
        from . import incremental

        name = "<old text of %s #%d>" % (code.co_filename, next(_lookups))
        lines = [line + "\n" for line in incremental.split_lines(text)]
        linecache.cache[name] = (len(text), None, lines, name)
        try:
            return original(code.replace(co_filename=name))
        finally:
            linecache.cache.pop(name, None)

    inspect.findsource = functools.wraps(original)(findsource)


def _code_of(inspect, object):
    """The code object inspect.findsource reads the lines of for `object` (None: not code's)."""
    if inspect.ismethod(object):
        object = object.__func__
    if inspect.isfunction(object):
        return object.__code__
    if inspect.istraceback(object):
        object = object.tb_frame
    if inspect.isframe(object):
        return object.f_code
    return object if inspect.iscode(object) else None


def _thread_excepthook(args, /):
    """threading's own hook reads each line from the file itself (in C): where old code is in
    the traceback, print it as its Python version does, through the traceback module."""
    import threading

    if not in_traceback(args.exc_traceback) or args.exc_type is SystemExit:
        return threading.__excepthook__(args)
    import traceback

    stderr = sys.stderr if sys.stderr is not None else getattr(args.thread, "_stderr", None)
    if stderr is None:
        return
    name = args.thread.name if args.thread is not None else threading.get_ident()
    print("Exception in thread %s:" % name, file=stderr, flush=True)
    traceback.print_exception(args.exc_type, args.exc_value, args.exc_traceback, file=stderr)
    stderr.flush()


_MULTILINE = sys.version_info >= (3, 13)  # a FrameSummary's line is every line of its range there
_POSITIONS = ("end_lineno", "colno", "end_colno")


def _with_lines(frame_summary, frame, lines):
    """A copy of the FrameSummary `frame` whose source is `lines`, held as its version keeps it
    (3.13+: every line of its range, right-stripped, each ended by a newline)."""
    positions = {name: getattr(frame, name) for name in _POSITIONS if hasattr(frame, name)}
    text = "".join(line.rstrip() + "\n" for line in lines) if _MULTILINE else lines[0]
    copy = frame_summary(frame.filename, frame.lineno, frame.name, lookup_line=False, line=text, **positions)
    copy.locals = frame.locals
    return copy
