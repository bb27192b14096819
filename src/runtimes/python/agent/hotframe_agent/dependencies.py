"""Module-level analysis of one statement: which names it reads when it runs, which it binds,
and whether running it again does anything besides binding (facts-python.md, "Module-level
analysis").

What runs when a statement runs: its expressions, default values, decorators, annotations
(unless `from __future__ import annotations`), base classes and class bodies — never the bodies
of the functions and lambdas it defines (they read globals when called, and see a rebound name
anyway). Works on the instrumented tree: hotframe's own `__hotframe_track__` calls are ignored.
"""

import ast

from . import transform

# Calls that only compute a value: running them again has no effect besides their result.
_PURE_BUILTINS = {
    "abs", "all", "any", "ascii", "bin", "bool", "bytes", "chr", "complex", "dict", "divmod",
    "enumerate", "filter", "float", "format", "frozenset", "hash", "hex", "int", "isinstance",
    "issubclass", "len", "list", "map", "max", "min", "oct", "ord", "pow", "range", "repr",
    "reversed", "round", "set", "slice", "sorted", "str", "sum", "tuple", "type", "zip",
}  # fmt: skip
_PURE_QUALIFIED = {
    "os.path.join", "os.path.dirname", "os.path.basename", "os.path.abspath", "os.path.expanduser",
    "os.getenv", "os.environ.get", "math.sqrt", "math.floor", "math.ceil", "datetime.timedelta",
    "decimal.Decimal", "fractions.Fraction", "re.compile", "pathlib.Path", "Path", "timedelta",
    "Decimal", "Fraction",
}  # fmt: skip
# Methods of str and bytes (and dict.get), when called on a literal or a pure value.
_PURE_METHODS = {
    "format", "join", "upper", "lower", "strip", "lstrip", "rstrip", "split", "rsplit",
    "replace", "startswith", "endswith", "encode", "decode", "title", "capitalize", "get",
    "splitlines", "partition", "zfill", "ljust", "rjust", "center", "casefold", "keys",
    "values", "items", "copy", "removeprefix", "removesuffix",
}  # fmt: skip
_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)
_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)


class Facts:
    """What one statement reads and binds when it runs, and its first call that may have an
    effect (None: it only computes values)."""

    __slots__ = ("reads", "binds", "effect")

    def __init__(self):
        self.reads = set()
        self.binds = []
        self.effect: "str | None" = None


def of_statement(node, future_annotations=False):
    facts = Facts()
    _Walker(facts, future_annotations).visit(node)
    return facts


def of_header(node, future_annotations=False):
    """A def or class statement's own runtime parts: decorators, defaults, annotations, bases
    (not a class body: the planner follows that statement by statement)."""
    facts = Facts()
    walker = _Walker(facts, future_annotations)
    walker.header(node)
    facts.binds.append(node.name)
    return facts


def of_signature(node, future_annotations=False):
    """Default values and annotations of a def (what SetDefaults re-evaluates)."""
    facts = Facts()
    _Walker(facts, future_annotations).signature(node)
    return facts


def decorator_reads(node, _future_annotations=False):
    facts = Facts()
    walker = _Walker(facts, False)
    for decorator in _user_decorators(node):
        walker.visit(decorator)
    return facts.reads


# Decorators that only wrap or describe the function: removing the def undoes all they did.
_PURE_DECORATORS = {
    "property", "staticmethod", "classmethod", "abstractmethod", "overload", "final", "override",
    "cache", "lru_cache", "cached_property", "wraps", "contextmanager", "asynccontextmanager",
    "total_ordering", "setter", "getter", "deleter", "singledispatch", "singledispatchmethod",
    "dataclass", "unique",
}  # fmt: skip


def decorator_effect(node):
    """The first decorator of a def or class that may have done something with it besides
    wrapping it (`app.route("/x")`, `show.register`); None if there is none."""
    for decorator in _user_decorators(node):
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        name = _dotted(target) or ""
        if name.rsplit(".", 1)[-1] not in _PURE_DECORATORS:
            return "@" + ast.unparse(decorator)
    return None


def call_text(call):
    """`sqlite3.connect()`: how a call is named in a reason."""
    return (_dotted(call.func) or ast.unparse(call.func)) + "()"


def _user_decorators(node):
    return [d for d in node.decorator_list if not (isinstance(d, ast.Name) and d.id == transform.TRACK)]


def _dotted(node):
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return ".".join(reversed(parts))


class _Walker:
    def __init__(self, facts, future_annotations):
        self.facts = facts
        self.future_annotations = future_annotations

    def visit(self, node):
        kind = type(node)
        if kind is ast.Name:
            if isinstance(node.ctx, ast.Load):
                self.facts.reads.add(node.id)
            elif node.id not in self.facts.binds:
                self.facts.binds.append(node.id)
            return
        if kind in _FUNCTIONS:
            self.header(node)
            self._bind(node.name)
            return
        if kind is ast.ClassDef:
            self.header(node)
            for statement in node.body:
                self.visit(statement)
            self._bind(node.name)
            return
        if kind is ast.Lambda:
            self.signature(node)
            return
        if kind in _COMPREHENSIONS:
            self._comprehension(node)
            return
        if kind is ast.Call:
            self._call(node)
            return
        if kind is ast.alias:
            self._bind((node.asname or node.name).split(".")[0])
            return
        if kind is ast.AnnAssign and self.future_annotations:
            self.visit(node.target)
            if node.value is not None:
                self.visit(node.value)
            return
        if kind in (ast.Global, ast.Nonlocal, ast.Delete) or kind.__name__ in ("Yield", "YieldFrom", "Await"):
            self._effect(kind.__name__.lower())
        for child in ast.iter_child_nodes(node):
            self.visit(child)

    def _comprehension(self, node):
        """A comprehension's targets are its own: neither bound nor read outside it."""
        inner = Facts()
        _Walker(inner, self.future_annotations).generic(node)
        own = set(inner.binds)
        self.facts.reads.update(inner.reads - own)
        if inner.effect is not None:
            self._effect(inner.effect)

    def generic(self, node):
        for child in ast.iter_child_nodes(node):
            self.visit(child)

    def _bind(self, name):
        if name not in self.facts.binds:
            self.facts.binds.append(name)

    def _effect(self, text):
        if self.facts.effect is None:
            self.facts.effect = text

    def header(self, node):
        for decorator in _user_decorators(node):
            self.visit(decorator)
        if isinstance(node, ast.ClassDef):
            for base in node.bases:
                self.visit(base)
            for keyword in node.keywords:
                self.visit(keyword.value)
        else:
            self.signature(node)

    def signature(self, node):
        args = node.args
        for default in args.defaults + [d for d in args.kw_defaults if d is not None]:
            self.visit(default)
        if self.future_annotations or isinstance(node, ast.Lambda):
            return
        every = args.posonlyargs + args.args + args.kwonlyargs + [args.vararg, args.kwarg]
        for annotation in [a.annotation for a in every if a and a.annotation] + [node.returns]:
            if annotation is not None:
                self.visit(annotation)

    def _call(self, call):
        for part in [call.func] + call.args + [k.value for k in call.keywords]:
            self.visit(part)
        func = call.func
        if isinstance(func, ast.Name) and func.id == transform.TRACK:
            return  # hotframe's own tracking of a lambda
        name = _dotted(func)
        if name in _PURE_QUALIFIED or (isinstance(func, ast.Name) and func.id in _PURE_BUILTINS):
            return
        if isinstance(func, ast.Attribute) and func.attr in _PURE_METHODS and _is_pure_receiver(func.value):
            return
        self._effect(call_text(call))


def _is_pure_receiver(node):
    return isinstance(node, (ast.Constant, ast.JoinedStr, ast.Dict, ast.List, ast.Tuple, ast.Set)) or (
        isinstance(node, ast.Name) and node.id.isupper()
    )
