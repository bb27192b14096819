"""Deciding what a new version of a file changes in the running program, touching nothing live.

Compare the statement outlines (shape.py) of the module and of its classes, and every code
object by key (codeindex.py); decide what is refused (reasons.py) and in which order the rest is
applied. The result is a plan.Plan.
"""

import ast
import dis

from . import codeindex, protocol, reasons, shape, units
from .plan import AddDefinition, Error, Outcome, Plan, RebuildMethod, Remove, RunStatement, SetDefaults, SwapCode

_NAME_READS = {
    "LOAD_NAME",
    "LOAD_GLOBAL",
    "LOAD_ATTR",
    "LOAD_METHOD",
    "LOAD_SUPER_ATTR",
    "LOAD_FROM_DICT_OR_GLOBALS",
}
_STATEMENT_NAME_LENGTH = 60


def plan(unit, source, outline, index, running):
    """The Plan that takes `unit` (as the program runs it) to the new version: `source`, its
    `outline` (shape.py) and `index` (codeindex.py). running: frames.Running."""
    return _Planner(unit, source, index, running).build(outline)


def statement_name(entry, source):
    """What binds, names joined by ", "; otherwise the statement's first line, white space
    folded, cut to 60 characters (docs/protocol.md)."""
    names = shape.bound_names(entry.node)
    if names:
        return ", ".join(names)
    text = ast.get_source_segment(source, entry.node) or ""
    first = " ".join(text.splitlines()[0].split()) if text.strip() else "statement"
    if len(first) > _STATEMENT_NAME_LENGTH:
        return first[: _STATEMENT_NAME_LENGTH - 1] + "…"
    return first


class _Planner:
    def __init__(self, unit, source, index, running):
        self.unit = unit
        self.source = source
        self.index = index
        self.running = running
        self.plan = Plan()
        self.reported = set()  # qualnames already in outcomes
        self.skipped = set()  # qualnames (and everything inside them) the code diff leaves alone
        self.new_defaults = {}  # key -> its SetDefaults step (its code is swapped too)
        self.removals = []  # (old outline entry, owner, qualname): decided by _plan_removals

    def build(self, outline):
        plan = self.plan
        self._diff_outline(self.unit.outline, outline, ())
        self._diff_code()
        self._plan_removals()
        self._mark_running()
        plan.new_keys = [key for key in self.index if key not in self.unit.index]
        if plan.refused and not plan.swaps and all(o.status == protocol.REFUSED for o in plan.outcomes):
            # Nothing changes: the running version stays the one the next edit is compared with.
            plan.rejection = Error("refused", reasons.NOTHING_APPLIED)
        return plan

    def _report(self, kind, name, qualname, status, line, reason=None, facts=None):
        self.plan.outcomes.append(Outcome(kind, name, qualname, status, line, reason, facts))
        self.reported.add(qualname)

    def _refuse(self, kind, name, qualname, line, reason, facts=None):
        self._report(kind, name, qualname, protocol.REFUSED, line, reason, facts)

    # ---- the outlines: statements, new and removed definitions, headers, defaults ----------------

    def _diff_outline(self, old_entries, new_entries, owner):
        """Module level (owner ()) or a class body (owner: the class path)."""
        prefix = "".join(part + "." for part in owner)
        old_entries = self._running_entries(old_entries, owner)
        old_by_key = {e.match_key: e for e in old_entries}
        matched = set()
        claimed = set()  # ids of running statements a refused one already stands for
        for position, entry in enumerate(new_entries):
            old = old_by_key.get(entry.match_key)
            if old is not None:
                matched.add(entry.match_key)
            if entry.kind == "stmt":
                if old is None and not self._plan_statement(entry, owner, new_entries[position + 1 :], old_by_key):
                    replaced = self._replaced_statements(entry, position, new_entries, old_entries, claimed)
                    self._keep(owner, entry.match_key, replaced)
                continue
            qualname = prefix + entry.name
            key = (qualname, entry.occurrence)
            kind = _kind(entry)
            if old is None:
                self.skipped.add(qualname)
                self._report(kind, entry.name, qualname, protocol.ADDED, entry.line)
                self.plan.steps.append(AddDefinition(key, entry, owner))
            elif old.header != entry.header:
                self.skipped.add(qualname)
                reason = reasons.BASES_CHANGED if entry.kind == "class" else reasons.DECORATORS_CHANGED
                self._refuse(kind, entry.name, qualname, entry.line, reason)
                self.plan.kept.append(qualname)
                self._keep(owner, entry.match_key, [old])
            elif entry.kind == "class":
                self._diff_outline(old.body, entry.body, owner + (entry.name,))
            elif old.args != entry.args:
                step = SetDefaults(key, entry, owner)
                self.new_defaults[key] = step
                self.plan.steps.append(step)
        for old in old_entries:
            if old.kind != "stmt" and old.match_key not in matched:
                qualname = prefix + old.name
                self.skipped.add(qualname)
                self.removals.append((old, owner, qualname))

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

    def _plan_statement(self, entry, owner, following, old_by_key):
        """Plan a new or changed statement; False if it is refused."""
        name = statement_name(entry, self.source)
        qualname = ".".join(owner) if owner else "<module>"
        if not owner and shape.is_main_guard(entry.node):
            self._refuse("statement", name, qualname, entry.line, reasons.MAIN_GUARD)
            return False
        if not owner and self._not_yet_run(following, old_by_key):
            thread, line = self.running.module_lines[0]
            self._refuse("statement", name, qualname, entry.line, reasons.MODULE_RUNNING, {"line": line, "thread": thread})
            return False
        self._report("statement", name, qualname, protocol.UPDATED, entry.line)
        self.plan.steps.append(RunStatement(entry, owner))
        return True

    def _not_yet_run(self, following, old_by_key):
        """While the module's own top-level code is still running (a script's main loop at top
        level, a module in the middle of an import), a changed statement at or after the line it
        is running must not be run by the patch: it would run twice, or hang in the patch.
        The changed statement sits before the next unchanged one: compare with that one's old line."""
        if not self.running.module_lines:
            return False
        current = min(line for _thread, line in self.running.module_lines)
        for entry in following:
            old = old_by_key.get(entry.match_key)
            if old is not None:
                return current < old.line
        return True

    def _plan_removals(self):
        """A definition removed from the source is removed from the module, unless code that
        stays live still uses its name: code running right now (the module's own top-level loop,
        a running frame of an old version) or a definition that keeps its old version. Removing
        it would break that code with a NameError (a half-saved file looks like this too)."""
        live = set()
        for code, _thread in self.running.codes.values():
            if units.is_instrumented(code):  # the program's own code: `lib.extra()` counts too
                live.update(_loaded_names(code))
        for qualname in self.plan.kept:
            live.update(self._old_names(qualname))
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
            self._report(_kind(old), old.name, qualname, protocol.REMOVED, old.line)
            self.plan.steps.append(Remove(old.name, owner))

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

    def _diff_code(self):
        old_index, new_index = self.unit.index, self.index
        for key in list(old_index) + [k for k in new_index if k not in old_index]:
            old, new = old_index.get(key), new_index.get(key)
            qualname = key[0]
            if self._skipped(qualname):
                continue
            definition = new or old
            if definition is None or not definition.is_function:
                continue
            name = definition.code.co_name
            if new is None or old is None:
                if qualname not in self.reported:
                    status = protocol.REMOVED if new is None else protocol.ADDED
                    self._report("function", name, qualname, status, definition.code.co_firstlineno)
                continue
            line = new.code.co_firstlineno
            forced = key in self.new_defaults  # reported as updated although its code text is the same
            if not forced and old.code == new.code:
                continue  # the same code, lines included (above the edit): nothing to swap
            changed = forced or codeindex.own_text(old.code) != codeindex.own_text(new.code)
            layout = new.code.co_freevars
            others = [free for free in self._layouts(key, old.code) if free != layout]
            if others and new.in_module_classes and all(set(free) ^ set(layout) == {"__class__"} for free in others):
                if old.code.co_freevars != layout:
                    parts = qualname.split(".")
                    self._report("function", parts[-1], qualname, protocol.UPDATED, line)
                    self.plan.steps.append(RebuildMethod(key, new, tuple(parts[:-1]), parts[-1]))
                    continue
                others = []  # bound methods taken before a method started using super() keep their code
            if others:
                facts = {"before": ", ".join(others[0]) or "none", "after": ", ".join(layout) or "none"}
                self._refuse("function", name, qualname, line, reasons.CLOSURE_CHANGED, facts)
                self.plan.kept.append(qualname)
                self.skipped.add(qualname)
                if forced:
                    self.plan.steps.remove(self.new_defaults.pop(key))
                continue
            self.plan.swaps.append(SwapCode(key, new, changed))
            if changed and qualname not in self.reported:
                self._report("function", name, qualname, protocol.UPDATED, line)

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
        for key in self.index:
            definition = self.unit.definitions.get(key) if key[0] in updated else None
            if definition is not None:
                found = threads.setdefault(key[0], set())
                found.update(codes[i][1] for i in list(definition.versions) if i in codes)
        for qualname, found in threads.items():
            if found:
                outcome = updated[qualname]
                outcome.status = protocol.RUNNING_OLD
                outcome.reason = reasons.RUNNING
                outcome.facts = {"threads": ", ".join(sorted(self.running.thread_name(t) for t in found))}


def _kind(entry):
    return "class" if entry.kind == "class" else "function"


def _loaded_names(code):
    """Names a code object reads (globals, attributes): co_names also holds the names it only
    assigns, such as every `def` of a module."""
    return {i.argval for i in dis.get_instructions(code) if i.opname in _NAME_READS}
