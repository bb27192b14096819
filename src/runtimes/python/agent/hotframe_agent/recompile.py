"""The code of a new version of a file, compiling only the top-level statements the edit touched.

Once parsing is incremental (incremental.py), compiling is the slow part of a patch: a
20,000-line module takes ~0.2 s to compile whole. A module-level statement compiles to the same
code objects alone as inside its file: a module's names are globals either way, and qualnames,
private-name mangling and `__class__` cells depend only on the defs and classes around a piece
of code, which are inside its statement. So the statements before the edited region keep their
code objects, those after it keep theirs moved by the lines added or removed (`co_firstlineno`:
line tables are relative to it), and only the statements in between are compiled, with the
file's __future__ flags and their own line numbers. One thing of the rest of the module shows in
a function's code: whether a global is a module bound by `import` (3.11 and 3.12 then load
`functools.wraps` as an attribute, not as a method), so those names are imported first in the
compiled piece. The result is the index (codeindex.py) the
whole file compiles to — the tests compare the two after chains of edits.
"""

import __future__
import ast
import bisect
import collections
import sys
import types

from . import codeindex, shape

FUTURE_FLAGS = 0
for _name in __future__.all_feature_names:
    FUTURE_FLAGS |= getattr(__future__, _name).compiler_flag

# 3.13+ stores a class's first line as a constant of its body (`__firstlineno__`): moving that
# code means compiling it again.
_LINE_IN_CLASS_BODY = sys.version_info >= (3, 13)


def new_version(unit, parsed):
    """(index, __future__ flags) of `parsed` (incremental.Parsed), the new version of `unit`'s file.
    Raises SyntaxError as compile() does."""
    flags = future_flags(parsed.outline)
    region = parsed.region
    outline = parsed.outline
    middle = outline[region.head : len(outline) - region.tail] if region is not None else outline
    whole = region is None or not unit.index_is_source or flags != future_flags(unit.outline)
    if whole or any(_is_future(e.node) for e in middle):  # (a __future__ import edited: compile it all)
        code = compile(parsed.tree, unit.file, "exec", 0, True)
        return codeindex.index_module(code), code.co_flags & FUTURE_FLAGS
    assert region is not None  # (whole otherwise)

    keys, old = list(unit.index), list(unit.index.values())
    head = bisect.bisect_right(old, region.head_end, key=codeindex.top_line)
    tail = bisect.bisect_left(old, region.tail_start, key=codeindex.top_line)
    seen = HeadCounts(unit.index, region.head_end)
    imported = imports(outline)
    compiled = codeindex.Index()
    if middle:
        code = compile_statements([e.node for e in middle], imported, flags, unit.file)
        codeindex.index_codes(code.co_consts, compiled, seen)
    if not region.delta and list(compiled) == keys[head:tail]:
        # The same definitions as before, in the same order (a body edited): the running index
        # with theirs replaced (a copy of a dict is made without hashing its keys again).
        index = codeindex.Index(unit.index)
        index.update(compiled)
        index.fresh, index.replaced = list(compiled), keys[head:tail]
        return index, flags
    index = codeindex.Index(zip(keys[:head], old[:head]))
    index.update(compiled)
    # How many more (or fewer) of each qualname come before the tail now.
    shift = collections.Counter(key[0] for key in list(index)[head:])
    shift.subtract(d.key[0] for d in old[head:tail])
    shift = collections.Counter({qualname: n for qualname, n in shift.items() if n})
    index.fresh = list(index)[head:]
    index.replaced = keys[head:tail]
    if not region.delta and not shift:
        index.update(zip(keys[tail:], old[tail:]))
        return index, flags
    moved = _moved(old[tail:], outline[len(outline) - region.tail :], region.delta, (imported, flags, unit.file))
    for definition in old[tail:]:
        qualname, occurrence = definition.key
        code = moved.get(id(definition.code), definition.code)
        parent = definition.parent and index[_shifted_key(definition.parent.key, shift)]
        if code is definition.code and not shift[qualname] and parent is definition.parent:
            index[definition.key] = definition
            continue
        key = (qualname, occurrence + shift[qualname])
        index[key] = codeindex.Definition(key, code, qualname, parent, definition.is_class_body)
        index.fresh.append(key)
        index.replaced.append(definition.key)
    return index, flags


class HeadCounts(dict):
    """qualname -> how many definitions of that qualname the unchanged head holds."""

    def __init__(self, index, head_end):
        super().__init__()
        self.index = index
        self.head_end = head_end

    def __missing__(self, qualname):
        n = 0
        while (qualname, n) in self.index and codeindex.top_line(self.index[(qualname, n)]) <= self.head_end:
            n += 1
        self[qualname] = n
        return n


def _shifted_key(key, shift):
    return (key[0], key[1] + shift[key[0]])


def _moved(definitions, entries, delta, context):
    """id(old code) -> its code `delta` lines later, for every code of `definitions` (the tail,
    in index order; `entries`: the tail's outline entries, already moved; context: what
    compile_statements needs besides the statements)."""
    if not delta:
        return {}
    moved = {}
    tops = [d.code for d in definitions if d.parent is None]
    recompile = set()
    for top in tops:
        if _LINE_IN_CLASS_BODY and _holds_class(top):
            recompile.add(id(top))
        else:
            moved.update(zip(map(id, _with_nested(top)), _with_nested(_shift(top, delta))))
    if recompile:
        starts = [e.line for e in entries]
        for entry_number in sorted({bisect.bisect_right(starts, c.co_firstlineno + delta) - 1 for c in tops if id(c) in recompile}):
            entry = entries[entry_number]
            olds = [c for c in tops if entry.line <= c.co_firstlineno + delta <= entry.end]
            fresh = compile_statements([shape.positioned(entry)], *context)
            news = [c for c in fresh.co_consts if isinstance(c, types.CodeType)]
            for old, new in zip(olds, news):
                moved.update(zip(map(id, _with_nested(old)), _with_nested(new)))
    return moved


def compile_statements(nodes, imports, flags, filename):
    """The module code of some top-level statements of a file, compiled as in the file
    (imports: the names the file's `import`s bind, flags: its __future__ flags)."""
    prelude = [_import(name) for name in sorted(imports)]
    return compile(ast.Module(body=prelude + nodes, type_ignores=[]), filename, "exec", flags, True)


def _import(name):
    alias = ast.alias(name=name, asname=None, lineno=1, col_offset=0, end_lineno=1, end_col_offset=0)
    return ast.Import(names=[alias], lineno=1, col_offset=0, end_lineno=1, end_col_offset=0)


def imports(outline):
    """The module-level names the `import`s of a module's outline (shape.Outline) bind."""
    return set(outline.imports)


def _shift(code, delta):
    consts = tuple(_shift(c, delta) if isinstance(c, types.CodeType) else c for c in code.co_consts)
    return code.replace(co_firstlineno=code.co_firstlineno + delta, co_consts=consts)


def _with_nested(code):
    yield code
    yield from codeindex.nested(code)


def _holds_class(code):
    return any(not c.co_flags & codeindex.CO_OPTIMIZED for c in _with_nested(code))


def future_flags(outline):
    """The compiler flags of the `from __future__` imports an outline starts with."""
    flags = 0
    for position, entry in enumerate(outline):
        node = entry.node
        if _is_future(node):
            for alias in node.names:
                feature = getattr(__future__, alias.name, None)
                flags |= getattr(feature, "compiler_flag", 0)
        elif not (position == 0 and isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)):
            break  # (a docstring may come first)
    return flags


def _is_future(node):
    return isinstance(node, ast.ImportFrom) and node.module == "__future__"
