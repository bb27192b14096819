"""Copies of a module's names in the modules that imported them: `from util import DISCOUNT`,
`from .models import *`. Each is a plain binding in the importer's namespace; a patch that
rebinds the name in its module rebinds the copy when it still holds the very object the module
binds (the program never rebound it), and leaves it (and says so) otherwise.

Importers are found among the program's own modules (units.py), by their top-level `from …
import` statements, parsed once per version of the importer and only when its text names the
patched module.
"""

import ast

from . import units


class Copy:
    """`alias` in the module of `unit` is a copy of `name` of the patched module."""

    __slots__ = ("unit", "alias", "name")

    def __init__(self, unit, alias, name):
        self.unit = unit
        self.alias = alias
        self.name = name


_imports = {}  # id(unit) -> (its source, [(level, module, names)]): its top-level from-imports


def of_module(module_name, exported, names):
    """The copies of `names` (rebound by a patch of `module_name`) in other modules; `exported`:
    what `from module import *` takes, as a predicate on a name."""
    last = module_name.rsplit(".", 1)[-1]
    found = []
    for unit in units.all_units():
        if unit.module_name == module_name or last not in unit.source or unit.find_namespace() is None:
            continue
        for level, module, aliases in _from_imports(unit):
            if _resolve(unit, level, module) != module_name:
                continue
            for name, alias in aliases:
                if name == "*":
                    found.extend(Copy(unit, n, n) for n in names if exported(n))
                elif name in names:
                    found.append(Copy(unit, alias or name, name))
    return found


def _from_imports(unit):
    cached = _imports.get(id(unit))
    if cached is None or cached[0] is not unit.source:
        statements = []
        try:
            tree = ast.parse(unit.source)
        except (SyntaxError, ValueError):
            tree = ast.Module(body=[], type_ignores=[])
        pending = list(tree.body)
        while pending:  # top level, also inside `if` / `try` (never inside functions or classes)
            node = pending.pop()
            if isinstance(node, ast.ImportFrom):
                statements.append((node.level, node.module, [(a.name, a.asname) for a in node.names]))
            elif isinstance(node, (ast.If, ast.Try)):
                for field in ("body", "orelse", "finalbody", "handlers"):
                    pending.extend(getattr(node, field, ()))
            elif isinstance(node, ast.ExceptHandler):
                pending.extend(node.body)
        cached = _imports[id(unit)] = (unit.source, statements)
    return cached[1]


def _resolve(unit, level, module):
    if not level:
        return module
    namespace = unit.find_namespace() or {}
    package = namespace.get("__package__") or ""
    parts = package.split(".") if package else []
    if level - 1 > len(parts):
        return None
    base = parts[: len(parts) - (level - 1)]
    return ".".join(base + ([module] if module else []))
