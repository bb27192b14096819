"""Whether an exception will be caught, predicted while the stack is still intact (the debugger's
`catch uncaught`): from the source of each frame on the stack, outward from where it is raised.

The rule (docs/debugger.md, "Exception pauses"), per frame at its current line:

* a ``try`` statement of the frame's own function whose body holds the line catches the
  exception when one of its ``except`` clauses names a class the exception is an instance of
  (the clause's expression — a name, ``module.Name``, ``self.errors`` or a tuple of those — is
  looked up in the frame) or is a bare ``except:``; ``except*`` counts as ``except``;
* ``with contextlib.suppress(A, B)`` (or ``suppress(...)``) holding the line catches A and B;
* a clause whose body ends in a bare ``raise`` does not catch (clean-up, then re-raise);
  neither do ``finally`` and any other ``with`` (a context manager's ``__exit__`` may swallow
  it: that is not knowable before it runs, and is not predicted);
* a clause whose expression is anything else (a call, a subscript) or cannot be looked up is
  taken to catch (unknown: no pause rather than a false one);
* frames of hotframe's own code and frames without source (frozen modules) are passed through;
  C functions in between are not visible and are taken not to catch (``getattr(o, n, default)``
  swallowing an AttributeError is the known exception);
* a thread's ``run`` is the top: ``threading`` only reports what leaves it;
* a coroutine run by an asyncio task: the task keeps the exception for whoever awaits it — not
  predicted (hotframe predicts again where the awaiting coroutine re-raises it), except for the
  task ``asyncio.run`` / ``run_until_complete`` waits for, whose exception goes on from there.
"""

import ast
import linecache
import os
import threading

from . import inspection, units

_ASYNC_FLAGS = 0x80 | 0x100 | 0x200  # CO_COROUTINE | CO_ITERABLE_COROUTINE | CO_ASYNC_GENERATOR
_ASYNCIO_DIR = os.path.join(os.path.dirname(os.__file__), "asyncio") + os.sep
_THREAD_TOP = threading.Thread._bootstrap_inner.__code__  # pyright: ignore[reportAttributeAccessIssue]

_ALL = "all"  # a bare `except:`
_PASS = ()  # no try statement (or no source): the frame lets everything through
_HOTFRAME = "hotframe"  # hotframe's own frames: passed through, never "the catcher"

# code object -> (its try statements (start, end, handler types), its local names) | _PASS | _HOTFRAME
_by_code = {}
_by_file = {}  # filename -> (source lines, {scope key: try statements})


def catcher(frame, line, exception):
    """The frame that will catch `exception`, raised (or arriving) in `frame` at `line` — the
    others at their current line — or None when nothing will (the rule above)."""
    while frame is not None:
        code = frame.f_code
        if code is _THREAD_TOP:
            return None
        tries = _by_code.get(code)
        if tries is None:
            tries = _by_code[code] = _tries_of(code)
        if tries and tries is not _HOTFRAME and _catches(tries[0], tries[1], frame, line, exception):
            return frame
        caller = frame.f_back
        if caller is not None and code.co_flags & _ASYNC_FLAGS and caller.f_code.co_filename.startswith(_ASYNCIO_DIR):
            waiting = _waiting_for_task(caller)
            if waiting is None:
                return caller  # kept by its task
            caller = waiting
        frame = caller
        line = caller.f_lineno if caller is not None else 0
    return None


def _waiting_for_task(frame):
    """The `run_until_complete` frame waiting for the current asyncio task, if any (it re-raises
    the task's exception)."""
    import asyncio

    try:
        task = asyncio.current_task()
    except RuntimeError:
        return None
    while frame is not None:
        if frame.f_code.co_name == "run_until_complete" and frame.f_locals.get("future") is task:
            return frame
        frame = frame.f_back
    return None


def _catches(tries, local_names, frame, line, exception):
    for start, end, handlers in tries:
        if not start <= line <= end:
            continue
        for handler in handlers:
            if handler is _ALL:
                return True
            kind = _resolve(handler, frame, local_names)
            try:
                if kind is None or isinstance(exception, kind):
                    return True
            except TypeError:
                return True  # not a class: unknown
    return False


def _resolve(node, frame, local_names):
    """The value of an except clause's expression in `frame`, or None when it is not knowable
    without running code."""
    kind = type(node)
    if kind is ast.Name:
        name = node.id
        # f_locals builds a dict on 3.10-3.12: only for the function's own names.
        for namespace in (frame.f_locals,) if name in local_names else (frame.f_globals, frame.f_builtins):
            if name in namespace:
                return namespace[name]
        return None
    if kind is ast.Attribute:
        owner = _resolve(node.value, frame, local_names)
        return None if owner is None else getattr(owner, node.attr, None)
    if kind is ast.Tuple:
        parts = tuple(_resolve(element, frame, local_names) for element in node.elts)
        return None if any(part is None for part in parts) else parts
    return None


def _tries_of(code):
    filename = code.co_filename
    if inspection.is_hotframe_code(code):
        return _HOTFRAME
    if code.co_name.startswith("<") and code.co_name != "<module>":
        return _PASS  # lambdas and comprehensions hold no try statement
    tries = _scopes_of(filename).get("<module>" if code.co_name == "<module>" else (code.co_firstlineno, code.co_name))
    if not tries:
        return _PASS
    return tries, frozenset(code.co_varnames + code.co_cellvars + code.co_freevars)


def _scopes_of(filename):
    real = os.path.realpath(filename)
    unit = units.first_for_file(real)
    lines = unit.source if unit is not None else "".join(linecache.getlines(filename))
    known = _by_file.get(filename)
    if known is not None and known[0] == lines:
        return known[1]
    try:
        tree = ast.parse(lines, filename)
    except (SyntaxError, ValueError):
        tree = ast.Module(body=[], type_ignores=[])
    scopes = {}
    _collect(tree, "<module>", scopes)
    _by_file[filename] = (lines, scopes)
    return scopes


_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
_TRIES = (ast.Try,) + ((getattr(ast, "TryStar"),) if hasattr(ast, "TryStar") else ())


def _collect(node, scope, scopes):
    for child in ast.iter_child_nodes(node):
        if isinstance(child, _SCOPES):
            first = child.decorator_list[0].lineno if child.decorator_list else child.lineno
            _collect(child, (first, child.name), scopes)
            continue
        if isinstance(child, ast.Lambda):
            continue
        handlers = []
        if isinstance(child, _TRIES):
            handlers = [h for h in map(_handler_type, getattr(child, "handlers")) if h is not None]
        elif isinstance(child, (ast.With, ast.AsyncWith)):
            calls = [item.context_expr for item in child.items if _is_suppress(item.context_expr)]
            handlers = [arg for call in calls if isinstance(call, ast.Call) for arg in call.args]
        body = getattr(child, "body", None)
        if handlers and body:
            entry = (body[0].lineno, body[-1].end_lineno or body[-1].lineno, handlers)
            scopes.setdefault(scope, []).append(entry)
        _collect(child, scope, scopes)


def _is_suppress(node):
    """`suppress(...)` / `contextlib.suppress(...)`: a with statement that catches those types."""
    if not isinstance(node, ast.Call):
        return False
    name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", None)
    return name == "suppress"


def _handler_type(handler):
    """What an except clause catches: _ALL, an expression to look up, or None (it re-raises)."""
    last = handler.body[-1] if handler.body else None
    if isinstance(last, ast.Raise) and last.exc is None:
        return None
    return _ALL if handler.type is None else handler.type

