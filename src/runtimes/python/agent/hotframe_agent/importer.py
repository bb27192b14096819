"""Instrumenting the user's modules as they are imported.

A meta path finder placed right before PathFinder hands the user's .py files (scope.py) to a
SourceFileLoader whose get_code() compiles the instrumented source and never reads or writes
CPython's own .pyc: a plain .pyc is never loaded instead of instrumented code, and an
instrumented one never lands where a later `python3 app.py` would load it (facts-python.md).
Instrumented code is cached under its own name instead (codecache.py).
"""

import importlib.machinery
import io
import os
import sys
import types

from . import codecache, gcpause, preparer, reasons, report, scope, units

# CPython trims the importlib frames of a traceback that end in this function (see _get_code);
# typeshed does not declare it.
_frames_removed = importlib._bootstrap._call_with_frames_removed  # pyright: ignore[reportAttributeAccessIssue]

# Set by main.py: called with the real path of each file instrumented.
on_loaded = None


def compile_unit(path, source, module_name=None):
    """Instrument and compile a file's source; register it for patching and return its Unit
    (unit.module_code runs it). Raises SyntaxError."""
    from . import incremental

    with gcpause.paused():
        parsed = incremental.parse_full(source, path)
        code = compile(parsed.tree, path, "exec", 0, True)
    return register_unit(path, source, parsed.outline, code, module_name)


def register_unit(path, source, outline, code, module_name):
    """source: the text, or the bytes it is decoded from when first needed."""
    unit = units.Unit(scope.real_path(path), module_name, source, outline, code)
    units.add(unit)
    if outline is None:
        preparer.later(unit)
    if on_loaded is not None:
        on_loaded(unit.file)
    return unit


def read(path):
    """(os.stat() of the file, its cached instrumented code or None, the source bytes that code
    was compiled from or, not cached, the file's bytes)."""
    status = os.stat(path)  # (before reading: a save after it makes the next start compile)
    cached = codecache.load(path, status)
    if cached is not None:
        return status, cached[0], cached[1]
    with io.open_code(path) as handle:  # (as importlib reads sources)
        return status, None, handle.read()


def load_unit(path, module_name, call=None, found=None):
    """The Unit of the file at `path`, with its instrumented code: from the code cache, or
    compiled now, through call(compile, ...) if given (a SyntaxError propagates).
    found: what read(path) gave, if it was read already."""
    status, code, data = found or read(path)
    if code is None:
        import ast
        import importlib.util

        from . import transform

        call = call or _call
        source = importlib.util.decode_source(data)
        with gcpause.paused():
            tree = call(compile, source, path, "exec", ast.PyCF_ONLY_AST, True)
            code = call(compile, transform.instrument(tree), path, "exec", 0, True)
        codecache.store(path, status, data, code)
    return register_unit(path, data, None, code, module_name)


def _call(function, *args):
    return function(*args)


# An import compiles through _call_with_frames_removed from functions labelled as importlib's,
# so that a SyntaxError in an imported module shows the same traceback as without hotframe:
# CPython trims a run of importlib frames that ends in _call_with_frames_removed.
_FROZEN = "<frozen importlib._bootstrap_external>"
_load_for_import = types.FunctionType(load_unit.__code__.replace(co_filename=_FROZEN), globals(), "load_unit", load_unit.__defaults__)


def _get_code(self, fullname):
    return _load_for_import(self.get_filename(fullname), fullname, _frames_removed).module_code


_get_code = types.FunctionType(_get_code.__code__.replace(co_filename=_FROZEN), globals(), "get_code")


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
