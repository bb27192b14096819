"""Instrumented code of unchanged files, kept between runs, so that start-up under hotframe costs
about what plain python's does.

Stored next to CPython's own bytecode under a name plain python never loads
(`__pycache__/mod.cpython-311.hotframe.pyc`), and only used for the same source bytes, the same
interpreter (magic number) and the same instrumentation (a hash of transform.py). Written only
when Python itself would write bytecode (not with PYTHONDONTWRITEBYTECODE / -B).
"""

import hashlib
import importlib.util
import marshal
import os
import sys

with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "transform.py"), "rb") as _handle:
    _INSTRUMENTATION = hashlib.sha1(_handle.read()).digest()


def _path(source_path):
    try:
        return importlib.util.cache_from_source(source_path)[: -len(".pyc")] + ".hotframe.pyc"
    except (NotImplementedError, ValueError):
        return None


def _key(source_bytes):
    return importlib.util.MAGIC_NUMBER + hashlib.sha1(_INSTRUMENTATION + source_bytes).digest()


def load(source_path, source_bytes):
    """The cached instrumented code for exactly these source bytes, or None."""
    path = _path(source_path)
    if path is None:
        return None
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError:
        return None
    key = _key(source_bytes)
    if not data.startswith(key):
        return None
    try:
        return marshal.loads(data[len(key) :])
    except (EOFError, ValueError, TypeError):
        return None


def store(source_path, source_bytes, code):
    path = _path(source_path)
    if path is None or sys.dont_write_bytecode:
        return
    temporary = "%s.%d.tmp" % (path, os.getpid())
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(temporary, "wb") as handle:
            handle.write(_key(source_bytes) + marshal.dumps(code))
        os.replace(temporary, path)  # readers never see half a file
    except OSError:
        try:
            os.unlink(temporary)
        except OSError:
            pass
