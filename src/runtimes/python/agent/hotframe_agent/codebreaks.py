"""3.10/3.11: breakpoints compiled into the functions' code, so that no trace function runs.

For the breakpoint lines of one file, each top-level statement of the running source that holds
one is compiled once more (alone, instrumented as at import, as recompile.py compiles the
statements a patch touched: the same code as in the whole file) with a call
``__hotframe_break__(line)`` before each statement that starts on a breakpoint line inside a
function; every live function of an affected definition (the functions holding the line, and
those that enclose them, whose code carries the new nested code) gets that version as its
``__code__``, and functions created later from the plain version get it too
(live_definitions.replace_code). Clearing the breakpoints puts the plain versions back; so does
a patch of the file, before it is applied (the patcher sees the plain code only), after which
the debugger compiles the breakpoints into the new code: that costs what the statements holding
breakpoints cost, not the file (an edit while paused waits for it).

What cannot be compiled in this way is left to the trace function (returned as "traced
lines"): module and class level lines, loop headers (`for`/`while` run their line again at every
iteration), lines where no statement starts, and a file whose running code is not what its
source compiles to (an edit of it was refused).
"""

import ast
import weakref

from . import codeindex, live_definitions, recompile, transform

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
    if not unit.index_is_source:
        return set(lines)  # the running code is not this source's: leave it to tracing
    outline = unit.outline
    context = (recompile.imports(outline), recompile.future_flags(outline), unit.file)
    placed = set()
    versions = {}  # plain code -> (its LiveDefinition, the version with breakpoints)
    for entry in outline:
        held = {line for line in lines if entry.line <= line <= entry.end}
        if not held:
            continue
        # (blank lines in front: the statement keeps its line numbers in the file)
        tree = compile("\n" * (entry.line - 1) + "\n".join(unit.lines[entry.line - 1 : entry.end]), unit.file, "exec", ast.PyCF_ONLY_AST, True)
        assert isinstance(tree, ast.Module)  # what compile() returns in "exec" mode
        injected = _inject(tree, held)
        if not injected:
            continue
        placed |= injected
        code = recompile.compile_statements(transform.instrument(tree).body, *context)
        fresh = codeindex.index_codes(code.co_consts, codeindex.Index(), recompile.HeadCounts(unit.index, entry.line - 1))
        for key, compiled in fresh.items():
            live, indexed = unit.definitions.get(key), unit.index.get(key)
            if live is None or indexed is None or compiled.code.co_firstlineno != indexed.code.co_firstlineno:
                return set(lines)  # (never: the index is what the source compiles to)
            running = live.code  # what the functions run (unit.index may hold an equal copy)
            if codeindex.own_text(compiled.code) != codeindex.own_text(running):
                versions[running] = (live, compiled.code)
    if not placed:
        return set(lines)
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
