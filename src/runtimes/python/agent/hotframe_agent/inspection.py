"""What the debugger shows of a paused thread: frames, scopes, variables (lazily, a page at a
time: a list of a million items is never sent whole) and evaluation in a frame.

References (frame ids and variablesReference numbers) are valid for one pause only: the
debugger creates a new Handles for each pause.
"""

import ctypes
import itertools
import os
import pprint
import reprlib
import sys

from . import codebreaks, codeindex, live_definitions, reasons, restarts

_AGENT_DIR = os.path.dirname(os.path.realpath(__file__))
_BOOT_DIR = os.path.dirname(_AGENT_DIR)
# Names the instrumentation adds to a frame (transform.py): never shown.
_HIDDEN_PREFIX = "__hf_"
_AGAIN = restarts.HotframeRestart.again.__code__
# A page when the request names no count (the protocol's paging is the way to see more).
DEFAULT_PAGE = 100
# The longest value text sent for a repl evaluation ("p"); longer ones are cut and say so.
MAX_RESULT = 100_000

_short = reprlib.Repr()
_short.maxstring = 60
_short.maxother = 60
_short.maxlist = _short.maxtuple = _short.maxdict = _short.maxset = 6


def is_hotframe(frame):
    return is_hotframe_code(frame.f_code)


def is_hotframe_code(code):
    return os.path.dirname(os.path.realpath(code.co_filename)) in (_AGENT_DIR, _BOOT_DIR)


def user_frames(frame):
    """The frames of a paused stack, top first, without hotframe's own, and without the frame
    a restart replaced (it waits in its restart handler for the new call to return)."""
    frames = []
    replaced = False
    while frame is not None:
        if is_hotframe(frame):
            replaced = replaced or frame.f_code is _AGAIN
        elif replaced:
            replaced = False
        else:
            frames.append(frame)
        frame = frame.f_back
    return frames


def short_repr(value):
    try:
        return _short.repr(value)
    except Exception as exc:
        return "<repr raised %s>" % type(exc).__name__


def qualname(code):
    return getattr(code, "co_qualname", code.co_name)


def arguments(frame):
    """`order=<Order 17>, n=3` — the parameters as the frame holds them now."""
    code = frame.f_code
    if not code.co_flags & 0x1 or code.co_name == "<module>":
        return None
    count = code.co_argcount + code.co_kwonlyargcount
    count += bool(code.co_flags & 0x4) + bool(code.co_flags & 0x8)  # *args, **kwargs
    values = frame.f_locals
    return ", ".join(
        "%s=%s" % (name, short_repr(values[name])) if name in values else name for name in code.co_varnames[:count]
    )


def definition_lines(code):
    """{startLine, endLine} of the definition a code object was compiled from."""
    last = code.co_firstlineno
    pending = [code]
    while pending:
        current = pending.pop()
        last = max([last] + [line for _s, _e, line in current.co_lines() if line is not None])
        pending.extend(c for c in current.co_consts if isinstance(c, type(code)))
    return {"startLine": code.co_firstlineno, "endLine": last}


def restart_refusal(frame):
    """Why `frame` cannot be restarted (a reason of reasons.py), or None when it can."""
    if frame.f_code.co_name == "<module>":
        return reasons.RESTART_MODULE
    if restarts.function_of(frame) is None:
        return reasons.RESTART_UNINSTRUMENTED
    return None


def running_old(frame):
    """The frame runs a version of its function older than the newest (an edit since it started)."""
    code = codebreaks.plain(frame.f_code)  # a version with breakpoints compiled in is not older
    definition = live_definitions.of_code(code)
    if definition is None or definition.code is code:
        return False
    return codeindex.own_text(definition.code) != codeindex.own_text(code)


class Handles:
    """Numbers for the objects of one pause: frames and expandable values."""

    def __init__(self):
        self._objects = [None]  # 0 means "no reference" in the protocol

    def add(self, thing):
        self._objects.append(thing)
        return len(self._objects) - 1

    def get(self, number):
        if not isinstance(number, int) or not 0 < number < len(self._objects):
            raise reasons.Refused(reasons.INVALID_REFERENCE, number=number)
        return self._objects[number]

    def frame(self, number):
        thing = self.get(number)
        if not isinstance(thing, _FrameRef):
            raise reasons.Refused(reasons.NOT_A_FRAME, number=number)
        return thing.frame

    def frame_ref(self, frame):
        return self.add(_FrameRef(frame))

    def scopes(self, frame):
        scopes = [("Locals", _Scope(frame, "locals"))]
        if frame.f_locals is not frame.f_globals:
            scopes.append(("Globals", _Scope(frame, "globals")))
        return [
            {"name": name, "variablesReference": self.add(scope), "namedVariables": len(scope.mapping()), "expensive": False}
            for name, scope in scopes
        ]

    def variables(self, number, start=0, count=None):
        container = self.get(number)
        start = max(0, int(start or 0))
        count = DEFAULT_PAGE if not count else int(count)
        return [self.variable(name, value) for name, value in _children(container, start, count)]

    def variable(self, name, value):
        shown = {"name": name, "value": short_repr(value), "type": type(value).__name__, "variablesReference": 0}
        size = _expandable(value)
        if size is not None:
            shown["variablesReference"] = self.add(value)
            indexed = isinstance(value, (list, tuple, set, frozenset))
            shown["indexedVariables" if indexed else "namedVariables"] = size
        return shown

    def set_variable(self, number, name, text):
        container = self.get(number)
        if not isinstance(container, _Scope):
            raise reasons.Refused(reasons.NOT_A_SCOPE)
        frame = container.frame
        local_values = frame.f_locals
        value = eval(text, frame.f_globals, local_values)
        if container.kind == "globals":
            frame.f_globals[name] = value
        else:
            local_values[name] = value
            write_locals(frame)
        return self.variable(name, value)


class _FrameRef:
    __slots__ = ("frame",)

    def __init__(self, frame):
        self.frame = frame


class _Scope:
    __slots__ = ("frame", "kind")

    def __init__(self, frame, kind):
        self.frame = frame
        self.kind = kind

    def mapping(self):
        if self.kind == "globals":
            return {k: v for k, v in self.frame.f_globals.items() if k != "__builtins__"}
        return {k: v for k, v in self.frame.f_locals.items() if not k.startswith(_HIDDEN_PREFIX)}


def _expandable(value):
    """The number of children of a value that has any (None: shown as a leaf)."""
    if isinstance(value, (str, bytes, bytearray, int, float, complex, bool)) or value is None:
        return None
    if isinstance(value, (list, tuple, set, frozenset, dict)):
        return len(value) or None
    attributes = getattr(value, "__dict__", None)
    if isinstance(attributes, dict) and attributes and not callable(value):
        return len(attributes)
    return None


def _children(container, start, count):
    if isinstance(container, _Scope):
        items = sorted(container.mapping().items())
        return items[start : start + count]
    if isinstance(container, (list, tuple)):
        return [(str(i), container[i]) for i in range(start, min(len(container), start + count))]
    if isinstance(container, (set, frozenset)):
        return [(str(start + i), v) for i, v in enumerate(itertools.islice(container, start, start + count))]
    if isinstance(container, dict):
        return [(short_repr(k), v) for k, v in itertools.islice(container.items(), start, start + count)]
    attributes = sorted(vars(container).items())
    return attributes[start : start + count]


def evaluate(frame, expression, context):
    """Evaluate (or, in the repl, execute) `expression` in the frame, with side effects, as pdb
    does. Returns (value, has_value). Raises what the expression raises."""
    local_values = frame.f_locals
    try:
        code = compile(expression, "<hotframe evaluate>", "eval")
    except SyntaxError:
        if context != "repl":
            raise
        code = compile(expression + "\n", "<hotframe evaluate>", "exec")
        exec(code, frame.f_globals, local_values)
        write_locals(frame)
        return None, False
    value = eval(code, frame.f_globals, local_values)
    write_locals(frame)
    return value, True


def result_text(value, pretty):
    text = pprint.pformat(value) if pretty else repr(value)
    if len(text) > MAX_RESULT:
        text = text[:MAX_RESULT] + "… (%d characters more)" % (len(text) - MAX_RESULT)
    return text


def write_locals(frame):
    """Make the changes made to the dict `frame.f_locals` returned (a snapshot before 3.13, that
    the next read of f_locals overwrites) reach the frame's variables."""
    if sys.version_info < (3, 13):
        ctypes.pythonapi.PyFrame_LocalsToFast(ctypes.py_object(frame), ctypes.c_int(0))
