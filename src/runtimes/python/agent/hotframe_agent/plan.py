"""What a patch decides, as values: the planner (planner.py) builds a Plan without touching the
running program, apply.py carries out its steps, report.py turns its outcomes into the
PatchResult. Tests inspect a Plan directly.

Keys are codeindex keys, (qualname, occurrence). An owner is where a definition or statement
sits: () for the module, the path of class names for a class body (("Order",), ("A", "B")).
"""

from . import protocol


class Plan:
    __slots__ = ("swaps", "new_keys", "renumbered", "parked", "steps", "outcomes", "warnings", "kept", "kept_entries", "rejection")

    def __init__(self):
        self.swaps = []  # SwapCode, applied first
        self.new_keys = []  # keys of definitions the new version adds (their code becomes current)
        # key of the new version -> the running key it stands for (None: a new definition), where
        # they differ: namesakes matched by signature (planner._align_namesakes)
        self.renumbered = {}
        self.parked = []  # (running key, key it keeps running under): planner._park
        # RunStatement, AddEnumMember, RemoveEnumMember, SetEnumValue, SetTupleDefault, Annotate, AddDefinition, SetDefaults, RebuildMethod, Remove: in source order
        self.steps = []
        self.outcomes = []  # Outcome, one per definition or statement reported
        self.warnings = []  # (reasons.Reason, facts): what the user must know beside the outcomes
        self.kept = []  # qualnames of definitions that keep their running version (refused)
        self.kept_entries = []  # what becomes Unit.kept (see units.Unit)
        self.rejection: "Error | None" = None  # nothing of this edit is applied, for this reason

    @property
    def refused(self):
        return any(outcome.status == protocol.REFUSED for outcome in self.outcomes)


class SwapCode:
    """Give every live function of the definition the new code (`changed`: not just moved lines)."""

    __slots__ = ("key", "definition", "changed")

    def __init__(self, key, definition, changed):
        self.key = key
        self.definition = definition  # codeindex.Definition of the new version
        self.changed = changed


class RunStatement:
    """Run a new or changed top-level (or class body) statement."""

    __slots__ = ("entry", "owner", "into_fields")

    def __init__(self, entry, owner, into_fields=False):
        self.entry = entry  # shape.Entry of the new version
        self.owner = owner
        # a field of a dataclass with slots=True: what it binds goes to RegenerateDataclass's
        # scratch class, not onto the class (over a slot)
        self.into_fields = into_fields


class AddEnumMember:
    """A new member of an Enum (`BLUE = 3`, `BLUE = enum.auto()`): the statement runs in the
    class's namespace and its value becomes a member as the class body makes one."""

    __slots__ = ("entry", "owner", "name")

    def __init__(self, entry, owner, name):
        self.entry = entry
        self.owner = owner
        self.name = name


class RemoveEnumMember:
    """A member removed from a plain Enum (machinery.removed_member): it leaves the class's
    tables and dict, so `State.BUSY`, `State(2)` and `State["BUSY"]` fail and `list(State)`
    leaves it out, as in a fresh run; what holds it keeps a valid object of the class."""

    __slots__ = ("owner", "name")

    def __init__(self, owner, name):
        self.owner = owner
        self.name = name


class SetEnumValue:
    """A plain Enum member's new literal value (`RED = 1` -> `RED = 5`, machinery.changed_member):
    set on the member itself, which stays the same object, and in the class's value table."""

    __slots__ = ("entry", "owner", "name", "value")

    def __init__(self, entry, owner, name, value):
        self.entry = entry
        self.owner = owner
        self.name = name
        self.value = value


class SetTupleDefault:
    """A NamedTuple field's new default (`y: int = 0` -> `y: int = 9`, machinery.changed_default):
    evaluated in the class's scope and set in its `__new__` and `_field_defaults`."""

    __slots__ = ("entry", "owner", "name")

    def __init__(self, entry, owner, name):
        self.entry = entry
        self.owner = owner
        self.name = name


class Annotate:
    """A statement whose annotation alone changed (`SEEN = set()` -> `SEEN: set[str] = set()`):
    the annotation is set, the value is not made again."""

    __slots__ = ("entry", "owner")

    def __init__(self, entry, owner):
        self.entry = entry
        self.owner = owner


class _DefinitionStep:
    __slots__ = ("key", "entry", "owner")

    def __init__(self, key, entry, owner):
        self.key = key
        self.entry = entry  # shape.Entry of the new version
        self.owner = owner


class AddDefinition(_DefinitionStep):
    """Create a new def or class (decorators, defaults, bases evaluated as `def`/`class` does)."""

    __slots__ = ()


class SetDefaults(_DefinitionStep):
    """Evaluate a def's new default values and give them to its live functions."""

    __slots__ = ()


class SetAbstract:
    """`@abstractmethod` added to (abstract True) or removed from a method of an ABC: its live
    functions are marked so, and the abstract methods of its class and subclasses computed again."""

    __slots__ = ("key", "owner", "abstract")

    def __init__(self, key, owner, abstract):
        self.key = key
        self.owner = owner
        self.abstract = abstract


class RebuildMethod:
    """A method that starts (or stops) using super() needs a `__class__` cell: a new function
    object, bound in the class where the old one was."""

    __slots__ = ("key", "definition", "owner", "name")

    def __init__(self, key, definition, owner, name):
        self.key = key
        self.definition = definition
        self.owner = owner
        self.name = name


class Remove:
    """Unbind a definition the new version no longer has."""

    __slots__ = ("name", "owner")

    def __init__(self, name, owner):
        self.name = name
        self.owner = owner


class RebindCopies:
    """Give the copies other modules hold of rebound names (copies.py) the new values."""

    __slots__ = ("copies",)

    def __init__(self, copies):
        self.copies = copies  # copies.Copy, each still holding what the module bound


class ClearCache:
    """Clear a functools.lru_cache / cache wrapper, or the values a functools.cached_property of
    class `cls` stored in its objects (they came from the old code)."""

    __slots__ = ("wrapper", "cls")

    def __init__(self, wrapper, cls):
        self.wrapper = wrapper
        self.cls = cls  # None: an lru_cache


class Outcome:
    """One entry of PatchResult.functions; `reason` (a reasons.Reason) with the `facts` its text
    needs, for refused and running-old."""

    __slots__ = ("kind", "name", "qualname", "status", "line", "reason", "facts")

    def __init__(self, kind, name, qualname, status, line, reason=None, facts=None):
        self.kind = kind  # "function" | "class" | "statement"
        self.name = name
        self.qualname = qualname
        self.status = status
        self.line = line
        self.reason = reason
        self.facts = facts or {}

    def __repr__(self):
        code = " " + self.reason.code if self.reason else ""
        return "<%s %s %s%s>" % (self.kind, self.qualname, self.status, code)


class Error:
    """PatchResult.error: why nothing of an edit was applied."""

    __slots__ = ("kind", "reason", "facts", "line", "column", "traceback")

    def __init__(self, kind, reason, facts=None, line=None, column=None, traceback=None):
        self.kind = kind  # "syntax" | "runtime" | "refused" | "internal"
        self.reason = reason
        self.facts = facts or {}
        self.line = line
        self.column = column
        self.traceback = traceback

    def __repr__(self):
        return "<Error %s %s>" % (self.kind, self.reason.code)


class RegenerateDataclass:
    """Make a dataclass's generated methods again from its fields, after its field statements
    `names` (the fields they bind) ran and the fields `removed` were taken out:
    dataclasses.dataclass(cls, **options) on the live class."""

    __slots__ = ("owner", "options", "names", "order", "removed")

    def __init__(self, owner, options, names, order, removed=()):
        self.owner = owner
        self.options = options
        self.names = names
        self.order = order  # the annotated names of the new class body, in order: the fields' order
        self.removed = removed  # names of fields (or other annotated names) the new version removed
