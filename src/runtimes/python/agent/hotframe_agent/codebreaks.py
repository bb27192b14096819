"""3.10/3.11: breakpoints compiled into the functions' code, so that no trace function runs.

For the breakpoint lines of one file, the file's running source is compiled once more (whole,
instrumented as at import) with a call ``__hotframe_break__(line)`` before each statement that
starts on a breakpoint line inside a function; every live function of an affected definition
(the functions holding the line, and those that enclose them, whose code carries the new nested
code) gets that version as its ``__code__``, and functions created later from the plain version
get it too (live_definitions.replace_code). Clearing the breakpoints puts the plain versions back; so
does a patch of the file, before it is applied (the patcher sees the plain code only), after
which the debugger compiles the breakpoints into the new code.

What cannot be compiled in this way is left to the trace function (returned as "traced
lines"): module and class level lines, loop headers (`for`/`while` run their line again at every
iteration), lines where no statement starts, and a file whose running code is not what its
source compiles to (an edit of it was refused).
"""

import ast
import weakref

from . import codeindex, live_definitions, transform

BREAK = "__hotframe_break__"
_LOOPS = (ast.For, ast.AsyncFor, ast.While)
_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)


class _Swapped:
    """One file's compiled-in breakpoints: plain code -> breakpoint version, and the lines."""

    __slots__ = ("lines", "placed", "versions")

    def __init__(self, lines, placed, versions):
        self.lines = lines
        self.placed = placed  # the lines compiled in
        self.versions = versions  # {plain code: version with breakpoints}


_by_file = {}  # file -> _Swapped
# breakpoint version -> plain code; kept while the version lives (a frame may still run it after
# its breakpoints are cleared, and it is no older than its plain code).
_plain = weakref.WeakKeyDictionary()


def plain(code):
    """The code a breakpoint version stands for (the code itself when it is none)."""
    return _plain.get(code, code)


def place(unit, lines):
    """Compile the breakpoints on `lines` of `unit` into its functions (replacing those placed
    before). Returns the lines left to the trace function."""
    current = _by_file.get(unit.file)
    if current is not None and current.lines == lines:
        return set(lines) - current.placed
    remove(unit.file)
    if not lines:
        return set()
    tree = compile(unit.source, unit.file, "exec", ast.PyCF_ONLY_AST, True)
    placed = _inject(tree, lines)
    if not placed:
        return set(lines)
    code = compile(transform.instrument(tree), unit.file, "exec", 0, True)  # pyright: ignore[reportCallIssue, reportArgumentType]
    fresh = codeindex.index_module(code)
    versions = {}  # plain code -> (its LiveDefinition, the version with breakpoints)
    for key in unit.index:
        compiled, live = fresh.get(key), unit.definitions.get(key)
        if compiled is None or live is None:
            return set(lines)  # the running code is not this source's: leave it to tracing
        running = live.code  # what the functions run (unit.index may hold an equal copy)
        if codeindex.own_text(compiled.code) == codeindex.own_text(running):
            if compiled.code.co_firstlineno != running.co_firstlineno:
                return set(lines)
            continue
        versions[running] = (live, compiled.code)
    swapped = _Swapped(set(lines), placed, {code: version for code, (_live, version) in versions.items()})
    for plain_code, (live, version) in versions.items():
        live.map_code(version)
        _plain[version] = plain_code
        live_definitions.replace_code(plain_code, version)
        for function in list(live.functions):
            if function.__code__ is plain_code:
                function.__code__ = version
    _by_file[unit.file] = swapped
    return set(lines) - placed


def compiled_in():
    """The plain codes that have a breakpoint version: frames already running them need the
    trace function to stop at their breakpoints."""
    return {code for swapped in _by_file.values() for code in swapped.versions}


def remove(file):
    """Put the plain code back in every function of the file."""
    swapped = _by_file.pop(file, None)
    if swapped is None:
        return
    for plain_code, version in swapped.versions.items():
        live_definitions.replace_code(plain_code, None)
        live = live_definitions.of_code(version)
        for function in list(live.functions) if live is not None else ():
            if function.__code__ is version:
                function.__code__ = plain_code


def _inject(tree, lines):
    """Insert the calls into the function bodies of `tree`; returns the lines that got one."""
    placed = set()

    def visit_body(body, in_function):
        for index in range(len(body) - 1, -1, -1):
            statement = body[index]
            if isinstance(statement, _FUNCTIONS):
                visit_body(statement.body, True)
            elif isinstance(statement, ast.ClassDef):
                visit_body(statement.body, False)
            else:
                for field in ("body", "orelse", "finalbody"):
                    visit_body(getattr(statement, field, None) or [], in_function)
                for handler in getattr(statement, "handlers", None) or []:
                    visit_body(handler.body, in_function)
                for case in getattr(statement, "cases", None) or []:
                    visit_body(case.body, in_function)
            line = statement.lineno
            if in_function and line in lines and not isinstance(statement, _LOOPS) and line not in placed:
                at = {"lineno": line, "col_offset": statement.col_offset, "end_lineno": line, "end_col_offset": statement.col_offset}
                call = ast.Call(func=ast.Name(id=BREAK, ctx=ast.Load(), **at), args=[ast.Constant(value=line, **at)], keywords=[], **at)  # pyright: ignore[reportArgumentType]
                body.insert(index, ast.Expr(value=call, **at))
                placed.add(line)

    visit_body(tree.body, False)
    return placed
