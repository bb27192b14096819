"""Instrumented code of unchanged files, kept between runs, so that start-up under hotframe costs
about what plain python's does.

Stored under a name plain python never loads, with the source bytes it was compiled from, and
only used for the same interpreter (magic number), the same instrumentation (a hash of
transform.py) and a source file of the same size and modification time, to the nanosecond
(CPython's own .pyc files trust the size and the second): so a start reads no source file, and
what a patch compares a new version with is exactly what the code was compiled from.
- where Python writes bytecode, next to it: `__pycache__/mod.cpython-311.hotframe.pyc`;
- where it does not (PYTHONDONTWRITEBYTECODE, -B: nothing is written next to the sources), in
  hotframe's own folder of the user's cache, `$XDG_CACHE_HOME/hotframe/python` (or
  `~/.cache/…`), one file per source path (`<hash of the path>.cpython-311.hotframe.pyc`).
  That folder is made private (0700) and used only while it is the user's own and not writable
  by others: marshal data must come from this user's hotframe.

The hashes are CPython's own for hash-based .pyc files (_imp.source_hash, built in: hashlib would
cost start-up an import of OpenSSL, importlib.util one of contextlib and functools).
"""

import _imp
import marshal
import os
import sys
from importlib import _bootstrap_external  # pyright: ignore[reportAttributeAccessIssue]


_HASH_KEY = int.from_bytes(_bootstrap_external.MAGIC_NUMBER, "little")  # (what importlib.util uses)


def _hash(data):
    return _imp.source_hash(_HASH_KEY, data)


with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "transform.py"), "rb") as _handle:
    _INSTRUMENTATION = _hash(_handle.read())


def _path(source_path):
    if not sys.dont_write_bytecode:
        try:
            return _bootstrap_external.cache_from_source(source_path)[: -len(".pyc")] + ".hotframe.pyc"
        except (NotImplementedError, ValueError):
            return None
    folder = _own_folder()
    tag = sys.implementation.cache_tag
    if folder is None or tag is None:
        return None
    # By the path as imported: the cached code's co_filename is that path.
    name = _hash(os.path.abspath(source_path).encode("utf-8", "surrogateescape")).hex()
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


def _key(status):
    """What the cached code is valid for: this interpreter and instrumentation, and the source
    file as `status` (its os.stat()) describes it."""
    return b"".join(
        (
            _bootstrap_external.MAGIC_NUMBER,
            _INSTRUMENTATION,
            status.st_mtime_ns.to_bytes(12, "little", signed=True),
            status.st_size.to_bytes(8, "little"),
        )
    )


def load(source_path, status):
    """(code, the source bytes it was compiled from) cached for the source file as `status`
    describes it, or None."""
    path = _path(source_path)
    if path is None:
        return None
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError:
        return None
    key = _key(status)
    start = len(key) + 8
    if not data.startswith(key) or len(data) < start:
        return None
    end = start + int.from_bytes(data[len(key) : start], "little")
    try:
        return marshal.loads(memoryview(data)[end:]), data[start:end]
    except (EOFError, ValueError, TypeError):
        return None


def store(source_path, status, source_bytes, code):
    """Keep `code`, compiled from `source_bytes`, read from the file `status` describes (its
    os.stat() before it was read: a save meanwhile makes the next start compile again)."""
    path = _path(source_path)
    if path is None:
        return
    temporary = "%s.%d.tmp" % (path, os.getpid())
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(temporary, "wb") as handle:
            handle.write(_key(status) + len(source_bytes).to_bytes(8, "little") + source_bytes + marshal.dumps(code))
        os.replace(temporary, path)  # readers never see half a file
    except OSError:
        try:
            os.unlink(temporary)
        except OSError:
            pass
