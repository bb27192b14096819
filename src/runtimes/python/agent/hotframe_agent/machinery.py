"""Class machinery that ran once, when a class was created: what a class-level statement of such
a class cannot change by running again (facts-python.md, "Module-level analysis").

- Enum members are instances the metaclass made from the class body; a plain setattr makes a
  non-member (and over a member, breaks it). A new member is made by enum's own machinery
  (new_member, apply.py's add_enum_member).
- A dataclass's `__init__`, `__repr__`, `__eq__` were generated from its annotated fields: for a
  plain `@dataclass(...)` (literal arguments, no slots=True, no dataclass subclasses) they are
  generated again on the live class (dataclass_options, apply.py's regenerate_dataclass).
- NamedTuple fields are `_tuplegetter` descriptors over the tuple's items.
- `__slots__` fixed the instance layout: its names are member descriptors of the class.
"""

import ast
import dataclasses
import enum
import sys
import types


class Machinery:
    """What made the class (`kind`) and why a statement cannot change it (`why`)."""

    __slots__ = ("kind", "why")

    def __init__(self, kind, why):
        self.kind = kind
        self.why = why


ENUM = Machinery("an Enum", "its members were made when the class was created; a member stays, with its value, while objects hold it")
DATACLASS = Machinery("a dataclass", "its __init__, __repr__ and __eq__ were generated from its fields when it was created")
NAMED_TUPLE = Machinery("a NamedTuple", "its fields are the tuple's items, fixed when the class was created")
SLOTS = Machinery("a class with __slots__", "the layout of its objects was fixed when it was created")


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
    body's member goes through) can make on the live class; else why it cannot. A member changed
    or removed cannot be: objects hold it, and its value is what it is."""
    single = isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name)
    name = node.targets[0].id if single else ""  # pyright: ignore[reportAttributeAccessIssue]
    if replaced or not single or name.startswith("_") or name in cls.__dict__ or name in cls._member_map_:
        return ENUM
    if issubclass(cls, enum.Flag):
        return ENUM_FLAG
    if sys.version_info < (3, 11) or not hasattr(enum, "_proto_member"):
        return ENUM_BEFORE_311
    return None


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
    if sys.version_info >= (3, 14):  # (annotations are made lazily: a field statement alone cannot add one)
        return None, DATACLASS
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
