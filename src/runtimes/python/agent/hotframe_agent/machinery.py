"""Class machinery that ran once, when a class was created: what a class-level statement of such
a class cannot change by running again (facts-python.md, "Module-level analysis").

- Enum members are instances the metaclass made from the class body; a plain setattr makes a
  non-member (and over a member, breaks it).
- A dataclass's `__init__`, `__repr__`, `__eq__` were generated from its annotated fields.
- NamedTuple fields are `_tuplegetter` descriptors over the tuple's items.
- `__slots__` fixed the instance layout: its names are member descriptors of the class.
"""

import ast
import enum
import types


class Machinery:
    """What made the class (`kind`) and why a statement cannot change it (`why`)."""

    __slots__ = ("kind", "why")

    def __init__(self, kind, why):
        self.kind = kind
        self.why = why


ENUM = Machinery("an Enum", "its members were made when the class was created")
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
    if "__slots__" in binds or any(isinstance(own.get(name), types.MemberDescriptorType) for name in binds):
        return SLOTS
    field = isinstance(node, ast.AnnAssign)
    if issubclass(cls, tuple) and hasattr(cls, "_fields"):
        if field or any(name in cls._fields for name in binds):  # pyright: ignore[reportAttributeAccessIssue]
            return NAMED_TUPLE
    if "__dataclass_fields__" in own and (field or any(name in own["__dataclass_fields__"] for name in binds)):
        return DATACLASS
    return None
