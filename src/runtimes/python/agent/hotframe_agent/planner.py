"""Deciding what a new version of a file changes in the running program, touching nothing live.

Compare the statement outlines (shape.py) of the module and of its classes, and every code
object by key (codeindex.py); decide what is refused (reasons.py) and in which order the rest is
applied. The result is a plan.Plan.
"""

import __future__
import abc
import ast
import dataclasses
import dis
import functools
import gc
import types

from . import children, codeindex, copies, dependencies, machinery, protocol, reasons, recompile, shape, units
from .plan import (
    AddDefinition,
    AddEnumMember,
    Annotate,
    ClearCache,
    Error,
    Outcome,
    Plan,
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
    SwapCode,
)

_NAME_READS = {
    "LOAD_NAME",
    "LOAD_GLOBAL",
    "LOAD_ATTR",
    "LOAD_METHOD",
    "LOAD_SUPER_ATTR",
    "LOAD_FROM_DICT_OR_GLOBALS",
}
_STATEMENT_NAME_LENGTH = 60
_MISSING = object()
_SUSPENDABLE = 0x20 | 0x80 | 0x200  # CO_GENERATOR, CO_COROUTINE, CO_ASYNC_GENERATOR (inspect's)


def plan(unit, source, parsed, index, running):
    """The Plan that takes `unit` (as the program runs it) to the new version: `source`, its
    `parsed` (incremental.Parsed of unit.outline) and `index` (codeindex.py). running: frames.Running."""
    return _Planner(unit, source, index, running, parsed.outline, parsed.region).build(parsed.outline)


def statement_name(entry, source, outline):
    """What binds, names joined by ", "; otherwise the statement's first line, white space
    folded, cut to 60 characters (docs/protocol.md). outline: the version's, `entry` among it."""
    names = shape.bound_names(entry.node)
    if names:
        return ", ".join(names)
    return _cut(ast.get_source_segment(source, outline.positioned(entry)) or "")


def _old_text(entry, source, outline):
    """A running statement's text as written, if its node has the positions of `source` once
    positioned in its `outline` (kept statements of older versions may not): else as
    ast.unparse() writes it."""
    try:
        segment = ast.get_source_segment(source, outline.positioned(entry)) or ""
        if shape.entry_for(ast.parse(segment).body[0]).raw == entry.raw:
            return segment
    except (SyntaxError, IndexError):
        pass
    return ast.unparse(entry.node)


def _cut(text):
    first = " ".join(text.splitlines()[0].split()) if text.strip() else "statement"
    if len(first) > _STATEMENT_NAME_LENGTH:
        return first[: _STATEMENT_NAME_LENGTH - 1] + "…"
    return first


class _Planner:
    def __init__(self, unit, source, index, running, outline, region):
        self.unit = unit
        self.region = region  # where the module's outline differs from the running one (None: anywhere)
        self.source = source
        self.index = index
        self.running = running
        self.plan = Plan()
        self.reported = set()  # qualnames already in outcomes
        self.reported_at = set()  # (qualname, line) already in outcomes: namesakes are told apart
        self.namesakes = set()  # qualnames of several defs in one body
        self.skipped = set()  # qualnames (and everything inside them) the code diff leaves alone
        self.new_defaults = {}  # key -> its SetDefaults step (its code is swapped too)
        self.removals = []  # (old outline entry, owner, qualname): decided by _plan_removals
        self.changes = []  # _Change: each rebinding of names this edit makes
        self.followers = []  # _Follower: each unchanged statement or def that runs again after one
        self.refused_lines = []  # (first, last) line of each refused statement (new version)
        # (owner, name) -> (statement, line): names a refused statement of this edit was to bind
        # that the program does not have (`z: int = 0` in a NamedTuple, a slot `__slots__` adds)
        self.refused_binds = {}
        self.dropped = set()  # running keys whose removal was refused, namesakes of kept definitions
        self.skipped_keys = set()  # keys (and what is inside them) the code diff leaves alone
        self.future = _future_annotations(outline)
        self.outline = outline
        self.dataclasses = {}  # owner -> the dataclass() options of a class whose fields change
        self.removed_fields = {}  # owner -> names of the dataclass fields the new version removes
        self.held_classes = {}  # owner -> machinery.Holders of a class that only a new class could change
        self.lost_methods = []  # owners of dataclasses losing a method of their own that dataclass() makes

    def build(self, outline):
        plan = self.plan
        rebound = self._diff_outline(self.unit.outline, outline, (), {})
        self._block_needing_refused()
        self._settle()
        self._diff_code()
        self._plan_removals()
        self._plan_dataclasses()
        self._plan_copies(rebound)
        self._mark_running()
        self._mark_suspended()
        plan.new_keys = [key for key in codeindex.fresh_keys(self.index) if key not in self.unit.index]
        if plan.swaps or plan.steps:
            forked = children.running_old()
            if forked:
                plan.warnings.append((reasons.FORKED, {"count": len(forked), "pids": ", ".join(map(str, forked))}))
        if plan.refused and not plan.swaps and all(o.status == protocol.REFUSED for o in plan.outcomes):
            # Nothing changes: the running version stays the one the next edit is compared with.
            plan.rejection = Error("refused", reasons.NOTHING_APPLIED)
        return plan

    def _report(self, kind, name, qualname, status, line, reason=None, facts=None):
        outcome = Outcome(kind, name, qualname, status, line, reason, facts)
        self.plan.outcomes.append(outcome)
        self.reported.add(qualname)
        self.reported_at.add((qualname, line))
        return outcome

    def _refuse(self, kind, name, qualname, line, reason, facts=None):
        self._report(kind, name, qualname, protocol.REFUSED, line, reason, facts)

    # ---- the outlines: statements, new and removed definitions, headers, defaults ----------------

    def _diff_outline(self, old_entries, new_entries, owner, rebound):
        """Module level (owner ()) or a class body (owner: the class path). rebound: name -> the
        _Changes of this edit that rebind it, as seen at this point of the source."""
        prefix = "".join(part + "." for part in owner)
        rebound = dict(rebound)
        old_entries = self._running_entries(old_entries, owner)
        # Statements the edit did not touch, while nothing they could read is rebound, are their
        # own match and need nothing: those before the first one it touched and those after the
        # last are skipped (a patch costs what the edit touched), unless a refused edit left
        # running entries to compare.
        first, last = 0, len(new_entries)
        # At module level the outlines say where they differ and look entries up by key: no
        # walk over every statement of a big file.
        region = self.region
        if not owner and not self.unit.kept and region is not None:
            first, last = region.head, region.untouched
            find_old, old_named, new_named = self.unit.outline.find, self.unit.outline.named, new_entries.named
        else:
            if not self.unit.kept:
                first, last = _untouched(old_entries, new_entries)
                if rebound:
                    first = 0
            find_old = {e.match_key: e for e in old_entries[first:]}.get
            old_named, new_named = _by_name(old_entries), _by_name(new_entries)
        stop = len(new_entries)
        aligned = _Namesakes(old_named, new_named)
        matched = set()
        claimed = set()  # ids of running statements a new one already stands for
        for position in range(first, len(new_entries)):
            if position >= last and not rebound:
                stop = position
                break
            entry = new_entries[position]
            namesake, old = aligned.of(entry)
            if not namesake:
                old = find_old(entry.match_key)
            if old is not None:
                matched.add(id(old))
            if namesake:
                self.namesakes.add(prefix + entry.name)
                new_key, old_key = (prefix + entry.name, entry.occurrence), old and (prefix + old.name, old.occurrence)
                if old_key != new_key:
                    self.plan.renumbered[new_key] = old_key
            if old is entry and not rebound and entry.kind != "class":
                continue  # a statement the edit did not touch, that reads nothing it rebinds
            if entry.kind == "stmt":
                if old is None:
                    replaced = self._replaced_statements(entry, position, new_entries, old_entries, claimed)
                    self._plan_statement(entry, owner, new_entries[position + 1 :], find_old, replaced, rebound)
                else:
                    self._follow_statement(entry, old, owner, rebound)
                continue
            qualname = prefix + entry.name
            key = (qualname, entry.occurrence)
            kind = _kind(entry)
            if old is None:
                if namesake:
                    self.skipped_keys.add(key)  # its namesakes' code is still compared
                else:
                    self.skipped.add(qualname)
                outcome = self._report(kind, entry.name, qualname, protocol.ADDED, entry.line)
                step = AddDefinition(key, entry, owner)
                self.plan.steps.append(step)
                change = _Change(outcome, step, (owner, entry.match_key, []), qualname)
                self.changes.append(change)
                self._rebinds(rebound, self._analysed(entry, dependencies.of_header).reads, [entry.name], {change})
                made = machinery.held(self._live_class(owner), entry.name) if owner else None
                if made is not None:  # (a def over an Enum member, a slot, a tuple field: _settle refuses it)
                    change.blocked = (reasons.CLASS_MACHINERY, self._machinery_facts(owner, made))
            elif old.header != entry.header and not self._plan_abstract(old, entry, owner, key):
                self.skipped.add(qualname)
                reason = reasons.BASES_CHANGED if entry.kind == "class" else reasons.DECORATORS_CHANGED
                self._refuse(kind, entry.name, qualname, entry.line, reason)
                self.plan.kept.append(qualname)
                self._keep(owner, entry.match_key, [old])
            elif entry.kind == "class":
                self._follow_header(entry, rebound)
                inner = owner + (entry.name,)
                touched = old.node is not entry.node or any(o[: len(inner)] == inner for o, _k, _e in self.unit.kept)
                if touched and self._plan_remake(old, entry, owner, key, rebound):
                    continue
                if touched or (rebound and self._changes_read(self._facts(entry).reads, rebound)):
                    self._diff_outline(old.body, entry.body, inner, rebound)
                # (else: the same statement, unedited, nothing its body reads rebound: nothing to do)
            elif old.args != entry.args:
                step = SetDefaults(key, entry, owner)
                self.new_defaults[key] = step
                self.plan.steps.append(step)
            elif rebound:  # (nothing rebound: nothing to follow, and nothing to walk)
                self._follow_header(entry, rebound)
                reads = self._analysed(entry, dependencies.of_signature).reads
                changes = self._changes_read(reads, rebound)
                if changes:  # default values or annotations read a name this edit rebinds
                    step = SetDefaults(key, entry, owner)
                    self.new_defaults[key] = step
                    self.plan.steps.append(step)
                    self.followers.append(_Follower(None, step, changes, key))
        bound_again = None  # names the new version's statements bind: only when a def went
        touched = new_entries[first:stop]
        rebinding = {n for e in touched if e.kind == "stmt" and find_old(e.match_key) is None for n in shape.bound_names(e.node)}
        for old in old_entries[first : len(old_entries) - (len(new_entries) - stop)]:
            if old.kind == "stmt" and id(old) not in matched and id(old) not in claimed:
                if not rebinding.intersection(shape.bound_names(old.node)):  # else: changed, not removed
                    self._statement_removed(old, owner)
            if old.kind == "stmt" or id(old) in matched:
                continue
            qualname = prefix + old.name
            decorator = dependencies.decorator_effect(old.node)
            if decorator is not None:
                # Removing the name does not undo what the decorator did with it (a route, a handler).
                self._refuse(_kind(old), old.name, qualname, old.line, reasons.DECORATED_REMOVED, {"decorator": decorator})
                self.reported_at.discard((qualname, old.line))  # a line of the old version
                if new_named(old.name):  # (singledispatch `_`, overloads)
                    self._park(owner, old, qualname)
                    continue
                self._keep(owner, None, [old])
                self.plan.kept.append(qualname)
            elif new_named(old.name):
                continue  # the code diff reports it removed; the name stays bound to its namesake
            self.skipped.add(qualname)
            if bound_again is None:
                bound_again = {name for e in new_entries if e.kind == "stmt" for name in self._facts(e).binds}
            if decorator is None and old.name not in bound_again:  # `from utils import slugify` instead
                self.removals.append((old, owner, qualname))
        return rebound

    def _plan_remake(self, old, entry, owner, key, rebound):
        """A NamedTuple whose fields changed, a class whose `__slots__` (or slots dataclass's
        fields) changed: only a new class has them. At module level, while nothing of the program
        holds the live class (machinery.holders), the class statement runs again and its name
        (and the copies other modules hold) is bound to the new class, as a fresh run makes it;
        else its body's statements are refused for what made it, saying what holds it. True
        when planned."""
        inner = owner + (entry.name,)
        cls = self._live_class(inner)
        if not isinstance(cls, type):
            return False
        before = machinery.layout(cls, old.node)
        if before is None or before == machinery.layout(cls, entry.node):
            return False
        namespaces = [self.unit.namespace]
        if self.unit.module_name is not None:
            found = copies.of_module(self.unit.module_name, lambda name: True, {entry.name})
            for copy in found:  # (a loop: a comprehension would hold `cls` in a cell of this frame)
                if copy.unit.namespace.get(copy.alias) is cls:
                    namespaces.append(copy.unit.namespace)
        held = machinery.holders(cls, namespaces)
        if owner or held:
            self.held_classes[inner] = held
            return False
        qualname = ".".join(inner)
        outcome = self._report("class", entry.name, qualname, protocol.UPDATED, entry.line)
        step = AddDefinition(key, entry, owner)
        self.plan.steps.append(step)
        change = _Change(outcome, step, (owner, entry.match_key, [old]), qualname)
        self.changes.append(change)
        self._rebinds(rebound, self._analysed(entry, dependencies.of_header).reads, [entry.name], {change})
        return True

    def _plan_abstract(self, old, entry, owner, key):
        """A method of an ABC whose decorators changed only by `@abstractmethod` added or removed:
        it is marked (or unmarked) abstract, and its class's abstract methods computed again, as
        a class statement would. True if so planned."""
        if entry.kind != "def" or not owner or not isinstance(self._live_class(owner), abc.ABCMeta):
            return False
        before, after = _user_decorators(old.node), _user_decorators(entry.node)
        plain_before = [ast.dump(d) for d in before if not _is_abstractmethod(d)]
        plain_after = [ast.dump(d) for d in after if not _is_abstractmethod(d)]
        was, now = len(before) - len(plain_before), len(after) - len(plain_after)
        if plain_before != plain_after or {was, now} != {0, 1}:
            return False
        self.plan.steps.append(SetAbstract(key, owner, now == 1))
        self._report("function", entry.name, ".".join(owner + (entry.name,)), protocol.UPDATED, entry.line)
        return True

    # ---- what follows a rebound name ---------------------------------------------------------------

    def _facts(self, entry):
        return self._analysed(entry, dependencies.of_statement)

    def _analysed(self, entry, analysis):
        """analysis(entry.node, future annotations): kept in the entry, which versions share
        while the statement is unchanged, so an edit that rebinds a name analyses each
        statement after it once, not at every patch."""
        key = (analysis, self.future)
        found = entry.analyses.get(key)
        if found is None:
            found = entry.analyses[key] = analysis(entry.node, self.future)
        return found

    @staticmethod
    def _changes_read(reads, rebound):
        return set().union(*(rebound[name] for name in reads if name in rebound))

    @staticmethod
    def _rebinds(rebound, reads, binds, changes):
        for name in binds:
            rebound[name] = set(changes)

    def _follow_header(self, entry, rebound):
        """Decorators and bases ran once, when the def or class was created: a name they read
        that this edit rebinds cannot follow, so the change that rebinds it is not applied."""
        if not rebound:
            return
        reads = set(self._analysed(entry, dependencies.decorator_reads))
        if entry.kind == "class":
            reads |= self._analysed(entry, dependencies.of_header).reads
        changes = self._changes_read(reads, rebound)
        if changes:
            self._block(changes, reasons.FOLLOWER_ONCE, entry, sorted(n for n in reads if n in rebound), {})

    def _follow_statement(self, entry, old, owner, rebound):
        """An unchanged statement that reads a name this edit rebinds runs again, under the rules
        of a changed statement; if it cannot, the changes it reads are not applied."""
        if not rebound:
            return
        facts = self._facts(entry)
        changes = self._changes_read(facts.reads, rebound)
        if not changes:
            return
        names = sorted(n for n in facts.reads if n in rebound)
        if not owner and shape.is_main_guard(entry.node):
            if not self._running_statement(old):
                self.plan.warnings.append((reasons.MAIN_READ, {"names": _listed(names)}))
            return
        if not owner and self.running.module_lines:
            current = min(line for _thread, line in self.running.module_lines)
            if current <= old.end:
                return  # running it, or not reached yet: it reads the new values as it goes
        if facts.effect is not None:
            self._block(changes, reasons.FOLLOWER_CALLS, entry, names, {"call": facts.effect})
            return
        made = self._machinery(owner, entry.node, facts.binds)
        if made is not None:
            self._block(changes, reasons.FOLLOWER_MACHINERY, entry, names, self._machinery_facts(owner, made))
            return
        changed = self._changed_since(entry.node, owner)
        if changed:
            self._block(changes, reasons.FOLLOWER_CHANGED_SINCE, entry, names, {"changed": _listed(changed)})
            return
        outcome = self._report("statement", statement_name(entry, self.source, self.outline), _owner_name(owner), protocol.UPDATED, entry.line)
        step = RunStatement(entry, owner, self._into_fields(owner))
        self.plan.steps.append(step)
        self.followers.append(_Follower(outcome, step, changes, None))
        self._rebinds(rebound, facts.reads, facts.binds, changes)

    def _live_class(self, owner):
        scope = self.unit.namespace or {}
        found = None
        for part in owner:
            found = scope.get(part)
            scope = getattr(found, "__dict__", {})
        return found

    def _machinery(self, owner, node, binds, removed=False):
        """Why a class-level statement cannot run again, or be removed (None: it can). A field of
        a plain dataclass can: its generated methods are made again afterwards (_plan_dataclasses)."""
        if not owner:
            return None
        cls = self._live_class(owner)
        made = machinery.blocking(cls, node, binds)
        if made is machinery.DATACLASS:
            options, why = machinery.dataclass_options(cls, self._class_node(owner), None if removed else binds)
            subclasses = self._dataclass_subclasses(cls) if why is None else []
            if why is not None or subclasses is None:
                return why or machinery.DATACLASS_SUBCLASSED
            self.dataclasses[owner] = options
            self.dataclasses.update(subclasses)
            return None
        return made

    def _dataclass_subclasses(self, cls):
        """owner -> dataclass() options of each dataclass subclass of `cls` (and theirs), made
        again after it (their __init__ has its fields too); None if one is not a class of this
        file's outline or cannot be made again."""
        found = {}
        for sub in cls.__subclasses__():
            if not dataclasses.is_dataclass(sub):
                continue
            owner = self._owner_of(sub)
            options, why = machinery.dataclass_options(sub, self._class_node(owner), []) if owner else (None, True)
            inner = self._dataclass_subclasses(sub) if why is None else None
            if options is None or options.get("slots") or inner is None:
                return None
            found[owner] = options
            found.update(inner)
        return found

    def _owner_of(self, cls):
        """The path of class names of the live class `cls` in this file's new outline (None)."""
        pending: "list[tuple[tuple, list]]" = [((), self.outline)]
        while pending:
            owner, entries = pending.pop()
            for entry in entries:
                if entry.kind == "class":
                    path = owner + (entry.name,)
                    if self._live_class(path) is cls:
                        return path
                    pending.append((path, entry.body))
        return None

    def _into_fields(self, owner):
        """A statement of a dataclass with slots=True: its values are fields for the scratch class
        its methods are made on, never set on the class (over a slot)."""
        return bool(self.dataclasses.get(owner, {}).get("slots"))

    def _class_node(self, owner):
        entries = self.outline
        for part in owner:
            entry = next(e for e in entries if e.kind == "class" and e.name == part)
            entries = entry.body
        return self.outline.positioned(entry)

    def _plan_dataclasses(self):
        """After the field statements of a dataclass run (or a method it defines in place of one
        dataclass() makes, such as its own __repr__, is removed), its methods are generated
        again; the objects built before keep what the old __init__ gave them (counted, and said)."""
        fields, bare = {owner: [] for owner in list(self.removed_fields) + self.lost_methods}, {}
        for step in self.plan.steps:
            if isinstance(step, (RunStatement, Annotate)) and step.owner in self.dataclasses:
                fields.setdefault(step.owner, []).extend(self._facts(step.entry).binds)
                if _without_class_default(step.entry.node):  # old objects cannot fall back on one
                    bare.setdefault(step.owner, []).extend(self._facts(step.entry).binds)
        for owner in list(fields):  # (then its dataclass subclasses: their fields include its own)
            for sub in self._dataclass_subclasses(self._live_class(owner)) or ():
                fields.setdefault(sub, [])
        for owner, names in sorted(fields.items(), key=lambda item: self._class_node(item[0]).lineno):
            body = self._class_node(owner).body
            order = [n.target.id for n in body if isinstance(n, ast.AnnAssign) and isinstance(n.target, ast.Name)]
            removed = self.removed_fields.get(owner, [])
            self.plan.steps.append(RegenerateDataclass(owner, self.dataclasses[owner], names, order, removed))
            cls = self._live_class(owner)
            known = getattr(cls, "__dataclass_fields__", {})
            added = [n for n in bare.get(owner, ()) if n not in known]
            if added:
                self._warn_old_objects(cls, ".".join(owner), added)
            fields_now = {f.name for f in dataclasses.fields(cls)} if dataclasses.is_dataclass(cls) else ()  # (no ClassVar, InitVar)
            kept = [n for n in removed if n in fields_now]
            if kept:
                self._warn_old_objects(cls, ".".join(owner), kept, reasons.OLD_FIELDS)

    def _machinery_facts(self, owner, made):
        held = self.held_classes.get(owner)
        if held is not None and made in (machinery.NAMED_TUPLE, machinery.SLOTS, machinery.DATACLASS_SLOTS):
            made = machinery.held_class(made, held)
        return {"cls": ".".join(owner), "kind": made.kind, "why": made.why, "todo": made.todo}

    def _running_statement(self, old):
        return any(old.line <= line <= old.end for _thread, line in self.running.module_lines)

    def _block(self, changes, reason, entry, names, facts):
        facts = dict(facts, dependent=statement_name(entry, self.source, self.outline) if entry.kind == "stmt" else entry.name)
        facts.update(line=entry.line, names=_listed(names))
        for change in changes:
            if change.blocked is None:
                change.blocked = (reason, facts)

    def _changed_since(self, node, owner):
        """Names a plain assignment bound whose live value is no longer what its (running)
        version makes: the program changed them since (`OPS["x"] = …`, `global STATE`).
        Only for values that take no call with an effect to make again; [] when unknown."""
        if not isinstance(node, (ast.Assign, ast.AnnAssign)) or node.value is None or self._into_fields(owner):
            return []  # (a field of a slots dataclass: the class holds a slot, its default is in the Field)
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        if not all(isinstance(t, ast.Name) for t in targets) or dependencies.of_statement(node.value).effect:
            return []
        namespace = self.unit.namespace
        if namespace is None:
            return []
        scope = namespace
        try:
            for part in owner:
                scope = scope[part].__dict__
            live = [scope[t.id] for t in targets]  # type: ignore[union-attr]
            code = compile(ast.fix_missing_locations(ast.Expression(body=node.value)), self.unit.file, "eval")
            fresh = eval(code, namespace, dict(scope) if owner else None)
        except Exception:
            return []  # cannot tell: a name it read is gone, or the value cannot be made again
        return [t.id for t, value in zip(targets, live) if not _same(value, fresh)]  # type: ignore[union-attr]

    def _remade_class(self, running, owner):
        """Facts for CLASS_REMADE when the running statement (entry `running`) made a class by a call
        (`Pair = namedtuple(...)`, `Color = Enum("Color", ...)`) whose objects are alive: run
        again, it would make another class, and they (an Enum's members too) would not be
        instances of it. None when no such object lives (one heap scan, for such a statement)."""
        node = running.node
        if not isinstance(node, (ast.Assign, ast.AnnAssign)) or not isinstance(node.value, ast.Call):
            return None
        scope = getattr(self._live_class(owner), "__dict__", {}) if owner else self.unit.namespace or {}
        for name in self._facts(running).binds:
            made = scope.get(name)
            count = _count_instances(made) if isinstance(made, type) else 0
            if count:
                return {"name": name, "count": count}
        return None

    def _settle(self):
        """Changes a follower cannot follow are refused, with what follows only them."""
        blocked = [c for c in self.changes if c.blocked is not None]
        if not blocked:
            return
        dropped = set()
        for change in blocked:
            dropped.add(id(change))
            reason, facts = change.blocked
            outcome = change.outcome
            outcome.status, outcome.reason, outcome.facts = protocol.REFUSED, reason, facts
            self.plan.steps.remove(change.step)
            owner, saved_key, entries = change.keep
            self._keep(owner, saved_key, entries)
            if isinstance(change.step, (RunStatement, AddEnumMember, SetEnumValue, SetTupleDefault)):
                self._refused_lines(change.step.entry, change.step.owner)
            if change.qualname is not None:
                self.plan.kept.append(change.qualname)
        for follower in self.followers:
            if all(id(c) in dropped for c in follower.changes):
                self.plan.steps.remove(follower.step)
                if follower.outcome is not None:
                    self.plan.outcomes.remove(follower.outcome)
                if follower.key is not None:
                    del self.new_defaults[follower.key]

    def _running_entries(self, saved, owner):
        """The outline of what the program runs in `owner`: the saved outline, where a refused
        edit put back what it was to replace (plus definitions whose removal was refused)."""
        instead, extra = {}, []
        for o, saved_key, entries in self.unit.kept:
            if o == owner:
                if saved_key is None:
                    extra.extend(entries)
                else:
                    instead[saved_key] = entries
        if not instead:
            return saved + extra
        return [e for entry in saved for e in instead.get(entry.match_key, (entry,))] + extra

    def _keep(self, owner, saved_key, entries):
        """The saved entry `saved_key` (None: none, the definition was removed) was refused: the
        program keeps running `entries`, and the next edit is compared with them."""
        self.plan.kept_entries.append((owner, saved_key, [self._resolved(e, owner) for e in entries]))

    def _resolved(self, entry, owner):
        """A running class entry with its body as it runs (refusals inside it included)."""
        if entry.kind != "class":
            return entry
        inner = owner + (entry.name,)
        copy = shape.moved(entry, 0)
        copy.body = [self._resolved(e, inner) for e in self._running_entries(entry.body, inner)]
        return copy

    def _replaced_statements(self, entry, position, new_entries, old_entries, claimed):
        """The running statements a refused new one was to replace: those between the same
        unchanged neighbours that the new version no longer has and that bind the same names."""
        at = {e.match_key: i for i, e in enumerate(old_entries)}
        before = [at[e.match_key] for e in new_entries[:position] if e.match_key in at]
        after = [at[e.match_key] for e in new_entries[position + 1 :] if e.match_key in at]
        low, high = (before[-1] if before else -1), (after[0] if after else len(old_entries))
        new_keys = {e.match_key for e in new_entries}
        names = shape.bound_names(entry.node)
        replaced = []
        for old in old_entries[low + 1 : high]:
            if old.kind == "stmt" and old.match_key not in new_keys and id(old) not in claimed:
                if shape.bound_names(old.node) == names:
                    claimed.add(id(old))
                    replaced.append(old)
        return replaced

    def _plan_statement(self, entry, owner, following, find_old, replaced, rebound):
        """Plan a new or changed statement (`replaced`: the running statements it stands for)."""
        name = statement_name(entry, self.source, self.outline)
        qualname = _owner_name(owner)
        keep = (owner, entry.match_key, replaced)
        if not owner and shape.is_main_guard(entry.node):
            return self._refuse_statement(entry, keep, reasons.MAIN_GUARD)
        if not owner and self._not_yet_run(following, find_old):
            thread, line = self.running.module_lines[0]
            return self._refuse_statement(entry, keep, reasons.MODULE_RUNNING, {"line": line, "thread": thread})
        facts = self._facts(entry)
        made = self._machinery(owner, entry.node, facts.binds)
        if made is machinery.ENUM and replaced:
            made = machinery.changed_member(self._live_class(owner), self._class_node(owner), entry.node, replaced)
            if isinstance(made, machinery.NewValue):
                return self._plan_change(entry, owner, keep, SetEnumValue(entry, owner, made.name, made.value), rebound)
        elif made is machinery.ENUM:
            made = machinery.new_member(self._live_class(owner), entry.node, replaced)
            if made is None:
                return self._plan_change(entry, owner, keep, AddEnumMember(entry, owner, facts.binds[0]), rebound)
        elif made is machinery.NAMED_TUPLE:
            made = machinery.changed_default(self._live_class(owner), entry.node, replaced)
            if isinstance(made, str):
                return self._plan_change(entry, owner, keep, SetTupleDefault(entry, owner, made), rebound)
        if made is not None:
            return self._refuse_statement(entry, keep, reasons.CLASS_MACHINERY, self._machinery_facts(owner, made))
        old = replaced[0].node if len(replaced) == 1 else None
        if old is not None:
            if _outside_functions(old) == _outside_functions(entry.node):
                return  # only function or lambda bodies changed: their code is swapped, nothing re-runs
            if _annotation_only(old, entry.node):
                self._report("statement", name, qualname, protocol.UPDATED, entry.line)
                self.plan.steps.append(Annotate(entry, owner))
                return
            effect = _effect_of_rerun(entry.node, facts)
            if effect is not None:
                return self._refuse_statement(entry, keep, reasons.EFFECT_CHANGED, {"effect": effect})
            changed = self._changed_since(old, owner)
            if changed:
                return self._refuse_statement(entry, keep, reasons.CHANGED_SINCE, {"names": _listed(changed)})
            remade = self._remade_class(replaced[0], owner)
            if remade is not None:
                return self._refuse_statement(entry, keep, reasons.CLASS_REMADE, remade)
        self._plan_change(entry, owner, keep, RunStatement(entry, owner, self._into_fields(owner)), rebound)

    def _plan_change(self, entry, owner, keep, step, rebound):
        """A new or changed statement runs (`step`): what it binds is rebound for what follows."""
        outcome = self._report("statement", statement_name(entry, self.source, self.outline), _owner_name(owner), protocol.UPDATED, entry.line)
        self.plan.steps.append(step)
        change = _Change(outcome, step, keep, None)
        self.changes.append(change)
        facts = self._facts(entry)
        self._rebinds(rebound, facts.reads, facts.binds, {change})

    def _statement_removed(self, old, owner):
        """A statement removed from the source already ran: what it bound stays bound, what it
        did stays done. It keeps its place in what runs, so saving it back is no change (a file
        read while the editor was writing it drops statements that the complete file has).
        A removed field of a dataclass is removed and the dataclass made again (_plan_dataclasses);
        a removed member of an Enum, field of a NamedTuple or `__slots__` is refused for what made
        its class."""
        name = ", ".join(shape.bound_names(old.node)) or _cut(_old_text(old, self.unit.source, self.unit.outline))
        reason, facts = reasons.STATEMENT_REMOVED, {}
        if owner:
            binds = self._facts(old).binds
            made = self._machinery(owner, old.node, binds, removed=True)
            if made is None and owner in self.dataclasses and isinstance(old.node, ast.AnnAssign):
                self.removed_fields.setdefault(owner, []).extend(binds)
                self._report("statement", name, _owner_name(owner), protocol.REMOVED, old.line)
                return
            if made is machinery.ENUM and any(n in getattr(self._live_class(owner), "_member_map_", ()) for n in binds):
                made = machinery.removed_member(self._live_class(owner), self._class_node(owner), old.node)
                if isinstance(made, str) and made not in self._names_live_code_reads():
                    self._remove_member(owner, made)
                    self._report("statement", name, _owner_name(owner), protocol.REMOVED, old.line)
                    return
                if isinstance(made, str):  # (running code would raise AttributeError on it)
                    made, reason = None, reasons.STILL_USED
            if made is not None:
                reason, facts = reasons.CLASS_MACHINERY, self._machinery_facts(owner, made)
        lines = self.running.module_lines
        if not owner and lines and min(line for _thread, line in lines) <= old.end:
            # not run yet (or running): the module's top-level code will run its old version
            reason, facts = reasons.MODULE_RUNNING, {"line": lines[0][1], "thread": lines[0][0]}
        self._refuse("statement", name, _owner_name(owner), old.line, reason, facts)
        self._keep(owner, None, [old])

    def _refuse_statement(self, entry, keep, reason, facts=None):
        """The statement keeps running its old version, and so do the lambdas and defs in it."""
        self._refuse("statement", statement_name(entry, self.source, self.outline), _owner_name(keep[0]), entry.line, reason, facts)
        self._keep(*keep)
        self._refused_lines(entry, keep[0])

    def _refused_lines(self, entry, owner):
        self.refused_lines.append((entry.line, entry.end))
        scope = self.unit.namespace or {}
        if owner:
            live = self._live_class(owner)
            scope = getattr(live, "__dict__", {})
            if isinstance(live, type) and "__slots__" in self._facts(entry).binds:
                unbound = [n for n in _slot_names(entry.node) if not hasattr(live, n)]
                self.refused_binds.update(((owner, n), (statement_name(entry, self.source, self.outline), entry.line)) for n in unbound)
        for name in self._facts(entry).binds:
            if name not in scope:
                self.refused_binds[(owner, name)] = (statement_name(entry, self.source, self.outline), entry.line)

    def _needs_refused(self, code, qualname):
        """Facts for NEEDS_REFUSED if the code of the definition `qualname` uses a name only a
        refused statement of this edit binds (it would fail where a fresh run of the new source
        would not); else None. A module's name counts where the code reads it as a global; a
        class's where it is an attribute name of code inside the class, or of code that reads the
        class by its name (`Point(1).z`)."""
        if not self.refused_binds:
            return None
        globals_read, names = _names_used(code)
        needed = []
        for (owner, name), found in self.refused_binds.items():
            if owner and name in names and (units.inside(qualname, ".".join(owner)) or owner[0] in globals_read):
                needed.append((name, found))
            elif not owner and name in globals_read:
                needed.append((name, found))
        if not needed:
            return None
        needed.sort()
        statement, line = needed[0][1]
        return {"names": _listed(sorted({name for name, _found in needed})), "statement": statement, "line": line}

    def _block_needing_refused(self):
        """A new def that uses what a refused statement was to bind is not added (_settle)."""
        for change in self.changes:
            if isinstance(change.step, AddDefinition) and change.step.entry.kind == "def":
                facts = self._needs_refused(self.index[change.step.key].code, change.step.key[0])
                if facts is not None and change.blocked is None:
                    change.blocked = (reasons.NEEDS_REFUSED, facts)

    def _not_yet_run(self, following, find_old):
        """While the module's own top-level code is still running (a script's main loop at top
        level, a module in the middle of an import), a changed statement at or after the line it
        is running must not be run by the patch: it would run twice, or hang in the patch.
        The changed statement sits before the next unchanged one: compare with that one's old line."""
        if not self.running.module_lines:
            return False
        current = min(line for _thread, line in self.running.module_lines)
        for entry in following:
            old = find_old(entry.match_key)
            if old is not None:
                return current < old.line
        return True

    def _plan_removals(self):
        """A definition removed from the source is removed from the module, unless code that
        stays live still uses its name: code running right now (the module's own top-level loop,
        a running frame of an old version) or a definition that keeps its old version. Removing
        it would break that code with a NameError (a half-saved file looks like this too)."""
        if not self.removals:
            return  # (what the running code uses is read only for a removal: dis is slow)
        live = self._names_live_code_reads()
        pending = list(self.removals)
        progress = True
        while progress:  # what a kept definition uses is kept too
            progress = False
            for removal in list(pending):
                old, owner, qualname = removal
                if old.name in live:
                    pending.remove(removal)
                    self.plan.kept.append(qualname)
                    self._keep(owner, None, [old])
                    self._refuse(_kind(old), old.name, qualname, old.line, reasons.STILL_USED)
                    live.update(self._old_names(qualname))
                    progress = True
        for old, owner, qualname in pending:
            if owner and old.name in machinery.GENERATED and old.kind == "def":
                cls = self._live_class(owner)
                if dataclasses.is_dataclass(cls) and isinstance(cls, type):  # dataclass() makes one instead
                    options, why = machinery.dataclass_options(cls, self._class_node(owner), [])
                    if why is not None:
                        self.plan.kept.append(qualname)
                        self._keep(owner, None, [old])
                        self._refuse("function", old.name, qualname, old.line, reasons.CLASS_MACHINERY, self._machinery_facts(owner, why))
                        continue
                    self.dataclasses[owner] = options
                    self.lost_methods.append(owner)
            self._report(_kind(old), old.name, qualname, protocol.REMOVED, old.line)
            self.plan.steps.append(Remove(old.name, owner))

    def _names_live_code_reads(self):
        """The names (globals, attributes) read by code that keeps running: running frames of the
        program's own code and the definitions kept in their old version so far."""
        live = set()
        for code, _thread in self.running.codes.values():
            if units.is_instrumented(code):  # the program's own code: `lib.extra()` counts too
                live.update(_loaded_names(code))
        for qualname in self.plan.kept:
            live.update(self._old_names(qualname))
        return live

    def _remove_member(self, owner, name):
        """The Enum member `name` leaves its class; what still holds it is counted (one scan of
        the heap's referrers, for such an edit only) and told."""
        cls = self._live_class(owner)
        assert cls is not None  # (the Enum the member was found in)
        member = cls._member_map_[name]
        holders = [r for r in gc.get_referrers(member) if not _enum_table(r, cls) and not isinstance(r, types.FrameType)]
        if holders:
            facts = {"count": len(holders), "cls": ".".join(owner), "name": name, "value": repr(member._value_)}
            self.plan.warnings.append((reasons.REMOVED_MEMBER, facts))
        # before the members this save adds to the class: one may take its value (`BUSY = 2` ->
        # `WORKING = 2` is a new member, not an alias of the one removed)
        steps = self.plan.steps
        adds = [i for i, step in enumerate(steps) if isinstance(step, AddEnumMember) and step.owner == owner]
        steps.insert(adds[0] if adds else len(steps), RemoveEnumMember(owner, name))

    def _plan_copies(self, rebound):
        """Copies of the names this edit rebinds in the modules that imported them."""
        namespace = self.unit.namespace
        if self.unit.module_name is None or namespace is None:
            return
        names = {n for n, changes in rebound.items() if any(c.blocked is None for c in changes)}
        names.update(step.name for step in self.plan.steps if isinstance(step, Remove) and not step.owner)
        if not names:
            return
        public = self._new_all() if "__all__" in names else namespace.get("__all__")
        exported = (lambda n: n in public) if isinstance(public, (list, tuple)) else (lambda n: not n.startswith("_"))
        rebind = []
        for copy in copies.of_module(self.unit.module_name, exported, names):
            held = copy.unit.namespace.get(copy.alias, _MISSING)
            if held is namespace.get(copy.name, _MISSING):
                rebind.append(copy)
            else:
                facts = {"file": copy.unit.file, "alias": copy.alias, "module": self.unit.module_name, "name": copy.name}
                self.plan.warnings.append((reasons.COPY_KEPT, facts))
        if rebind:
            self.plan.steps.append(RebindCopies(rebind))

    def _new_all(self):
        """`__all__` as the new version writes it (a literal), else as the module holds it."""
        for step in self.plan.steps:
            node = step.entry.node if isinstance(step, RunStatement) else None
            if isinstance(node, ast.Assign) and [ast.dump(t) for t in node.targets] == [ast.dump(ast.Name("__all__", ast.Store()))]:
                try:
                    return list(ast.literal_eval(node.value))
                except ValueError:
                    break
        return self.unit.namespace.get("__all__")

    def _old_names(self, qualname):
        """Global and attribute names used by the running version of a definition and its insides."""
        names = set()
        for key, definition in self.unit.index.items():
            if units.inside(key[0], qualname):
                names.update(_loaded_names(definition.code))
        return names

    # ---- the code objects: swaps, closures, super() ------------------------------------------------

    def _skipped(self, qualname):
        parts = qualname.split(".")
        return any(".".join(parts[:i]) in self.skipped for i in range(1, len(parts) + 1))

    def _park(self, owner, old, qualname):
        """A namesake whose removal was refused keeps running under a key of its own (negative
        occurrence), so that no new definition of the name is taken for it."""
        old_key = (qualname, old.occurrence)
        self.dropped.add(old_key)
        if old.occurrence < 0:  # parked already: it stays so
            self._keep(owner, None, [old])
            self.plan.parked.append((old_key, old_key))
            return
        taken = [k[1] for k in self.unit.index if k[0] == qualname and k[1] < 0]
        parked = shape.moved(old, 0)
        parked.occurrence = min(taken, default=0) - 1
        self._keep(owner, None, [parked])
        self.plan.parked.append((old_key, (qualname, parked.occurrence)))

    def _reported(self, qualname, line):
        if qualname in self.namesakes:
            return (qualname, line) in self.reported_at
        return qualname in self.reported

    def _skipped_key(self, definition):
        while definition is not None:
            if definition.key in self.skipped_keys:
                return True
            definition = definition.parent
        return False

    def _keys_of(self, qualnames):
        """The keys of the new version's definitions of these qualnames (occurrences count from
        0 in an index: no walk over every key of a big file)."""
        for qualname in qualnames:
            occurrence = 0
            while (qualname, occurrence) in self.index:
                yield (qualname, occurrence)
                occurrence += 1

    def _old_key(self, key):
        """The running definition a key of the new version stands for (None: a new one)."""
        return self.plan.renumbered.get(key, key)

    def _renumber_nested(self):
        """Definitions inside renumbered namesakes follow their parent."""
        renumbered = self.plan.renumbered
        if not renumbered:
            return
        seen = {}
        for key, definition in self.index.items():
            parent = definition.parent
            if parent is None or parent.key not in renumbered:
                continue
            old_parent = renumbered[parent.key]
            nth = seen.get((parent.key, key[0]), 0)
            seen[(parent.key, key[0])] = nth + 1
            olds = [k for k, d in self.unit.index.items() if k[0] == key[0] and d.parent is not None and d.parent.key == old_parent]
            renumbered[key] = olds[nth] if old_parent is not None and nth < len(olds) else None

    def _diff_code(self):
        old_index, new_index = self.unit.index, self.index
        self._renumber_nested()
        if self.plan.renumbered:
            stands_for = {self._old_key(k) for k in new_index}
            pairs = [(k, self._old_key(k)) for k in new_index]
        else:  # (the same Definition under the same key: the code of a statement the edit did not touch)
            stands_for, forced = new_index, self.new_defaults
            unchanged_forced = [k for k in forced if k in new_index and new_index[k] is old_index.get(k)]
            candidates = list(codeindex.fresh_keys(new_index)) + unchanged_forced
            pairs = [(k, k) for k in candidates if old_index.get(k) is not new_index[k] or k in forced]
        # (parked namesakes, negative occurrences, stay parked until a new version stands for them)
        replaced = old_index if getattr(new_index, "replaced", None) is None or self.dropped else new_index.replaced
        pairs += [(None, k) for k in replaced if k not in stands_for and k not in self.dropped and k[1] >= 0]
        for key, old_key in pairs:
            old, new = old_index.get(old_key) if old_key else None, new_index.get(key) if key else None
            if old is new and key not in self.new_defaults:
                continue  # the same code object: a statement the edit did not touch
            key = key or old_key
            qualname = key[0]
            if self._skipped(qualname):
                continue
            definition = new or old
            if definition is None or not definition.is_function or self._skipped_key(new):
                continue
            if new is not None and self._in_refused_statement(new.code.co_firstlineno):
                continue
            name = definition.code.co_name
            if new is None or old is None:
                if not self._reported(qualname, definition.code.co_firstlineno):
                    status = protocol.REMOVED if new is None else protocol.ADDED
                    self._report("function", name, qualname, status, definition.code.co_firstlineno)
                continue
            line = new.code.co_firstlineno
            forced = key in self.new_defaults  # reported as updated although its code text is the same
            if not forced and old.code == new.code:
                continue  # the same code, lines included (above the edit): nothing to swap
            changed = forced or codeindex.own_text(old.code) != codeindex.own_text(new.code)
            layout = new.code.co_freevars
            others = [free for free in self._layouts(old_key, old.code) if free != layout]
            if others and new.in_module_classes and all(set(free) ^ set(layout) == {"__class__"} for free in others):
                if old.code.co_freevars != layout:
                    parts = qualname.split(".")
                    self._report("function", parts[-1], qualname, protocol.UPDATED, line)
                    self.plan.steps.append(RebuildMethod(key, new, tuple(parts[:-1]), parts[-1]))
                    continue
                others = []  # bound methods taken before a method started using super() keep their code
            needs = None if others or not changed else self._needs_refused(new.code, qualname)
            if others or needs is not None:
                reason, facts = reasons.NEEDS_REFUSED, needs
                if others:
                    reason = reasons.CLOSURE_CHANGED
                    facts = {"before": ", ".join(others[0]) or "none", "after": ", ".join(layout) or "none"}
                self._refuse("function", name, qualname, line, reason, facts)
                self.plan.kept.append(qualname)
                self.skipped.add(qualname)
                if forced:
                    self.plan.steps.remove(self.new_defaults.pop(key))
                continue
            self.plan.swaps.append(SwapCode(key, new, changed))
            if changed and not self._reported(qualname, line):
                self._report("function", name, qualname, protocol.UPDATED, line)
            if changed and new.in_module_classes:
                self._plan_cache_clear(old_key, qualname)
            if changed and qualname.endswith(".__init__"):
                self._warn_new_attributes(qualname, old.code, new.code)

    def _warn_new_attributes(self, qualname, old, new):
        """Objects an old `__init__` built lack the attributes the new one sets."""
        added = [name for name in _self_attributes(new) if name not in _self_attributes(old)]
        if added:
            owner = qualname.rsplit(".", 1)[0]
            self._warn_old_objects(self._live_class(tuple(owner.split("."))), owner, added)

    def _warn_old_objects(self, cls, name, names, reason=reasons.OLD_OBJECTS):
        """Objects built before the edit lack the attributes the new __init__ sets (or keep the
        fields the new version removed): how many there are (one scan of the heap, only for such
        an edit)."""
        count = _count_instances(cls) if isinstance(cls, type) else "some"  # (a class made in a function)
        if count:
            self.plan.warnings.append((reason, {"count": count, "cls": name, "names": _listed(names)}))

    def _mark_suspended(self):
        """A suspended generator or coroutine of an updated function is on no thread's stack: it
        keeps its old code until it finishes. Found by one scan of the heap, only when an
        updated function is a generator or coroutine."""
        updated = {o.qualname: o for o in self.plan.outcomes if o.status == protocol.UPDATED and o.kind == "function"}
        versions = {}
        for key in self._keys_of(updated):
            definition = self.unit.definitions.get(self._old_key(key))
            if definition is not None and definition.code.co_flags & _SUSPENDABLE:
                new_code = self.index[key].code
                versions.update((i, key[0]) for i in list(definition.versions) if i != id(new_code))
        if not versions:
            return
        counts = {}
        for obj in gc.get_objects():
            code = getattr(obj, "gi_code", None) or getattr(obj, "cr_code", None) or getattr(obj, "ag_code", None)
            frame = getattr(obj, "gi_frame", None) or getattr(obj, "cr_frame", None) or getattr(obj, "ag_frame", None)
            if code is not None and frame is not None and id(code) in versions:
                counts[versions[id(code)]] = counts.get(versions[id(code)], 0) + 1
        for qualname, count in counts.items():
            outcome = updated[qualname]
            outcome.status, outcome.reason, outcome.facts = protocol.RUNNING_OLD, reasons.SUSPENDED, {"count": count}

    def _in_refused_statement(self, line):
        return any(first <= line <= last for first, last in self.refused_lines)

    def _plan_cache_clear(self, key, qualname):
        """A functools.lru_cache / cache around a function whose code changed, or the values a
        functools.cached_property stored in objects, are results of the old code: they are
        cleared, and the user told so."""
        parts = qualname.split(".")
        scope = self.unit.namespace or {}
        owner = None
        for part in parts[:-1]:
            owner = scope.get(part)
            scope = getattr(owner, "__dict__", {})
        wrapper = scope.get(parts[-1])
        definition = self.unit.definitions.get(key)
        if definition is None or wrapper is None:
            return
        wrapped = getattr(wrapper, "__wrapped__", None) if callable(getattr(wrapper, "cache_clear", None)) else None
        per_object = isinstance(wrapper, functools.cached_property) and isinstance(owner, type)
        if per_object:
            wrapped = wrapper.func
        if any(wrapped is f for f in list(definition.functions)):
            self.plan.steps.append(ClearCache(wrapper, owner if per_object else None))
            self.plan.warnings.append((reasons.CACHE_CLEARED, {"qualname": qualname}))

    def _layouts(self, key, code):
        """The closure variables of `code` (the running version) and of every live function of
        the definition: closures created since an update of their enclosing function may have
        others. A function takes only code with the same ones."""
        layouts = [code.co_freevars]
        definition = self.unit.definitions.get(key)
        if definition is not None:
            for function in list(definition.functions):
                free = function.__code__.co_freevars
                if id(function.__code__) in definition.versions and free not in layouts:
                    layouts.append(free)
        return layouts

    def _mark_running(self):
        """An updated function that a thread is running keeps its code in that frame."""
        codes = self.running.codes
        updated = {o.qualname: o for o in self.plan.outcomes if o.status == protocol.UPDATED and o.kind == "function"}
        if not codes or not updated:
            return
        threads = {}
        for key in self._keys_of(updated):
            definition = self.unit.definitions.get(self._old_key(key))
            if definition is not None:
                found = threads.setdefault(key[0], set())
                found.update(codes[i][1] for i in list(definition.versions) if i in codes)
        for qualname, found in threads.items():
            if found:
                outcome = updated[qualname]
                outcome.status = protocol.RUNNING_OLD
                outcome.reason = reasons.RUNNING
                outcome.facts = {"threads": ", ".join(sorted(self.running.thread_name(t) for t in found))}


class _Change:
    """A rebinding this edit makes (a changed statement, a new definition): its outcome and step,
    what the program keeps running if it is refused (owner, saved match key, running entries),
    and why a follower cannot follow it (reason, facts), if so."""

    __slots__ = ("outcome", "step", "keep", "qualname", "blocked")

    def __init__(self, outcome, step, keep, qualname):
        self.outcome = outcome
        self.step = step
        self.keep = keep
        self.qualname = qualname  # of a new definition (kept out of the index if refused)
        self.blocked: "tuple | None" = None  # (reasons.Reason, facts)


class _Follower:
    """An unchanged statement (its outcome) or def (the key of its SetDefaults) that runs again
    because it reads what `changes` rebind."""

    __slots__ = ("outcome", "step", "changes", "key")

    def __init__(self, outcome, step, changes, key):
        self.outcome = outcome
        self.step = step
        self.changes = changes
        self.key = key


def _untouched(old_entries, new_entries):
    """(first, last): new_entries[:first] are old_entries[:first] (the same entries), and from
    `last` on they are the old version's last ones (the same statements, maybe moved)."""
    shortest = min(len(old_entries), len(new_entries))
    first = 0
    while first < shortest and new_entries[first] is old_entries[first]:
        first += 1
    end = 0
    while end < shortest - first:
        new, old = new_entries[-1 - end], old_entries[-1 - end]
        if new.node is not old.node or new.occurrence != old.occurrence:  # (the rest of a match key is the node's)
            break
        end += 1
    return first, len(new_entries) - end


class _Namesakes:
    """Several defs of one name in one body (singledispatch `_`, a property's getter and setter,
    `@overload` stubs) are matched by their decorators and signatures, not by their order: a new
    handler inserted before another is added, not a change of it; when as many are left
    unmatched on both sides, they were edited in place, in order. Each name is aligned when
    first asked about (old_named, new_named: name -> the defs and classes of that name, in order)."""

    def __init__(self, old_named, new_named):
        self.old_named = old_named
        self.new_named = new_named
        self.aligned = {}  # id(new entry) -> old entry (None: new), for the defs of such names only
        self.names = set()  # the names aligned so far

    def of(self, entry):
        """(True, the old entry or None: new) for a def of such a name, else (False, None)."""
        if entry.kind == "stmt":
            return False, None
        if entry.name not in self.names:
            self.names.add(entry.name)
            olds, news = self.old_named(entry.name), self.new_named(entry.name)
            if len(olds) > 1 or len(news) > 1:
                self._align(olds, news)
        found = id(entry) in self.aligned
        return found, self.aligned.get(id(entry))

    def _align(self, olds, news):
        left = list(olds)
        unpaired = []
        for new in news:  # the same decorators and signature: the same definition
            same = next((old for old in left if (old.kind, old.header, old.args) == (new.kind, new.header, new.args)), None)
            if same is None:
                unpaired.append(new)
            else:
                left.remove(same)
                self.aligned[id(new)] = same
        for position, new in enumerate(unpaired):  # as many edited as before: edited in place
            self.aligned[id(new)] = left[position] if len(left) == len(unpaired) else None


def _by_name(entries):
    """name -> the defs and classes of that name among `entries`, in order (as Outline.named)."""
    named = {}
    for entry in entries:
        if entry.kind != "stmt":
            named.setdefault(entry.name, []).append(entry)
    return lambda name: named.get(name, [])


def _owner_name(owner):
    return ".".join(owner) if owner else "<module>"


def _listed(names):
    return ", ".join(names)


def _future_annotations(outline):
    return bool(recompile.future_flags(outline) & __future__.annotations.compiler_flag)


def _outside_functions(node):
    """A statement's tree without positions and without the bodies of the functions and lambdas
    in it: what runs when the statement runs."""
    if isinstance(node, list):
        return [_outside_functions(n) for n in node]
    if not isinstance(node, ast.AST):
        return node
    skip_body = isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
    fields = [(name, _outside_functions(v)) for name, v in ast.iter_fields(node) if not (skip_body and name == "body")]
    return type(node).__name__, fields


def _annotation_only(old, new):
    """`SEEN = set()` -> `SEEN: set[str] = set()`: the same target and value, another annotation."""
    def parts(node):
        if isinstance(node, ast.AnnAssign) and node.simple and node.value is not None:
            return ast.dump(node.target), ast.dump(node.value)
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            return ast.dump(node.targets[0]), ast.dump(node.value)
        return None

    return parts(old) is not None and parts(old) == parts(new)


def _effect_of_rerun(node, facts):
    """What running a changed statement again would do a second time (None: it only binds)."""
    if isinstance(node, ast.AugAssign):
        return ast.unparse(node).split("\n")[0]
    if isinstance(node, (ast.Assign, ast.AnnAssign, ast.Import, ast.ImportFrom)):
        return None
    return facts.effect


def _same(live, fresh):
    """Whether a live value is still what its statement makes (functions: the same definition)."""
    if live is fresh:
        return True
    if type(live) is not type(fresh):
        return False
    if isinstance(live, dict):
        return live.keys() == fresh.keys() and all(_same(live[k], fresh[k]) for k in live)
    if isinstance(live, (list, tuple)):
        return len(live) == len(fresh) and all(_same(a, b) for a, b in zip(live, fresh))
    if callable(live) and hasattr(live, "__code__"):
        return live.__qualname__ == fresh.__qualname__
    try:
        return bool(live == fresh)
    except Exception:
        return True  # cannot tell


def _without_class_default(node):
    """A dataclass field that leaves no class attribute: no default, or `field(...)` without one."""
    if not isinstance(node, ast.AnnAssign) or node.value is None:
        return isinstance(node, ast.AnnAssign)
    value = node.value
    if not isinstance(value, ast.Call) or getattr(value.func, "id", getattr(value.func, "attr", None)) != "field":
        return False
    return not any(k.arg == "default" for k in value.keywords)


def _enum_table(referrer, cls):
    """Whether `referrer` is one of the tables the Enum `cls` holds its members in (its dict too)."""
    tables = (cls._member_map_, cls._value2member_map_)
    return any(referrer is t for t in tables) or (type(referrer) is dict and referrer.get("_member_map_") is tables[0])


def _count_instances(cls):
    return sum(1 for obj in gc.get_objects() if isinstance(obj, cls))


def _self_attributes(code):
    """Attributes a method sets on its first argument (`self.history = []`)."""
    if not code.co_varnames:
        return []
    names, previous = [], None
    for instruction in dis.get_instructions(code):
        if instruction.opname == "STORE_ATTR" and previous is not None and previous.argval == code.co_varnames[0]:
            if previous.opname.startswith("LOAD_FAST") and instruction.argval not in names:
                names.append(instruction.argval)
        previous = instruction
    return names


def _slot_names(node):
    """The names a `__slots__ = ("a", "b")` statement lists (a literal; else none)."""
    value = getattr(node, "value", None)
    try:
        names = ast.literal_eval(value) if value is not None else ()
    except ValueError:
        return []
    return [names] if isinstance(names, str) else [n for n in names if isinstance(n, str)]


def _names_used(code):
    """(globals it reads, every name it uses: globals and attributes) of a function's code, its
    nested comprehensions included (code of their own on 3.10/3.11)."""
    globals_read, names = set(), set(code.co_names)
    for instruction in dis.get_instructions(code):
        if instruction.opname in ("LOAD_GLOBAL", "LOAD_NAME"):
            globals_read.add(instruction.argval)
    for const in code.co_consts:
        if isinstance(const, type(code)) and const.co_name.startswith("<") and const.co_name != "<lambda>":
            inner_globals, inner = _names_used(const)
            globals_read |= inner_globals
            names |= inner
    return globals_read, names


def _user_decorators(node):
    """A def's decorators as written (not hotframe's own tracker, added by the instrumentation)."""
    return [d for d in node.decorator_list if not (isinstance(d, ast.Name) and d.id.startswith("__hotframe_"))]


def _is_abstractmethod(node):
    return (isinstance(node, ast.Name) and node.id == "abstractmethod") or (
        isinstance(node, ast.Attribute) and node.attr == "abstractmethod"
    )


def _kind(entry):
    return "class" if entry.kind == "class" else "function"


def _loaded_names(code):
    """Names a code object reads (globals, attributes): co_names also holds the names it only
    assigns, such as every `def` of a module."""
    return {i.argval for i in dis.get_instructions(code) if i.opname in _NAME_READS}
