"""Instrumented code of unchanged files, kept between runs, so that start-up under hotframe costs
about what plain python's does.

Stored under a name plain python never loads, and only used for the same source bytes, the same
interpreter (magic number) and the same instrumentation (a hash of transform.py):
- where Python writes bytecode, next to it: `__pycache__/mod.cpython-311.hotframe.pyc`;
- where it does not (PYTHONDONTWRITEBYTECODE, -B: nothing is written next to the sources), in
  hotframe's own folder of the user's cache, `$XDG_CACHE_HOME/hotframe/python` (or
  `~/.cache/…`), one file per source path (`<hash of the path>.cpython-311.hotframe.pyc`).
  That folder is made private (0700) and used only while it is the user's own and not writable
  by others: marshal data must come from this user's hotframe.

The hashes are CPython's own for hash-based .pyc files (importlib.util.source_hash, built in:
hashlib would cost start-up an import of OpenSSL).
"""

import importlib.util
import marshal
import os
import sys

with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "transform.py"), "rb") as _handle:
    _INSTRUMENTATION = importlib.util.source_hash(_handle.read())


def _path(source_path):
    if not sys.dont_write_bytecode:
        try:
            return importlib.util.cache_from_source(source_path)[: -len(".pyc")] + ".hotframe.pyc"
        except (NotImplementedError, ValueError):
            return None
    folder = _own_folder()
    tag = sys.implementation.cache_tag
    if folder is None or tag is None:
        return None
    # By the path as imported: the cached code's co_filename is that path.
    name = importlib.util.source_hash(os.path.abspath(source_path).encode("utf-8", "surrogateescape")).hex()
    return os.path.join(folder, "%s.%s.hotframe.pyc" % (name, tag))


_folder = []  # hotframe's own cache folder, once checked (None: none usable)


def _own_folder():
    if not _folder:
        base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        folder = os.path.join(base, "hotframe", "python")
        try:
            os.makedirs(folder, mode=0o700, exist_ok=True)
            status = os.stat(folder)
            private = status.st_uid == os.getuid() and not status.st_mode & 0o022
        except (OSError, AttributeError):  # (no os.getuid: not POSIX)
            private = False
        _folder.append(folder if private else None)
    return _folder[0]


def _key(source_bytes):
    return importlib.util.MAGIC_NUMBER + _INSTRUMENTATION + importlib.util.source_hash(source_bytes)


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
    if path is None:
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
