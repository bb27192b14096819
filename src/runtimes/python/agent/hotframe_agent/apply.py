"""Carrying out a Plan on the live module, all or nothing.

The GIL is held for the whole step (a huge switch interval; the patch does no I/O of its own):
swap the code of every function whose code differs (line-only moves too, so tracebacks stay
right), then run the plan's steps in source order: new defs and classes, new default values,
changed top-level statements, removals. Then verify that every live function of a swapped
definition has the new code. Anything raising rolls every step back.
"""

import __future__
import abc
import ast
import builtins
import dataclasses
import enum
import gc
import inspect
import sys
import types

from . import codeindex, live_definitions, machinery, old_text, reasons
from .plan import (
    AddDefinition,
    AddEnumMember,
    Annotate,
    ClearCache,
    Error,
    RebindCopies,
    RebuildMethod,
    RegenerateDataclass,
    Remove,
    RemoveEnumMember,
    RunStatement,
    SetAbstract,
    SetDefaults,
    SetEnumValue,
    SetTupleDefault,
)

_MISSING = object()
# PEP 649 (3.14): annotations are made by an `__annotate__` function when first read; a statement
# compiled alone binds one (and `__conditional_annotations__`) that knows its own annotation only.
_LAZY_ANNOTATIONS = sys.version_info >= (3, 14)
_ANNOTATE_NAMES = ("__annotate__", "__conditional_annotations__")
# What an Enum records its members in (enum.py, 3.11-3.14), put back by an undo.
_ENUM_TABLES = ("_member_names_", "_member_map_", "_value2member_map_", "_unhashable_values_", "_unhashable_values_map_")
# Long enough that no other thread runs while a patch is applied (it takes milliseconds).
_APPLY_SWITCH_INTERVAL = 100.0


class UserCodeFailed(Exception):
    """The program's code raised while a patch was applied (re-run statement, default,
    decorator); its exception is the __cause__. Everything was rolled back."""


class CannotApply(Exception):
    """A step found the live program other than planned. Everything was rolled back."""

    def __init__(self, error):
        super().__init__(error.reason.code)
        self.error = error


def apply(plan, unit, index, flags, namespace):
    """Apply `plan` (planner.py) to the module of `unit`, whose new version compiled to `index`
    (codeindex.py) with the __future__ `flags`; namespace: the module's globals. Returns the
    transaction: .live (key -> LiveDefinition for the new version, see Unit.commit), .rollback()."""
    return _Transaction(unit, index, flags, namespace, plan.renumbered).run(plan)


class _Transaction:
    def __init__(self, unit, index, flags, namespace, renumbered):
        self.file = unit.file
        self.text = unit.source  # the text the running code was compiled from
        self.index = index
        self.flags = flags
        self.namespace = namespace
        self.live = _live_definitions(unit, index, renumbered)
        self.undo = []  # callables putting back what a step changed, in the order it changed it
        self.fresh = set()  # ids of code compiled for this patch's re-run statements
        self.positions = None  # codeindex.by_position(index), once a statement is compiled
        self.snapshot = {}  # the module's globals before the patch
        self.fields = {}  # owner -> what field statements of a slots dataclass bound (RunStatement.into_fields)

    def run(self, plan):
        self.snapshot = dict(self.namespace)
        interval = sys.getswitchinterval()
        sys.setswitchinterval(_APPLY_SWITCH_INTERVAL)
        try:
            try:
                for swap in plan.swaps:
                    self._swap(self.live[swap.key], swap.definition.code)
                for key in plan.new_keys:
                    self._advance(self.live[key], self.index[key].code, stale=False)
                for step in plan.steps:
                    _STEPS[type(step)](self, step)
                self._verify(plan)
            except BaseException:
                self.rollback()
                raise
        finally:
            sys.setswitchinterval(interval)
        return self

    def rollback(self):
        """Put back everything this transaction changed (also after it succeeded: a twin module's
        patch failed)."""
        for back in reversed(self.undo):
            back()
        _restore(self.namespace, self.snapshot)

    # ---- code ------------------------------------------------------------------------------------

    def _advance(self, definition, code, stale):
        """Make `code` the definition's newest version (functions created from now on get it)."""
        previous_code, previous_stale = definition.code, set(definition.stale)
        if stale:
            definition.stale.update(i for i in list(definition.versions) if i != id(code))
        definition.code = code

        def back():
            definition.code = previous_code
            definition.stale.clear()
            definition.stale.update(previous_stale)

        self.undo.append(back)

    def _swap(self, definition, code):
        self._advance(definition, code, stale=True)
        versions = definition.versions
        for code_id in definition.stale:  # a frame running one shows its own text (old_text.py)
            old = versions[code_id]() if code_id in versions else None
            if old is not None:
                old_text.keep(old, self.text)
        doc = _docstring(code)
        for function in list(definition.functions):
            old = function.__code__
            if old is code or id(old) not in versions or old.co_freevars != code.co_freevars:
                continue  # (other closure variables: planned to keep their code)
            old_doc = function.__doc__
            function.__code__ = code
            if old_doc == _docstring(old) and doc != old_doc:
                function.__doc__ = doc
            self.undo.append(lambda f=function, c=old, d=old_doc: (setattr(f, "__code__", c), setattr(f, "__doc__", d)))

    def _verify(self, plan):
        for swap in plan.swaps:
            definition = self.live[swap.key]
            code = swap.definition.code
            for function in list(definition.functions):
                running = function.__code__
                same_layout = running.co_freevars == code.co_freevars
                if id(running) in definition.versions and running is not code and id(running) not in self.fresh and same_layout:
                    raise CannotApply(Error("internal", reasons.NOT_SWAPPED, {"qualname": swap.key[0]}))

    def _compile(self, node, mode):
        """Compile a piece of the new version; its functions belong to their definitions."""
        code = compile(node, self.file, mode, self.flags, True)
        if self.positions is None:
            self.positions = codeindex.by_position(self.index)
        inner = list(codeindex.nested(code))
        for const, place in zip(inner, codeindex.positions(inner)):
            key = self.positions.get(place)
            if key is not None:
                self.live[key].map_code(const)
                self.fresh.add(id(const))
        return code

    # ---- the program's namespaces ----------------------------------------------------------------

    def _owner(self, owner):
        target = self.namespace[owner[0]]
        for part in owner[1:]:
            target = target.__dict__[part]
        return target

    def _bind(self, owner, name, value):
        if not owner:
            self.namespace[name] = value  # the namespace snapshot undoes this
            return
        cls = self._owner(owner)
        previous = cls.__dict__.get(name, _MISSING)
        if machinery.held(cls, name) is not None:  # (the planner refuses what would come here)
            held = "%s.%s is held by its class's machinery" % (cls.__qualname__, name)
            raise CannotApply(Error("internal", reasons.INTERNAL, {"error": held}))
        setattr(cls, name, value)
        self.undo.append(lambda: _set_or_delete(cls, name, previous))
        set_name = getattr(type(value), "__set_name__", None)
        if previous is _MISSING and set_name is not None:
            set_name(value, cls, name)

    def _abstract_again(self, owner):
        """An ABC's set of abstract methods is computed when it is created: compute it again
        after a method is added or removed, as abc.update_abstractmethods does for decorators."""
        pending = [self._owner(owner)]
        while pending:  # its subclasses inherit them: theirs are computed again after it
            cls = pending.pop(0)
            if isinstance(cls, abc.ABCMeta):
                previous = cls.__abstractmethods__
                abc.update_abstractmethods(cls)
                self.undo.append(lambda c=cls, p=previous: setattr(c, "__abstractmethods__", p))
                pending.extend(cls.__subclasses__())

    def _evaluate(self, expression, owner):
        """Evaluate an expression of the new source in the scope of `owner` (module or class)."""
        code = self._compile(ast.fix_missing_locations(ast.Expression(body=expression)), "eval")
        local = dict(self._owner(owner).__dict__) if owner else None
        return _user_code(lambda: eval(code, self.namespace, local))

    def _signature_parts(self, node, owner):
        """(defaults, kwdefaults, annotations, decorators) of a def, evaluated like `def` does."""
        args = node.args
        kw_names = [a.arg for a, d in zip(args.kwonlyargs, args.kw_defaults) if d is not None]
        kw_values: "list[ast.expr]" = [d for d in args.kw_defaults if d is not None]
        every = args.posonlyargs + args.args + args.kwonlyargs + [args.vararg, args.kwarg]
        annotated = [a for a in every if a and a.annotation]
        ann_names = [a.arg for a in annotated]
        ann_values: "list[ast.expr]" = [a.annotation for a in annotated if a.annotation]
        if node.returns is not None:
            ann_names.append("return")
            ann_values.append(node.returns)
        if self.flags & __future__.annotations.compiler_flag:
            ann_values = [ast.Constant(value=ast.unparse(v)) for v in ann_values]
        user_decorators = node.decorator_list[:-1]  # the last one is hotframe's own tracker
        parts: "list[ast.expr]" = [
            ast.Tuple(elts=list(args.defaults), ctx=ast.Load()),
            ast.Dict(keys=[ast.Constant(value=n) for n in kw_names], values=kw_values),
            ast.Dict(keys=[ast.Constant(value=n) for n in ann_names], values=ann_values),
            ast.List(elts=list(user_decorators), ctx=ast.Load()),
        ]
        expression = ast.Tuple(elts=parts, ctx=ast.Load())
        _locate_missing(expression, node)
        defaults, kwdefaults, annotations, decorators = self._evaluate(expression, owner)
        return defaults or None, kwdefaults or None, annotations, decorators

    # ---- the steps -------------------------------------------------------------------------------

    def run_statement(self, step):
        node = step.entry.node
        code = self._compile(ast.Module(body=[node], type_ignores=[]), "exec")
        lazy = _LAZY_ANNOTATIONS and isinstance(node, ast.AnnAssign) and not self.flags & __future__.annotations.compiler_flag
        scope = self._owner(step.owner).__dict__ if step.owner else self.namespace
        kept = {name: scope.get(name, _MISSING) for name in _ANNOTATE_NAMES} if lazy else {}
        if not step.owner:
            _user_code(lambda: exec(code, self.namespace))
            for name, value in kept.items():  # (the statement's own __annotate__ knows only its annotation)
                _set_or_delete_key(self.namespace, name, value)
        else:
            cls = self._owner(step.owner)
            local = dict(cls.__dict__)
            annotations = cls.__dict__.get("__annotations__")
            if isinstance(annotations, dict):  # (an annotated statement adds to the class's own dict)
                self.undo.append(lambda a=annotations, before=dict(annotations): (a.clear(), a.update(before)))
            _user_code(lambda: exec(code, self.namespace, local))
            made = {name: value for name, value in local.items() if cls.__dict__.get(name, _MISSING) is not value}
            made = {name: value for name, value in made.items() if name not in kept}
            if step.into_fields:
                self.fields.setdefault(step.owner, {}).update(made)
            else:
                for name, value in made.items():
                    self._bind(step.owner, name, value)
        if lazy and isinstance(node.target, ast.Name):
            self._annotate(node.target.id, node, step.owner)

    def add_enum_member(self, step):
        """The statement runs in a namespace built from the Enum's dict; its value becomes a
        member through enum's own _proto_member, as in a class body (an alias where another
        member has the value; a descriptor stays a plain attribute; auto() is given its value by
        the class's _generate_next_value_)."""
        cls, name = self._owner(step.owner), step.name
        code = self._compile(ast.Module(body=[step.entry.node], type_ignores=[]), "exec")
        local = dict(cls.__dict__)
        _user_code(lambda: exec(code, self.namespace, local))
        value = local[name]
        if enum._is_descriptor(value):  # pyright: ignore[reportAttributeAccessIssue]
            return self._bind(step.owner, name, value)
        if isinstance(value, enum.auto):
            values = [member._value_ for member in cls._member_map_.values()]
            value = cls._generate_next_value_(name, 1, len(cls._member_names_), values)
        self._save_enum_tables(cls)
        self.undo.append(lambda: type.__delattr__(cls, name) if name in cls.__dict__ else None)
        removed = machinery.REMOVED_MEMBERS.get(cls, {})
        if name in removed and removed[name][0]._value_ == value and value not in cls._value2member_map_:
            return self._member_back(cls, name, removed)
        member = enum._proto_member(value)  # pyright: ignore[reportAttributeAccessIssue]
        type.__setattr__(cls, name, member)
        _user_code(lambda: member.__set_name__(cls, name))

    def _member_back(self, cls, name, removed):
        """A member a patch removed, saved back with its value: the same object is the member
        again (what the program holds is it), at the place it had."""
        member, position = removed.pop(name)
        self.undo.append(lambda: removed.__setitem__(name, (member, position)))
        type.__setattr__(cls, name, member)
        cls._member_map_[name] = member
        if position is not None:
            cls._member_names_.insert(position, name)
            cls._value2member_map_[member._value_] = member

    def remove_enum_member(self, step):
        """The member leaves the tables the Enum finds members in and its dict (type's own
        __delattr__: the Enum's refuses); the object stays valid for what holds it."""
        cls, name = self._owner(step.owner), step.name
        member = cls._member_map_[name]
        self._save_enum_tables(cls)
        del cls._member_map_[name]
        position = None  # (an alias of another member: only its name goes)
        if member._name_ == name:
            position = cls._member_names_.index(name)
            del cls._member_names_[position]
            if cls._value2member_map_.get(member._value_) is member:
                del cls._value2member_map_[member._value_]
        previous = cls.__dict__.get(name, _MISSING)
        if previous is not _MISSING:
            type.__delattr__(cls, name)
            self.undo.append(lambda: type.__setattr__(cls, name, previous))
        removed = machinery.REMOVED_MEMBERS.setdefault(cls, {})
        removed[name] = (member, position)
        self.undo.append(lambda: removed.pop(name, None))

    def set_enum_value(self, step):
        """The member keeps its identity and takes the new value: `Color(new)` finds it, the old
        value finds no member (machinery.changed_member checked that no alias is involved)."""
        cls = self._owner(step.owner)
        member = cls._member_map_[step.name]
        self._save_enum_tables(cls)
        old = member._value_
        self.undo.append(lambda: setattr(member, "_value_", old))
        by_value = cls._value2member_map_
        if by_value.get(old) is member:
            del by_value[old]
        member._value_ = step.value
        by_value[step.value] = member

    def set_tuple_default(self, step):
        """Tuples made from now on get the new default; those made before keep their values."""
        cls = self._owner(step.owner)
        value = self._evaluate(step.entry.node.value, step.owner)
        new, defaults = cls.__new__, dict(cls._field_defaults)
        before = (new.__defaults__, cls.__dict__.get("_field_defaults", _MISSING))
        self.undo.append(lambda: (setattr(new, "__defaults__", before[0]), _set_or_delete(cls, "_field_defaults", before[1])))
        defaults[step.name] = value
        new.__defaults__ = tuple(defaults[name] for name in cls._fields if name in defaults)
        type.__setattr__(cls, "_field_defaults", defaults)

    def _save_enum_tables(self, cls):
        """Undo puts back the tables an Enum records its members in."""
        own = cls.__dict__
        saved = {n: own[n].copy() for n in _ENUM_TABLES if n in own}

        def back():
            for table, contents in saved.items():
                own[table].clear()
                if isinstance(contents, list):
                    own[table].extend(contents)
                else:
                    own[table].update(contents)

        self.undo.append(back)

    def regenerate_dataclass(self, step):
        """dataclasses.dataclass() again on the live class, from its fields as they are now: the
        statements of `step.names` ran, the fields `step.removed` go (default and annotation);
        every other field keeps its dataclasses.Field (the first run replaced it by its default,
        or deleted it for a default_factory). The methods the first run generated are removed
        first (dataclass() keeps those a class defines)."""
        cls = self._owner(step.owner)
        if step.options.get("slots"):
            return self._regenerate_slotted(cls, step)
        own = cls.__dict__
        annotations = _class_annotations(cls) or {}
        touched = set(machinery.GENERATED) | set(annotations) | {"__dataclass_fields__", "__dataclass_params__"}
        before = {name: own.get(name, _MISSING) for name in touched}
        self.undo.append(lambda: [_set_or_delete(cls, name, value) for name, value in before.items()])
        if isinstance(annotations, dict):  # (fields removed from it, its order)
            self.undo.append(lambda a=annotations, b=dict(annotations): (a.clear(), a.update(b)))
        generated = self._generated_doc(cls)
        for name in machinery.GENERATED:
            value = own.get(name, _MISSING)
            if name == "__doc__":
                if value == generated:
                    cls.__doc__ = None  # dataclass() writes the signature where no docstring was
            elif value is not _MISSING and not self._program_defined(value):
                delattr(cls, name)
        for name in step.removed:  # (the undo above puts its default and annotation back)
            if isinstance(annotations, dict):
                annotations.pop(name, None)
            if name in own:
                delattr(cls, name)
        if isinstance(annotations, dict):  # fields come in the order of the annotations: the source's
            ordered = sorted(annotations.items(), key=lambda item: _position(step.order, item[0]))
            annotations.clear()
            annotations.update(ordered)
        for field in dataclasses.fields(cls):  # (not the ClassVar and InitVar pseudo-fields)
            if field.name in annotations and field.name not in step.names:
                setattr(cls, field.name, field)
        _user_code(lambda: dataclasses.dataclass(cls, **step.options))

    def _regenerate_slotted(self, cls, step):
        """A dataclass with slots=True whose fields stay the same ones (the planner checked): its
        methods are generated on a scratch class of the same bases, fields and options, which
        nothing else sees, and moved onto the live class; nothing is set over a slot. Its
        __setattr__ / __delattr__ (frozen: they name the class they were made for) and docstring
        stay: they depend on the fields' names only."""
        own = cls.__dict__
        annotations = _class_annotations(cls)
        assert annotations is not None  # (a dataclass with fields)
        ordered = dict(sorted(annotations.items(), key=lambda item: _position(step.order, item[0])))
        body = {"__module__": cls.__module__, "__qualname__": cls.__qualname__, "__annotations__": ordered}
        body.update((f.name, f) for f in own["__dataclass_fields__"].values() if f.name in ordered)
        body.update(self.fields.get(step.owner, {}))
        options = {k: v for k, v in step.options.items() if k not in ("slots", "weakref_slot")}
        made = _user_code(lambda: dataclasses.dataclass(type(cls.__name__, cls.__bases__, body), **options))
        moved = [n for n in machinery.GENERATED if n not in ("__setattr__", "__delattr__", "__doc__")]
        moved = [n for n in moved if n in made.__dict__ and not self._program_defined(own.get(n))]
        for name in moved + ["__dataclass_fields__"]:
            previous = own.get(name, _MISSING)
            setattr(cls, name, made.__dict__[name])
            self.undo.append(lambda n=name, p=previous: _set_or_delete(cls, n, p))
        self.undo.append(lambda before=dict(annotations): (annotations.clear(), annotations.update(before)))
        annotations.clear()
        annotations.update(ordered)

    @staticmethod
    def _generated_doc(made):
        try:
            return made.__name__ + str(inspect.signature(made)).replace(" -> None", "")
        except (TypeError, ValueError):
            return None

    @staticmethod
    def _program_defined(value):
        """A method the class's source defines (not one dataclass() generated)."""
        code = getattr(value, "__code__", None)
        return code is not None and live_definitions.of_code(code) is not None

    def annotate(self, step):
        node = step.entry.node
        target = node.target if isinstance(node, ast.AnnAssign) else node.targets[0]
        assert isinstance(target, ast.Name)  # planner._annotation_only: a plain name
        self._annotate(target.id, node, step.owner)

    def _annotate(self, name, node, owner):
        """Set (or, for a plain assignment, remove) the annotation of `name` as the statement
        `node` gives it, in the module's or class's annotations."""
        annotations = self._annotations(owner)
        if not isinstance(annotations, dict):
            return
        previous = annotations.get(name, _MISSING)
        if isinstance(node, ast.AnnAssign):
            if self.flags & __future__.annotations.compiler_flag:
                annotations[name] = ast.unparse(node.annotation)
            else:
                annotations[name] = self._evaluate(node.annotation, owner)
        else:
            annotations.pop(name, None)
        self.undo.append(lambda: _set_or_delete_key(annotations, name, previous))

    def _annotations(self, owner):
        """The annotations dict of the module or class `owner` (made as a fresh run makes it);
        on 3.14 (PEP 649) the one `__annotations__` made from `__annotate__` and keeps."""
        if owner:
            return _class_annotations(self._owner(owner))
        annotations = self.namespace.get("__annotations__")
        if annotations is None:
            module = sys.modules.get(self.namespace.get("__name__", ""))
            if _LAZY_ANNOTATIONS and module is not None and module.__dict__ is self.namespace:
                annotations = module.__annotations__  # made from __annotate__ and kept in the dict
            else:
                annotations = self.namespace["__annotations__"] = {}  # as a fresh run makes it
        return annotations

    def add_definition(self, step):
        if step.entry.kind == "class":
            self._add_class(step)
        else:
            self._add_function(step)

    def _add_function(self, step):
        entry, owner = step.entry, step.owner
        definition = self.index[step.key]
        code = definition.code
        defaults, kwdefaults, annotations, decorators = self._signature_parts(entry.node, owner)
        closure = None
        if code.co_freevars:
            # Only a method using super() has a free variable at module or class level.
            closure = tuple(types.CellType(self._owner(owner)) for _ in code.co_freevars)
        function = types.FunctionType(code, self.namespace, code.co_name, defaults, closure)
        function.__kwdefaults__ = kwdefaults
        function.__qualname__ = definition.qualname
        _set_annotations(function, annotations)
        self.live[step.key].functions.add(function)
        value = function
        for decorator in reversed(decorators):
            value = _user_code(lambda d=decorator, v=value: d(v))
        self._bind(owner, entry.name, value)
        if owner:
            self._abstract_again(owner)

    def _add_class(self, step):
        entry, node = step.entry, step.entry.node
        expression = ast.Tuple(
            elts=[
                ast.List(elts=list(node.bases), ctx=ast.Load()),
                ast.Dict(
                    keys=[ast.Constant(value=k.arg) if k.arg else None for k in node.keywords],
                    values=[k.value for k in node.keywords],
                ),
                ast.List(elts=list(node.decorator_list), ctx=ast.Load()),
            ],
            ctx=ast.Load(),
        )
        _locate_missing(expression, node)
        bases, keywords, decorators = self._evaluate(expression, step.owner)
        body = types.FunctionType(self.index[step.key].code, self.namespace, entry.name)
        value = _user_code(lambda: builtins.__build_class__(body, entry.name, *bases, **keywords))
        for decorator in reversed(decorators):
            value = _user_code(lambda d=decorator, v=value: d(v))
        self._bind(step.owner, entry.name, value)

    def set_defaults(self, step):
        defaults, kwdefaults, annotations, _decorators = self._signature_parts(step.entry.node, step.owner)
        for function in list(self.live[step.key].functions):
            previous = (function.__defaults__, function.__kwdefaults__, function.__annotations__)
            self.undo.append(lambda f=function, p=previous: _set_signature(f, *p))
            _set_signature(function, defaults, kwdefaults, dict(annotations))

    def set_abstract(self, step):
        for function in list(self.live[step.key].functions):
            previous = function.__dict__.get("__isabstractmethod__", _MISSING)
            if step.abstract:
                function.__isabstractmethod__ = True  # what abc.abstractmethod does
            else:
                function.__dict__.pop("__isabstractmethod__", None)
            self.undo.append(lambda f=function, p=previous: _set_or_delete_key(f.__dict__, "__isabstractmethod__", p))
        self._abstract_again(step.owner)

    def remove(self, step):
        if not step.owner:
            self.namespace.pop(step.name, None)  # the namespace snapshot undoes this
            return
        cls, name = self._owner(step.owner), step.name
        if name in cls.__dict__:
            previous = cls.__dict__[name]
            delattr(cls, name)
            self.undo.append(lambda: setattr(cls, name, previous))
            self._abstract_again(step.owner)

    def rebind_copies(self, step):
        for copy in step.copies:
            importer = copy.unit.namespace
            previous = importer.get(copy.alias, _MISSING)
            _set_or_delete_key(importer, copy.alias, self.namespace.get(copy.name, _MISSING))
            self.undo.append(lambda n=importer, a=copy.alias, p=previous: _set_or_delete_key(n, a, p))

    def clear_cache(self, step):
        # (nothing to undo: a cache may always be empty)
        if step.cls is None:
            step.wrapper.cache_clear()
            return
        name = step.wrapper.attrname
        for obj in gc.get_objects():  # a heap scan, only when a cached_property's code changed
            if isinstance(obj, step.cls):
                getattr(obj, "__dict__", {}).pop(name, None)

    def rebuild_method(self, step):
        cls, name, code = self._owner(step.owner), step.name, step.definition.code
        definition = self.live[step.key]
        raw = cls.__dict__.get(name)
        # The function the class holds (bound methods taken earlier may hold others of the definition).
        held = (raw, raw.__func__ if isinstance(raw, (staticmethod, classmethod)) else None)
        if isinstance(raw, property):
            held += (raw.fget, raw.fset, raw.fdel)
        old = next((f for f in definition.functions if any(f is h for h in held)), None)
        if old is None:
            raise CannotApply(Error("refused", reasons.CANNOT_REBIND, {"qualname": step.key[0]}))
        self._advance(definition, code, stale=False)  # other free variables: no upgrade
        closure = tuple(types.CellType(cls) for _ in code.co_freevars)
        function = types.FunctionType(code, old.__globals__, old.__name__, old.__defaults__, closure)
        function.__kwdefaults__ = old.__kwdefaults__
        function.__qualname__ = old.__qualname__
        function.__dict__.update(old.__dict__)
        function.__annotations__ = old.__annotations__
        definition.functions.add(function)
        if raw is old:
            value = function
        elif isinstance(raw, (staticmethod, classmethod)):
            value = type(raw)(function)
        else:  # a property holding `old`
            fget = function if raw.fget is old else raw.fget
            fset = function if raw.fset is old else raw.fset
            fdel = function if raw.fdel is old else raw.fdel
            value = property(fget, fset, fdel, raw.__doc__)
        self._bind(step.owner, name, value)


_STEPS = {
    RunStatement: _Transaction.run_statement,
    AddEnumMember: _Transaction.add_enum_member,
    SetEnumValue: _Transaction.set_enum_value,
    RemoveEnumMember: _Transaction.remove_enum_member,
    SetTupleDefault: _Transaction.set_tuple_default,
    Annotate: _Transaction.annotate,
    AddDefinition: _Transaction.add_definition,
    SetDefaults: _Transaction.set_defaults,
    SetAbstract: _Transaction.set_abstract,
    RebuildMethod: _Transaction.rebuild_method,
    Remove: _Transaction.remove,
    RebindCopies: _Transaction.rebind_copies,
    ClearCache: _Transaction.clear_cache,
    RegenerateDataclass: _Transaction.regenerate_dataclass,
}


def _live_definitions(unit, index, renumbered):
    """key -> LiveDefinition for the new version; new codes are mapped so functions created while
    the patch applies (and after) are tracked. A definition whose code the edit did not touch
    (the same code object under the same key) is the running one, looked up when asked for."""
    live = _Live(unit.definitions)
    running = unit.index
    for key in index if renumbered else codeindex.fresh_keys(index):
        definition = index[key]
        old_key = renumbered.get(key, key)
        if old_key == key and running.get(key) is definition:
            continue
        found = unit.definitions.get(old_key) if old_key is not None else None
        if found is None:
            found = live_definitions.LiveDefinition(key, definition.code)
        else:
            found.map_code(definition.code)
        live[key] = found
    return live


class _Live(dict):
    """The LiveDefinitions a patch changes; any other key of the new version is the running one."""

    def __init__(self, running):
        super().__init__()
        self.running = running

    def __missing__(self, key):
        return self.running[key]


def _position(order, name):
    return order.index(name) if name in order else len(order)


def _user_code(run):
    """Run the program's code; what it raises becomes a UserCodeFailed (rollback + report)."""
    try:
        return run()
    except BaseException as exc:  # sys.exit() in re-run code is reported, not obeyed
        raise UserCodeFailed() from exc


def _docstring(code):
    # The interpreter's own rule for which constant is the docstring differs across versions.
    cells = tuple(types.CellType() for _ in code.co_freevars)
    return types.FunctionType(code, {}, None, None, cells).__doc__


def _set_signature(function, defaults, kwdefaults, annotations):
    function.__defaults__ = defaults
    function.__kwdefaults__ = kwdefaults
    _set_annotations(function, annotations)


def _set_annotations(function, annotations):
    function.__annotations__ = annotations
    if sys.version_info >= (3, 14):  # PEP 649: singledispatch and annotationlib call __annotate__
        function.__annotate__ = EvaluatedAnnotations(annotations)  # pyright: ignore[reportAttributeAccessIssue]


class EvaluatedAnnotations:
    """A function's `__annotate__` for annotations already evaluated (format VALUE only)."""

    __slots__ = ("annotations",)

    def __init__(self, annotations):
        self.annotations = annotations

    def __call__(self, format, /):
        if format > 2:  # VALUE (1) and VALUE_WITH_FAKE_GLOBALS (2)
            raise NotImplementedError
        return dict(self.annotations)


def _class_annotations(cls):
    """The class's own annotations (its fields', for a dataclass): its dict's `__annotations__`,
    or on 3.14 the dict `cls.__annotations__` makes from `__annotate__` and keeps (None: none)."""
    own = cls.__dict__.get("__annotations__")
    if own is None and _LAZY_ANNOTATIONS:
        return cls.__annotations__
    return own


def _set_or_delete_key(mapping, key, value):
    if value is _MISSING:
        mapping.pop(key, None)
    else:
        mapping[key] = value


def _set_or_delete(cls, name, value):
    if value is _MISSING:
        if name in cls.__dict__:
            delattr(cls, name)
    else:
        setattr(cls, name, value)


def _restore(namespace, snapshot):
    """Put the module's globals back without ever emptying them (a live thread may be reading)."""
    for name in [n for n in namespace if n not in snapshot]:
        del namespace[name]
    for name, value in snapshot.items():
        if namespace.get(name, _MISSING) is not value:
            namespace[name] = value


def _locate_missing(tree, origin):
    for child in ast.walk(tree):
        if "lineno" in child._attributes and not hasattr(child, "lineno"):
            ast.copy_location(child, origin)
