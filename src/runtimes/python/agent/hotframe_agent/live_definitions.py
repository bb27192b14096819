"""Where live function objects are found: one LiveDefinition per definition of an instrumented
file.

Instrumented code calls ``__hotframe_track__(fn)`` when it creates a function (see transform.py),
which adds the raw function to the LiveDefinition of its code object. A patch then visits exactly
the functions of the definitions it changes: its cost depends on the edit, not on the heap.

A file's LiveDefinitions are not made while it is imported (that would cost start-up about a
third of what the import itself costs): they are made once the program has stopped importing
(preparer.py), or as soon as anything asks for one (of_code(), a Unit's index, a patch), for
every file still waiting. Until then track() keeps a weak reference to each function it is given,
and the file's LiveDefinitions adopt them when they are made.
"""

import _thread
import _weakref
import builtins
import functools

from . import old_text

# id(code object) -> LiveDefinition, for live code objects only: an entry goes when its code
# object dies (weak reference callback), so old versions are not kept alive and an id is never
# stale here.
_by_code = {}


class LiveDefinition:
    """One definition (a def or lambda at a given qualname and occurrence) across its versions."""

    __slots__ = ("key", "code", "versions", "stale", "_functions")

    def __init__(self, key, code):
        self.key = key
        self.code = code  # the newest version applied
        self.versions = {}  # id(code) -> weak reference, for each live version of the definition
        # ids of versions a patch replaced by `code` (same free variables): a function still
        # being created from one of them (by a frame running old code) gets `code` at once.
        self.stale = set()
        self._functions = None  # made when first needed: many definitions never get a function
        self.map_code(code)

    @property
    def functions(self):
        """The live function objects of this definition (weakly held)."""
        functions = self._functions
        if functions is None:
            functions = self._functions = LiveFunctions()
        return functions

    def map_code(self, code):
        """Make functions created from `code` (from any compile of this definition) belong here."""
        code_id = id(code)
        if code_id not in self.versions:
            self.versions[code_id] = _weakref.ref(code, functools.partial(_forget, self, code_id))
            _by_code[code_id] = self


class LiveFunctions:
    """Function objects, weakly held: a set of weak references whose callback is the set's own
    discard, so a closure made in a loop is forgotten at its death with no Python code run
    (weakref.WeakSet runs some at each death, and more at each add). Iterating sees the
    functions alive when it starts."""

    __slots__ = ("references", "forget")

    def __init__(self):
        self.references = set()
        self.forget = self.references.discard  # each reference's callback

    def add(self, function):
        self.references.add(_weakref.ref(function, self.forget))

    def __iter__(self):
        for reference in self.references.copy():  # (a copy in C: no collection runs meanwhile)
            function = reference()
            if function is not None:
                yield function

    def __bool__(self):
        return any(reference() is not None for reference in self.references.copy())


def _forget(definition, code_id, _reference, _by_code=_by_code, _forget_text=old_text.forget):
    # Runs when a code object dies, also at interpreter shutdown after this module's globals
    # were cleared: it reaches nothing through them (hence the default arguments).
    _forget_text(code_id)
    definition.versions.pop(code_id, None)
    definition.stale.discard(code_id)
    if _by_code.get(code_id) is definition:
        del _by_code[code_id]


def of_code(code):
    """The LiveDefinition a code object is a version of (None: not the program's own code)."""
    if _waiting or _unadopted:
        make_waiting()
    return _by_code.get(id(code))


def track(function, _get=_by_code.get, _ref=_weakref.ref):
    """Called by instrumented code for each function it creates; returns the function unchanged.
    It runs for every closure made in a loop: one call, no other Python call on the way (each
    would cost about a sixth of what making and calling a small closure costs)."""
    code_id = id(function.__code__)
    definition = _get(code_id)
    if definition is None:
        # Its file's definitions are not made yet, or preparer.py's thread is making them now:
        # under its lock, the function is either found or left for make_waiting to adopt (else
        # it could be neither, after that thread's pass, and a patch would not reach it).
        with _making:
            definition = _get(code_id)
            if definition is None and _waiting:
                _unadopted.append(_ref(function))
        if definition is None:
            # (not inside a pass of this thread's: it would make the file being made again)
            owned = _making._is_owned()  # pyright: ignore[reportAttributeAccessIssue] (C RLock's, as threading.Condition uses)
            if len(_unadopted) > _UNADOPTED_LIMIT and not owned:
                make_waiting()
            return function
    functions = definition._functions  # (not the property, unless it is not made yet)
    if functions is None:
        functions = definition.functions
    functions.references.add(_ref(function, functions.forget))
    if definition.stale or _replacements:
        _redirect(definition, function, code_id)
    return function


def _redirect(definition, function, code_id):
    """A function created from a version a patch replaced gets the newest; one created from code
    with a breakpoint version gets that."""
    if code_id in definition.stale:
        function.__code__ = definition.code
        code_id = id(definition.code)
    if _replacements:
        replacement = _replacements.get(code_id)
        if replacement is not None:
            function.__code__ = replacement


# Files whose LiveDefinitions are not made yet (units.Unit: make_definitions()), first loaded
# first; and weak references to the functions track() was given for their code meanwhile.
_waiting = []
_unadopted = []
_UNADOPTED_LIMIT = 10000  # (a program making closures in a loop at start-up: make them now)
# Re-entrant: a finalizer run by a collection while this thread makes definitions may make a
# function (track() then waits for nobody: the function is left for the pass under way).
_making = _thread.RLock()


def wait(unit):
    """`unit` was loaded: make its LiveDefinitions later (make_waiting)."""
    _waiting.append(unit)


def make_waiting(pause=None):
    """Make the LiveDefinitions of every file waiting, then hand them the functions created
    meanwhile. pause(): called between two files (preparer.py's thread gives the GIL back)."""
    with _making:
        while _waiting:
            _waiting[0].make_definitions()
            del _waiting[0]  # (only now: a function of a file being indexed stays unadopted)
            if pause is not None and _waiting:
                _making.release()
                try:
                    pause()
                finally:
                    _making.acquire()
        batch = _unadopted[:]
        kept = []
        for reference in batch:
            function = reference()
            if function is None:
                continue
            if id(function.__code__) in _by_code:
                track(function)
            elif _waiting:  # (a file loaded meanwhile, by another thread)
                kept.append(reference)
        _unadopted[: len(batch)] = kept


# id(code) -> the code every function created from it gets instead (the debugger's breakpoint
# versions, codebreaks.py, on 3.10/3.11).
_replacements = {}


def replace_code(code, replacement):
    """Functions created from `code` from now on get `replacement` (None: their own again)."""
    if replacement is None:
        _replacements.pop(id(code), None)
    else:
        _replacements[id(code)] = replacement


def install_builtins(restart_signal):
    """Expose the names instrumented code uses, in builtins so modules stay untouched."""
    setattr(builtins, "__hotframe_track__", track)
    setattr(builtins, "__hotframe_restart__", restart_signal)
    setattr(builtins, "__hotframe_unwinding__", None)  # 3.10/3.11: no exception filter on
