"""Which source files are the user's own code (instrumented and patchable)."""

import os
import sys

_AGENT_DIR = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))
_DEPENDENCY_DIRS = {"site-packages", "dist-packages"}


_real_folders = {}  # folder -> its real path (remembered: a start-up imports many files of few folders)
_real_files = {}  # path -> its real path (the finder asks, then the loader: once per import)


def real_path(path):
    """os.path.realpath(path), with one lstat per file: the folders' real paths are remembered."""
    real = _real_files.get(path)
    if real is None:
        real = _real_files[path] = _resolve(path)
    return real


def _resolve(path):
    folder, name = os.path.split(os.path.abspath(path))
    real_folder = _real_folders.get(folder)
    if real_folder is None:
        real_folder = _real_folders[folder] = os.path.realpath(folder)
    full = os.path.join(real_folder, name)
    return os.path.realpath(full) if os.path.islink(full) else full


class Scope:
    def __init__(self, root, instrument_deps):
        self.root = os.path.realpath(root)
        self.instrument_deps = instrument_deps
        self._stdlib_folders = None  # (see _stdlib: sysconfig is imported only when needed)
        self._venv_dirs = {}  # directory -> whether it is inside a virtualenv under the root
        prefixes = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix, os.path.dirname(os.__file__)}
        self._prefixes = tuple(os.path.realpath(p) + os.sep for p in prefixes if p)

    def wants(self, path):
        """True for a .py file under the root that is not the stdlib, a dependency or hotframe."""
        if not path or not path.endswith(".py"):
            return False
        real = real_path(path)
        if not real.startswith(self.root + os.sep) or real.startswith(_AGENT_DIR + os.sep):
            return False
        if self._in_stdlib(real):
            return False
        if self.instrument_deps:
            return True
        relative = real[len(self.root) + 1 :].split(os.sep)
        if _DEPENDENCY_DIRS.intersection(relative[:-1]):
            return False
        return not self._in_virtualenv(os.path.dirname(real))

    def is_outside_own_code(self, path):
        """A .py file of the program's own (not the stdlib, a dependency, an installed package
        or hotframe) that lies outside the root: it runs uninstrumented."""
        if not path or not path.endswith(".py"):
            return False
        real = real_path(path)
        if real.startswith(self.root + os.sep) or real.startswith(_AGENT_DIR + os.sep) or real.startswith(self._prefixes):
            return False
        return not _DEPENDENCY_DIRS.intersection(real.split(os.sep)) and not self._in_stdlib(real)

    def _in_stdlib(self, real):
        # The standard library lies under the interpreter's prefixes (sysconfig builds its
        # paths from them): elsewhere, no need to ask sysconfig.
        return real.startswith(self._prefixes) and real.startswith(self._stdlib())

    def _stdlib(self):
        """The standard library's folders (as real paths ending in os.sep)."""
        if self._stdlib_folders is None:
            import sysconfig

            paths = sysconfig.get_paths()
            stdlib = {paths.get("stdlib"), paths.get("platstdlib"), os.path.dirname(os.__file__)}
            self._stdlib_folders = tuple(os.path.realpath(p) + os.sep for p in stdlib if p)
        return self._stdlib_folders

    def _in_virtualenv(self, directory):
        """A folder with pyvenv.cfg between the file and the root marks a virtualenv."""
        known = self._venv_dirs.get(directory)
        if known is None:
            if directory == self.root or len(directory) <= len(self.root):
                known = False
            else:
                known = os.path.exists(os.path.join(directory, "pyvenv.cfg")) or self._in_virtualenv(
                    os.path.dirname(directory)
                )
            self._venv_dirs[directory] = known
        return known
