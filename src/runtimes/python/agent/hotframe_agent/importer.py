"""Instrumenting the user's modules as they are imported.

A meta path finder placed right before PathFinder hands the user's .py files (scope.py) to a
SourceFileLoader whose get_code() compiles the instrumented source and never reads or writes
CPython's own .pyc: a plain .pyc is never loaded instead of instrumented code, and an
instrumented one never lands where a later `python3 app.py` would load it (facts-python.md).
Instrumented code is cached under its own name instead (codecache.py).
"""

import ast
import importlib.machinery
import importlib.util
import os
import sys
import types

from . import codecache, codeindex, gcpause, incremental, live_definitions, preparer, reasons, report, scope, transform, units

# CPython trims the importlib frames of a traceback that end in this function (see _get_code);
# typeshed does not declare it.
_frames_removed = importlib._bootstrap._call_with_frames_removed  # pyright: ignore[reportAttributeAccessIssue]

# Set by main.py: called with the real path of each file instrumented.
on_loaded = None


def compile_unit(path, source, module_name=None):
    """Instrument and compile a file's source; register it for patching and return its Unit
    (unit.module_code runs it). Raises SyntaxError."""
    with gcpause.paused():
        parsed = incremental.parse_full(source, path)
        code = compile(parsed.tree, path, "exec", 0, True)
    return register_unit(path, source, parsed.outline, code, module_name)


def register_unit(path, source, outline, code, module_name):
    file = scope.real_path(path)
    index = codeindex.index_module(code)
    definitions = {key: live_definitions.LiveDefinition(key, d.code) for key, d in index.items()}
    unit = units.Unit(file, module_name, source, outline, index, definitions, code)
    units.add(unit)
    if outline is None:
        preparer.later(unit)
    if on_loaded is not None:
        on_loaded(file)
    return unit


def _get_code(self, fullname):
    path = self.get_filename(fullname)
    data = self.get_data(path)
    source = importlib.util.decode_source(data)
    code = codecache.load(path, data)
    if code is None:
        # compile() is called through _call_with_frames_removed and this function is labelled
        # as importlib's (below), so that a SyntaxError in an imported module shows the same
        # traceback as without hotframe: CPython trims importlib frames ending in
        # _call_with_frames_removed.
        with gcpause.paused():
            tree = _frames_removed(compile, source, path, "exec", ast.PyCF_ONLY_AST, True)
            code = _frames_removed(compile, transform.instrument(tree), path, "exec", 0, True)
        codecache.store(path, data, code)
    return register_unit(path, source, None, code, fullname).module_code


_get_code = types.FunctionType(
    _get_code.__code__.replace(co_filename="<frozen importlib._bootstrap_external>"),
    globals(),
    "get_code",
)


class InstrumentingLoader(importlib.machinery.SourceFileLoader):
    get_code = _get_code


class InstrumentingFinder:
    """Finds modules exactly like PathFinder and swaps the loader of the user's own files."""

    def __init__(self, scope):
        self.scope = scope

    def find_spec(self, fullname, path=None, target=None):
        spec = importlib.machinery.PathFinder.find_spec(fullname, path, target)
        if spec is not None and type(spec.loader) is importlib.machinery.SourceFileLoader:
            if self.scope.wants(spec.origin):
                spec.loader = InstrumentingLoader(spec.loader.name, spec.loader.path)
            elif self.scope.is_outside_own_code(spec.origin) and report.on_warning is not None:
                facts = {"file": os.path.realpath(spec.origin or ""), "root": self.scope.root}
                report.on_warning(reasons.OUTSIDE_ROOT.text(facts), None)
        return spec

    def invalidate_caches(self):
        importlib.machinery.PathFinder.invalidate_caches()


def install(scope):
    finder = InstrumentingFinder(scope)
    # After the builtin and frozen importers, so frozen stdlib modules stay frozen.
    if importlib.machinery.PathFinder in sys.meta_path:
        sys.meta_path.insert(sys.meta_path.index(importlib.machinery.PathFinder), finder)
    else:
        sys.meta_path.append(finder)
