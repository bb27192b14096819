"""Where live function objects are found: one Slot per definition of an instrumented file.

Instrumented code calls ``__hotframe_track__(fn)`` when it creates a function (see transform.py),
which adds the raw function to the Slot of its code object. A patch then visits exactly the
functions of the definitions it changes: its cost depends on the edit, not on the heap.
"""

import builtins
import functools
import weakref

# id(code object) -> Slot, for live code objects only: an entry goes when its code object dies
# (weak reference callback), so old versions are not kept alive and an id is never stale here.
_slot_by_code = {}


class Slot:
    """One definition (a def or lambda at a given qualname and occurrence) across its versions."""

    __slots__ = ("key", "code", "versions", "stale", "functions")

    def __init__(self, key, code):
        self.key = key
        self.code = code  # the newest version applied
        self.versions = {}  # id(code) -> weak reference, for each live version of the definition
        # ids of versions a patch replaced by `code` (same free variables): a function still
        # being created from one of them (by a frame running old code) gets `code` at once.
        self.stale = set()
        self.functions = weakref.WeakSet()
        self.map_code(code)

    def map_code(self, code):
        """Make functions created from `code` (from any compile of this definition) belong here."""
        code_id = id(code)
        if code_id not in self.versions:
            self.versions[code_id] = weakref.ref(code, functools.partial(_forget, self, code_id))
            _slot_by_code[code_id] = self


def _forget(slot, code_id, _reference, _slot_by_code=_slot_by_code):
    # Runs when a code object dies, also at interpreter shutdown after this module's globals
    # were cleared: it reaches nothing through them (hence the default argument).
    slot.versions.pop(code_id, None)
    slot.stale.discard(code_id)
    if _slot_by_code.get(code_id) is slot:
        del _slot_by_code[code_id]


def slot_of_code(code):
    return _slot_by_code.get(id(code))


def track(function):
    """Called by instrumented code for each function it creates; returns the function unchanged."""
    code_id = id(function.__code__)
    slot = _slot_by_code.get(code_id)
    if slot is not None:
        slot.functions.add(function)
        if code_id in slot.stale:
            function.__code__ = slot.code
        replacement = _replacements.get(id(function.__code__))
        if replacement is not None:
            function.__code__ = replacement
    return function


# id(code) -> the code every function created from it gets instead (the debugger's breakpoint
# versions, codebreaks.py, on 3.10/3.11).
_replacements = {}


def replace_code(code, replacement):
    """Functions created from `code` from now on get `replacement` (None: their own again)."""
    if replacement is None:
        _replacements.pop(id(code), None)
    else:
        _replacements[id(code)] = replacement


class Unit:
    """One instrumented source file: its current source, tree, definitions and namespace."""

    def __init__(self, file, module_name, source, outline, index, slots, module_code):
        self.file = file
        self.module_code = module_code  # what runs the module's top level (never replaced)
        self.module_name = module_name  # as imported (None for a script run as __main__)
        self.source = source
        self.outline = outline  # shape.outline() of the current version; None: not computed yet
        self.index = index  # key -> codeindex.Definition of the current version
        self.slots = slots  # key -> Slot (also keys that were removed since)
        self.namespace = None  # the module's globals; resolved on first patch if unknown
        # Where the program runs something else than `source` says, because an edit was refused:
        # (owner, saved match key, running outline entries) — in the module (owner ()) or class
        # body `owner`, the entry of `outline` with that match key (None: an entry `source` no
        # longer has, its removal was refused) stands for `entries`. `index` holds the running
        # code of those definitions. A patch compares the new text with what runs.
        self.kept = []


_units = {}  # realpath -> Unit
_module_codes = set()  # ids of the top-level code of every instrumented module (kept alive by Units)


def add_unit(unit):
    _units[unit.file] = unit
    _module_codes.add(id(unit.module_code))


def is_instrumented(code):
    """Code of the program's own files (any version), as opposed to the stdlib or dependencies."""
    return id(code) in _slot_by_code or id(code) in _module_codes


def unit_for(file):
    return _units.get(file)


def units():
    """realpath -> Unit of every instrumented file (the debugger looks functions up by name)."""
    return _units


def install_builtins(restart_signal):
    """Expose the names instrumented code uses, in builtins so modules stay untouched."""
    builtins.__hotframe_track__ = track
    builtins.__hotframe_restart__ = restart_signal
