"""Indexes of one compiled version of a file: definitions by key, and their "own text".

A key is (qualname, occurrence): the property getter and setter `C.x` are ('C.x', 0) and
('C.x', 1). Both versions of a file are compiled whole by the same interpreter, so walking the
constants of the module code in order yields the same occurrences for the same definitions.
"""

import collections
import types

_COMPREHENSIONS = {"<listcomp>", "<setcomp>", "<dictcomp>", "<genexpr>"}
CO_OPTIMIZED = 0x1


class Definition:
    """A code object of the file and what the patcher needs to know about it."""

    __slots__ = ("key", "code", "qualname", "parent", "is_class_body")

    def __init__(self, key, code, qualname, parent, is_class_body):
        self.key = key
        self.code = code
        self.qualname = qualname
        self.parent = parent  # the enclosing Definition, None at module level
        self.is_class_body = is_class_body

    @property
    def is_function(self):
        """A def or lambda (not a class body, a comprehension or a 3.14 `__annotate__`: the
        compiler makes those, no function object of them is tracked)."""
        return not self.is_class_body and self.code.co_name not in _COMPREHENSIONS and self.code.co_name != "__annotate__"

    @property
    def in_module_classes(self):
        """Defined at module level or in class bodies only (reachable by attribute lookups)."""
        parent = self.parent
        while parent is not None:
            if not parent.is_class_body:
                return False
            parent = parent.parent
        return True


class Index(dict):
    """key -> Definition of one compiled version of a file, in constant order; and, when it was
    made from the running version's index (recompile.py), what differs from that one: `fresh`,
    the keys whose Definition is new, and `replaced`, the running keys whose Definition it does
    not reuse (None: possibly every key)."""

    fresh: "list | None" = None
    replaced: "list | None" = None


def index_module(module_code):
    """key -> Definition for every code object under the module code, in constant order."""
    return index_codes(module_code.co_consts, Index(), collections.defaultdict(int))


def fresh_keys(index):
    """The keys of `index` whose Definitions may be new (all of them, unless it says)."""
    return index if getattr(index, "fresh", None) is None else index.fresh


def index_codes(consts, result, seen):
    """Add to `result` the Definitions of the code objects among `consts` (top-level constants,
    in order) and under them; seen: qualname -> how many came before (the occurrence of the next)."""

    def walk(consts, parent, parent_qualname):
        for const in consts:
            if not isinstance(const, types.CodeType):
                continue
            qualname = getattr(const, "co_qualname", None) or _qualname(const, parent, parent_qualname)
            occurrence = seen[qualname]
            seen[qualname] = occurrence + 1
            key = (qualname, occurrence)
            is_class_body = not const.co_flags & CO_OPTIMIZED
            definition = Definition(key, const, qualname, parent, is_class_body)
            result[key] = definition
            walk(const.co_consts, definition, qualname)

    walk(consts, None, "")
    return result


def top_line(definition):
    """The first line of the module-level code object `definition` is in (itself, or the one
    it is nested in): which top-level statement it belongs to."""
    while definition.parent is not None:
        definition = definition.parent
    return definition.code.co_firstlineno


def _qualname(code, parent, parent_qualname):
    """co_qualname for Python 3.10, which does not store it."""
    if parent is None:
        return code.co_name
    if parent.is_class_body:
        return parent_qualname + "." + code.co_name
    return parent_qualname + ".<locals>." + code.co_name


def by_position(index):
    """(qualname, first line, n) -> key, n counting the definitions of that qualname on that line
    (two lambdas of one line): maps code compiled separately (a re-run statement) to keys."""
    return dict(zip(positions(d.code for d in index.values()), index))


def positions(codes):
    """The by_position() keys of code objects, in the order given (index_module's order)."""
    seen = {}
    for code in codes:
        place = (getattr(code, "co_qualname", None) or code.co_name, code.co_firstlineno)
        n = seen.get(place, 0)
        seen[place] = n + 1
        yield place + (n,)


def nested(code):
    """Every code object under `code`, in index_module's order (constant order, depth first)."""
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            yield const
            yield from nested(const)


def own_text(code):
    """What a definition's own text compiles to, without line numbers and without nested
    definitions (those are compared on their own), but with comprehensions inlined (a change in
    a comprehension is a change of the function that contains it)."""
    consts = []
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            if const.co_name in _COMPREHENSIONS:
                consts.append(own_text(const))
            else:
                consts.append(("code", getattr(const, "co_qualname", const.co_name)))
        else:
            # repr keeps 1, 1.0, True and -0.0 apart, which == does not.
            consts.append((type(const).__name__, repr(const)))
    return (
        code.co_code,
        tuple(consts),
        code.co_names,
        code.co_varnames,
        code.co_freevars,
        code.co_cellvars,
        code.co_argcount,
        code.co_posonlyargcount,
        code.co_kwonlyargcount,
        code.co_flags,
        getattr(code, "co_exceptiontable", b""),
    )
