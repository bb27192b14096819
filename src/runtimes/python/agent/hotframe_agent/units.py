"""The instrumented source files of the program: one Unit per file, as the program runs it."""

import _thread
import os
import sys

from . import live_definitions, old_text


class Unit:
    """One instrumented source file: its current source, outline, definitions and namespace.
    A patch reads it to plan and changes it only through commit().

    Made at import with as little as the import needs: the source may still be the bytes read
    (decoded when first needed), and the index and definitions are made later, all files at
    once (live_definitions.make_waiting), when the program stops importing or anything asks."""

    def __init__(self, file, module_name, source, outline, module_code):
        self.file = file
        self.module_code = module_code  # what runs the module's top level (never replaced)
        self.module_name = module_name  # as imported (None for a script run as __main__)
        self._source = source  # the text, or the bytes it is decoded from (see source)
        self._outline = outline  # shape.outline() of the current version; None: not computed yet
        self._preparing = _thread.allocate_lock()
        self._lines = None  # (source, its lines), see lines
        self._index = None  # key -> codeindex.Definition of the current version (see index)
        # `index` is exactly what `source` compiles to, in its order (no refused definition
        # keeps an older version in it): a patch may then compile only what the edit touched.
        self.index_is_source = True
        self._definitions = None  # key -> LiveDefinition (also keys that were removed since)
        self.namespace = None  # the module's globals; resolved on first patch if unknown
        # Where the program runs something else than `source` says, because an edit was refused:
        # (owner, saved match key, running outline entries) — in the module (owner ()) or class
        # body `owner`, the entry of `outline` with that match key (None: an entry `source` no
        # longer has, its removal was refused) stands for `entries`. `index` holds the running
        # code of those definitions. A patch compares the new text with what runs.
        self.kept = []

    @property
    def source(self):
        """The text the running version was compiled from."""
        source = self._source
        if isinstance(source, bytes):
            import importlib.util  # (decode_source imports tokenize: not at start-up)

            text = importlib.util.decode_source(source)
            with _changing:  # (one text for all threads; a commit meanwhile wins)
                if self._source is source:
                    self._source = text
                source = self._source
        return source

    @property
    def index(self):
        return self._made()[0]

    @property
    def definitions(self):
        return self._made()[1]

    def _made(self):
        """(index, definitions), made first if they are not yet (with every other file's)."""
        if self._index is None:
            live_definitions.make_waiting()
        index, definitions = self._index, self._definitions
        assert index is not None and definitions is not None  # (make_waiting made them)
        return index, definitions

    def make_definitions(self):
        """Index the running version and make its LiveDefinitions (live_definitions.make_waiting:
        before any patch, so from the code the module was loaded with)."""
        from . import codeindex

        index = codeindex.index_module(self.module_code)
        self._definitions = {key: live_definitions.LiveDefinition(key, d.code) for key, d in index.items()}
        self._index = index

    @property
    def outline(self):
        if self._outline is None:  # imported without one: made by preparer.py, or now
            self.prepare(lambda: None)
        return self._outline

    def prepare(self, pause):
        """Make the outline of the running version if there is none yet (pause(): between the
        pieces parsed). A patch that needs it while preparer.py's thread makes it waits for that."""
        source = self.source  # (decoded before taking the lock: it takes _changing)
        with self._preparing:
            if self._outline is not None:
                return
            from . import incremental  # (not at start-up)

            outline = incremental.parse_in_pieces(source, self.file, pause).outline
            with _changing:
                if self._outline is None and self.source is source:
                    self._outline = outline

    def find_namespace(self):
        """The globals of the module loaded from this file (found once, then remembered)."""
        if self.namespace is None:
            candidates = [sys.modules.get(self.module_name or "__main__"), sys.modules.get("__main__")]
            candidates += list(sys.modules.values())
            for module in candidates:
                path = getattr(module, "__file__", None)
                if isinstance(path, str) and os.path.realpath(path) == self.file:
                    self.namespace = module.__dict__
                    break
        return self.namespace

    @property
    def lines(self):
        """The running source's lines, without their "\\n" (made when first needed, per version)."""
        if self._lines is None or self._lines[0] is not self.source:
            from . import incremental

            self._lines = (self.source, incremental.split_lines(self.source))
        return self._lines[1]

    def commit(self, source, parsed, index, definitions, plan):
        """`source` is what runs now, except what `plan` kept running (refused); parsed: its
        incremental.Parsed."""
        outline = parsed.outline
        previous = self.source  # what the code kept running was compiled from (old_text.py)
        old_text.keep(self.module_code, previous)
        parked = [(key, self.index[old_key], self.definitions[old_key]) for old_key, key in plan.parked]
        self.definitions.update(definitions)
        with _changing:  # (preparer.py's thread keeps an outline only for the source it read)
            self._source = source
            old_index, self._outline, self._index = self.index, outline, index
        # A refused definition (also one whose removal was refused) keeps running its version:
        # the next edit is compared with that, not with the text saved, so it is reported again
        # while the saved text differs, and saving it back as it runs reports nothing.
        self.kept = plan.kept_entries
        self.index_is_source = not parked and not plan.kept
        for key, definition, live in parked:
            index[key] = definition
            self.definitions[key] = live
        for qualname in plan.kept:
            for key in [k for k in index if inside(k[0], qualname)]:
                del index[key]
            for key, definition in old_index.items():
                if inside(key[0], qualname):
                    index[key] = definition
                    old_text.keep(definition.code, previous)


def inside(name, qualname):
    """`name` is the definition `qualname` or one nested in it."""
    return name == qualname or name.startswith(qualname + ".")


_changing = _thread.allocate_lock()  # the version a Unit describes, and its outline, change together
_units = {}  # realpath -> [Unit]: a script run as __main__ and imported by name is two modules
_module_codes = set()  # ids of the top-level code of every instrumented module (kept alive by Units)


def add(unit):
    found = _units.setdefault(unit.file, [])
    # A module imported again under its name (importlib.reload) is the same module object.
    found[:] = [u for u in found if u.module_name != unit.module_name] + [unit]
    _module_codes.add(id(unit.module_code))
    live_definitions.wait(unit)


def for_file(file):
    """The Units of the modules loaded from `file` (first loaded first); [] if none."""
    return list(_units.get(file, ()))


def first_for_file(file):
    """The first Unit loaded from `file` (`__main__` for a script also imported by name), or None.
    The debugger places breakpoints in that copy only (docs/debugger.md)."""
    found = _units.get(file)
    return found[0] if found else None


def all_units():
    return [unit for found in _units.values() for unit in found]


def by_file():
    """realpath -> Unit of every instrumented file (the debugger looks functions up by name)."""
    return _units


def is_instrumented(code):
    """Code of the program's own files (any version), as opposed to the stdlib or dependencies."""
    return live_definitions.of_code(code) is not None or id(code) in _module_codes
