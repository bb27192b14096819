"""Class machinery that ran once, when a class was created: what a class-level statement of such
a class cannot change by running again (facts-python.md, "Module-level analysis").

- Enum members are instances the metaclass made from the class body; a plain setattr makes a
  non-member (and over a member, breaks it). A new member is made by enum's own machinery
  (new_member, apply.py's add_enum_member); a plain member's new literal value is set on the
  member itself, which stays the same object (changed_member, apply.py's set_enum_value).
- A removed plain member leaves the class's tables and dict (removed_member, apply.py's
  remove_enum_member) and stays the valid object the program may hold; saved back with its value,
  that same object is the member again (REMOVED_MEMBERS).
- A dataclass's `__init__`, `__repr__`, `__eq__` were generated from its annotated fields: for a
  plain `@dataclass(...)` (literal arguments, no slots=True, no dataclass subclasses) they are
  generated again on the live class (dataclass_options, apply.py's regenerate_dataclass).
- NamedTuple fields are `_tuplegetter` descriptors over the tuple's items; their defaults are
  those of the class's `__new__` (and `_field_defaults`), which a changed default is set in
  (changed_default, apply.py's set_tuple_default).
- `__slots__` fixed the instance layout: its names are member descriptors of the class.
- Only a new class has other NamedTuple fields or other slots (layout): the class statement is
  run again and its name bound to the new class while nothing of the program holds the old one
  (holders: no object of it, no subclass, no other reference a fresh run would not have).
"""

import ast
import dataclasses
import enum
import gc
import sys
import types
import weakref


# What a refusal tells the user to do, unless the Machinery says better.
_NOT_MADE_AGAIN = "a patch does not make that again (objects made from now on would not get this edit): restart the program to apply this"


class Machinery:
    """What made the class (`kind`), why a statement cannot change it (`why`) and what the user
    can do (`todo`)."""

    __slots__ = ("kind", "why", "todo")

    def __init__(self, kind, why, todo=_NOT_MADE_AGAIN):
        self.kind = kind
        self.why = why
        self.todo = todo


ENUM = Machinery("an Enum", "its members were made when the class was created; a member stays, with its value, while objects hold it")
_STAYS = "it stays a member until the program restarts: restart the program to remove it"
_MEMBERS_MADE = "its members were made when the class was created, and the one removed cannot leave it alone: "
ENUM_REMOVED_MADE = Machinery(
    "an Enum", _MEMBERS_MADE + "the values of auto() (or of another call) may follow from the members before them", _STAYS
)
ENUM_REMOVED_ALIASED = Machinery(
    "an Enum", _MEMBERS_MADE + "other names are aliases of it, and a fresh run makes the first of them the member", _STAYS
)
ENUM_REMOVED_UNHASHABLE = Machinery("an Enum", _MEMBERS_MADE + "its value is not hashable", _STAYS)
ENUM_ALIASED = Machinery(
    "an Enum",
    "a member's value decides which names are aliases of which member: another name is an alias of this member, "
    "or the new value is another member's",
    "restart the program to apply this (or give the member a value no other member has)",
)
ENUM_VALUE_MADE = Machinery(
    "an Enum",
    "this member's value is not a plain literal of a plain Enum (a mixin type such as int or str makes the member "
    "its value; auto(), __new__ or __init__ make values or attributes from it)",
    "the member keeps its value while the program runs: restart the program to apply this (or add a new member "
    "with the new value)",
)
DATACLASS = Machinery("a dataclass", "its __init__, __repr__ and __eq__ were generated from its fields when it was created")
NAMED_TUPLE = Machinery(
    "a NamedTuple",
    "its fields are the tuple's items: their names, order and defaults were fixed when the class was created, and "
    "the tuples made from it keep theirs",
    "restart the program to apply this (or make a new NamedTuple class for the new fields)",
)
SLOTS = Machinery(
    "a class with __slots__",
    "the layout of its objects was fixed when it was created: a live class cannot gain or lose a slot",
    "objects with the new slots need a new class: restart the program to apply this",
)


def blocking(cls, node, binds):
    """The Machinery a class-level statement `node` (binding `binds`) cannot be run again
    against in the live class `cls`; None when running it is what a fresh run does."""
    if not isinstance(cls, type):
        return None
    own = cls.__dict__
    if isinstance(cls, enum.EnumMeta):
        return ENUM
    if "__slots__" in binds:
        return SLOTS
    field = isinstance(node, ast.AnnAssign)
    if issubclass(cls, tuple) and hasattr(cls, "_fields"):
        if field or any(name in cls._fields for name in binds):  # pyright: ignore[reportAttributeAccessIssue]
            return NAMED_TUPLE
    if "__dataclass_fields__" in own and (field or any(name in own["__dataclass_fields__"] for name in binds)):
        return DATACLASS
    if any(isinstance(own.get(name), types.MemberDescriptorType) for name in binds):
        return SLOTS
    return None


def held(cls, name):
    """The Machinery whose attribute `name` of the live class `cls` is (an Enum member, a slot,
    a NamedTuple field): nothing may be set over it (None: nothing holds it)."""
    own = getattr(cls, "__dict__", {})
    if isinstance(cls, enum.EnumMeta) and name in cls._member_map_:
        return ENUM
    if isinstance(own.get(name), types.MemberDescriptorType):
        return SLOTS
    if isinstance(cls, type) and issubclass(cls, tuple) and name in getattr(cls, "_fields", ()):
        return NAMED_TUPLE
    return None


ENUM_FLAG = Machinery("a Flag", "its members and their bits were made when the class was created")
ENUM_BEFORE_311 = Machinery(
    "an Enum", "its members were made when the class was created (a patch adds members from Python 3.11 on)"
)


def new_member(cls, node, replaced):
    """None when the class-level statement `node` of the Enum `cls` (standing for the running
    statements `replaced`) adds a member, which enum's own machinery (_proto_member, what a class
    body's member goes through) can make on the live class; else why it cannot (a changed
    member: changed_member)."""
    name = _member_name(node)
    if replaced or name is None or name.startswith("_") or name in cls.__dict__ or name in cls._member_map_:
        return ENUM
    if issubclass(cls, enum.Flag):
        return ENUM_FLAG
    if sys.version_info < (3, 11) and not _removed_value(cls, name, node):
        return ENUM_BEFORE_311
    return None


def _removed_value(cls, name, node):
    """Whether `node` gives the member `name` a patch removed its value back (3.10: the same
    object is put back, no member is made)."""
    removed = REMOVED_MEMBERS.get(cls, {}).get(name)
    try:
        return removed is not None and ast.literal_eval(node.value) == removed[0]._value_
    except ValueError:
        return False


class NewValue:
    """The new value `value` of the Enum member `name` (changed_member)."""

    __slots__ = ("name", "value")

    def __init__(self, name, value):
        self.name = name
        self.value = value


def changed_member(cls, class_node, node, replaced):
    """A NewValue when the class-level statement `node` of the Enum `cls` (whose new
    statement is `class_node`), standing for the running statement `replaced` (a list of one),
    gives a member a new value that can be set on the member itself: a plain Enum (no mixin
    type, no __new__ or __init__ of its own, not a Flag, no auto() or other call making a value
    in its body: those may depend on the others), a literal value, no alias of the member, no
    other member with the new value. The member stays the same object, so what holds it sees
    the new value, `Color(new)` is it and `Color(old)` is no member, as in a fresh run. Else
    the Machinery that says why it cannot."""
    name = _member_name(node)
    running = [_member_name(r.node) for r in replaced]
    if name is None or running != [name] or name not in cls._member_map_ or sys.version_info < (3, 11):
        return ENUM
    if issubclass(cls, enum.Flag):
        return ENUM_FLAG
    member = cls._member_map_[name]
    try:
        value = ast.literal_eval(node.value)  # pyright: ignore[reportAttributeAccessIssue]
        hash(value), hash(member._value_)
    except (ValueError, TypeError, SyntaxError):
        return ENUM_VALUE_MADE
    plain = cls._member_type_ is object and cls.__init__ is enum.Enum.__init__ and cls._new_member_ is object.__new__
    made = any(isinstance(getattr(n, "value", None), ast.Call) for n in class_node.body if _member_name(n))
    if not plain or made:
        return ENUM_VALUE_MADE
    others = [(n, m) for n, m in cls._member_map_.items() if n != name]
    if any(m is member for _n, m in others) or any(m._value_ == value for _n, m in others):
        return ENUM_ALIASED
    return NewValue(name, value)


# Enum class -> {name: (member, its place in _member_names_ or None for an alias)} of the members
# a patch removed: saved back with the same value, the same object is the member again (objects
# of the program hold it).
REMOVED_MEMBERS = weakref.WeakKeyDictionary()


def removed_member(cls, class_node, node):
    """The name of the member the removed class-level statement `node` of the Enum `cls` (whose
    new statement is `class_node`) made, when it can leave the live class as a fresh run of the
    new source would not have it, the others unchanged; else the Machinery that says why not."""
    name = _member_name(node)
    if name is None or name not in cls._member_map_:
        return ENUM
    if issubclass(cls, enum.Flag):
        return ENUM_FLAG
    member = cls._member_map_[name]
    if any(isinstance(getattr(n, "value", None), ast.Call) for n in class_node.body if _member_name(n)):
        return ENUM_REMOVED_MADE
    if member._name_ == name and any(m is member for n, m in cls._member_map_.items() if n != name):
        return ENUM_REMOVED_ALIASED
    try:
        hash(member._value_)
    except TypeError:
        return ENUM_REMOVED_UNHASHABLE
    return name


def changed_default(cls, node, replaced):
    """The name of the field when the class-level statement `node` of the NamedTuple `cls`,
    standing for the running statement `replaced` (a list of one), gives a field that has a
    default another one (the same field, the same annotation): it is set in the class's
    `__new__`, so tuples made from now on get it and those made before keep their values, as
    in a fresh run. Else NAMED_TUPLE."""
    running = replaced[0].node if len(replaced) == 1 else None
    if not isinstance(node, ast.AnnAssign) or not isinstance(running, ast.AnnAssign):
        return NAMED_TUPLE
    if not (_defaulted_field(node) and _defaulted_field(running)):
        return NAMED_TUPLE
    same = [(ast.dump(n.target), ast.dump(n.annotation)) for n in (node, running)]
    name = node.target.id  # pyright: ignore[reportAttributeAccessIssue]
    defaults = getattr(cls.__new__, "__defaults__", None)
    if same[0] != same[1] or name not in getattr(cls, "_field_defaults", {}) or not isinstance(defaults, tuple):
        return NAMED_TUPLE
    return name


def _defaulted_field(node):
    """`name: annotation = default`."""
    return isinstance(node.target, ast.Name) and node.value is not None


def _member_name(node):
    """The one name a plain `NAME = value` statement binds (None for any other statement)."""
    single = isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name)
    return node.targets[0].id if single else None  # pyright: ignore[reportAttributeAccessIssue]



DATACLASS_SLOTS = Machinery("a dataclass with slots=True", "the layout of its objects was fixed when it was created")
DATACLASS_SUBCLASSED = Machinery(
    "a dataclass with dataclass subclasses elsewhere (another file, a function) or made with slots=True",
    "their __init__ was generated from its fields too",
)
DATACLASS_DECORATED = Machinery(
    "a dataclass made by another decorator than a plain @dataclass(...)",
    "its __init__, __repr__ and __eq__ were generated from its fields when it was created",
)
# What dataclass() sets on a class from its fields (kept when the class defines them itself).
GENERATED = ("__init__", "__repr__", "__eq__", "__hash__", "__lt__", "__le__", "__gt__", "__ge__",
             "__setattr__", "__delattr__", "__match_args__", "__replace__", "__doc__")  # fmt: skip


def dataclass_options(cls, class_node, binds):
    """(options, None): the keyword arguments of the `@dataclass(...)` that made `cls`, to make
    it again from its new fields after a statement binding `binds` (None: removing them);
    (None, Machinery): why that cannot be done. With slots=True the fields must stay the same
    ones (the layout of the objects), their methods are made on a scratch class (apply.py) that
    nothing else may see: a plain class of the same bases."""
    decorators = [d for d in class_node.decorator_list if _names_dataclass(d.func if isinstance(d, ast.Call) else d)]
    others = [d for d in class_node.decorator_list if not _is_hotframe(d) and d not in decorators]
    if len(decorators) != 1 or others:
        return None, DATACLASS_DECORATED
    decorator = decorators[0]
    options = {}
    if isinstance(decorator, ast.Call):
        if decorator.args:
            return None, DATACLASS_DECORATED
        for keyword in decorator.keywords:
            try:
                options[keyword.arg] = ast.literal_eval(keyword.value)
            except ValueError:
                return None, DATACLASS_DECORATED
    if options.get("slots"):
        fields = cls.__dict__.get("__dataclass_fields__", {})
        hooked = any("__init_subclass__" in base.__dict__ for base in cls.__mro__[1:-1])
        if binds is None or not all(name in fields for name in binds) or type(cls) is not type or hooked:
            return None, DATACLASS_SLOTS
    elif "__slots__" in cls.__dict__:
        return None, DATACLASS_SLOTS
    return options, None


def _names_dataclass(node):
    return (isinstance(node, ast.Name) and node.id == "dataclass") or (
        isinstance(node, ast.Attribute) and node.attr == "dataclass"
    )


def _is_hotframe(node):
    return isinstance(node, ast.Name) and node.id.startswith("__hotframe_")


def layout(cls, class_node):
    """What only a new class can change, as the class statement `class_node` of the live class
    `cls` writes it: a NamedTuple's fields (names and annotations, in order), the `__slots__`
    statements and a slots dataclass's field names (None: `cls` has no such layout)."""
    fields = [(ast.dump(n.target), ast.dump(n.annotation)) for n in class_node.body if isinstance(n, ast.AnnAssign)]
    if issubclass(cls, tuple) and hasattr(cls, "_fields"):
        return fields
    if "__slots__" not in cls.__dict__:
        return None
    slots = [ast.dump(n) for n in class_node.body if isinstance(n, ast.Assign) and _binds_slots(n)]
    return slots, [name for name, _annotation in fields] if "__dataclass_fields__" in cls.__dict__ else []


def _binds_slots(node):
    return any(isinstance(t, ast.Name) and t.id == "__slots__" for t in node.targets)


class Holders:
    """What of the program keeps the live class a new one would replace: its objects, its
    subclasses and other references (a dict, a list, another closure: `others`)."""

    __slots__ = ("objects", "subclasses", "others")

    def __init__(self, objects, subclasses, others):
        self.objects = objects
        self.subclasses = subclasses
        self.others = others

    def __bool__(self):
        return bool(self.objects or self.subclasses or self.others)

    def text(self):
        parts = [(self.objects, "object(s) of it"), (self.subclasses, "subclass(es)"), (self.others, "other reference(s) to it")]
        return ", ".join("%d %s" % (count, what) for count, what in parts if count)


def holders(cls, namespaces):
    """The Holders of the live class `cls` (one scan of the heap's referrers): what refers to it
    but the `namespaces` its name is bound in (those are rebound), its own `__mro__`,
    descriptors and the cells of its own functions (`__class__`), and frames (hotframe's)."""
    own = _own_cells(cls)
    subclasses = cls.__subclasses__()
    theirs = [t for sub in subclasses for t in (sub.__mro__, sub.__bases__)]
    objects = others = 0
    for referrer in gc.get_referrers(cls):
        if any(referrer is n for n in namespaces) or referrer is cls.__mro__ or isinstance(referrer, types.FrameType):
            continue
        if getattr(referrer, "__objclass__", None) is cls or id(referrer) in own or any(referrer is t for t in theirs):
            continue
        if isinstance(referrer, type) and referrer in subclasses:  # (its __base__)
            continue
        if isinstance(referrer, cls):
            objects += 1
        elif not _annotations_of(referrer, cls):
            others += 1
    return Holders(objects, len(subclasses), others)


def _annotations_of(value, cls):
    """Whether `value` holds a function's annotations (a dict, or the tuple CPython keeps until
    they are read) that name `cls`: a def whose annotations read the rebound name follows it
    (planner's SetDefaults)."""
    from .apply import EvaluatedAnnotations  # (loaded by then: a patch is being planned)

    if type(value) not in (dict, tuple):
        return False
    holders = gc.get_referrers(value)
    functions = [f for f in holders if isinstance(f, types.FunctionType)]
    if any(isinstance(h, EvaluatedAnnotations) for h in holders):  # (3.14: a def's annotations a patch set)
        return True
    return bool(functions) and all(cls in f.__annotations__.values() for f in functions)


def _own_cells(cls):
    """ids of the closure cells of the functions in the class's dict (a `__class__` cell; on
    3.14 also those of their `__annotate__`)."""
    functions = []
    for value in cls.__dict__.values():
        value = getattr(value, "__func__", value)
        found = [getattr(value, name, None) for name in ("fget", "fset", "fdel")] if isinstance(value, property) else [value]
        functions.extend(f for f in found if isinstance(f, types.FunctionType))
    functions += [f.__annotate__ for f in functions if isinstance(getattr(f, "__annotate__", None), types.FunctionType)]
    return {id(cell) for f in functions for cell in f.__closure__ or ()}


def held_class(made, holders):
    """The Machinery `made` (a NamedTuple's, a class with __slots__') saying what holds the class,
    so that it cannot be made again."""
    todo = "a patch makes the class again only while nothing of the program holds it, and %s do: %s" % (holders.text(), made.todo)
    return Machinery(made.kind, made.why, todo)
