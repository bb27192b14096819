"""Applying a new version of a loaded file to the live module, in place, all or nothing.

1. Compile the whole new source once, instrumented (only the edited region is re-parsed:
   incremental.py). A SyntaxError changes nothing.
2. Plan without touching anything: compare the statement outlines (shape.py) of the module and
   of its classes, and every code object by key (codeindex.py); decide what is refused.
3. Apply with the GIL held for the whole step (a huge switch interval; the patch does no I/O of
   its own): swap the code of every function whose code differs (line-only moves too, so
   tracebacks stay right), then run in source order what the outline says: new defs and classes,
   new default values, changed top-level statements, removals. Anything raising rolls every
   step back.
4. Verify that every live function object of a changed definition now has the new code, and
   only then report.
"""

import __future__
import ast
import builtins
import dis
import os
import sys
import threading
import traceback
import types

from . import codeindex, gcpause, incremental, protocol, registry, shape

_AGENT_DIR = os.path.dirname(os.path.realpath(__file__))
_FUTURE_FLAGS = 0
for _name in __future__.all_feature_names:
    _FUTURE_FLAGS |= getattr(__future__, _name).compiler_flag
_MISSING = object()
_NAME_READS = {
    "LOAD_NAME",
    "LOAD_GLOBAL",
    "LOAD_ATTR",
    "LOAD_METHOD",
    "LOAD_SUPER_ATTR",
    "LOAD_FROM_DICT_OR_GLOBALS",
}
# Long enough that no other thread runs while a patch is applied (it takes milliseconds).
_APPLY_SWITCH_INTERVAL = 100.0

# Set by main.py: called with (message, file) for warnings (an after-patch hook that raised).
on_warning = None


class _RuntimeFailure(Exception):
    """The program's code raised while a patch was applied (re-run statement, default, decorator)."""


def patch(file, source):
    """Apply `source` as the new text of the loaded `file`; return a PatchResult dict."""
    unit = registry.unit_for(file)
    if unit is None:
        error = protocol.patch_error("internal", "%s was never imported by the program" % file)
        return protocol.patch_result(protocol.REJECTED, [], error)
    if not source.strip():
        # Editors truncate a file before writing it: an empty read is far more often a save in
        # progress than a module emptied on purpose, and applying it would remove everything.
        error = protocol.patch_error("refused", "the file is empty (a save in progress?): nothing changed")
        return protocol.patch_result(protocol.REJECTED, [], error)
    try:
        with gcpause.paused():
            return _Patch(unit, source).run()
    except Exception as exc:  # a bug in hotframe: say so, the program keeps its previous code
        error = protocol.patch_error("internal", "hotframe failed: %r" % (exc,), traceback=traceback.format_exc())
        return protocol.patch_result(protocol.REJECTED, [], error)


def namespace_of(unit):
    """The globals of the module loaded from unit.file (found once, then remembered)."""
    if unit.namespace is None:
        candidates = [sys.modules.get(unit.module_name or "__main__"), sys.modules.get("__main__")]
        candidates += list(sys.modules.values())
        for module in candidates:
            path = getattr(module, "__file__", None)
            if isinstance(path, str) and os.path.realpath(path) == unit.file:
                unit.namespace = module.__dict__
                break
    return unit.namespace


class _Patch:
    def __init__(self, unit, source):
        self.unit = unit
        self.file = unit.file
        self.source = source
        self.outcomes = []
        self.reported = set()  # qualnames already in outcomes
        self.skipped = set()  # qualnames (and everything inside them) the code diff leaves alone
        self.forced = set()  # keys reported as updated although their code text is the same
        self.swaps = []  # (slot, new Definition, changed)
        self.actions = []  # callables(undo) run in source order
        self.refusals = 0
        self.applied_something = False
        self.fresh = set()  # ids of code compiled for this patch's re-run statements
        self.committed = False
        self.removals = []  # (old outline entry, owner, qualname): decided by _plan_removals
        self.kept = []  # qualnames of definitions that keep their running version (refused)
        self.kept_entries = []  # what becomes unit.kept: see registry.Unit

    # ---- 1. compile ---------------------------------------------------------------------------

    def run(self):
        unit = self.unit
        if unit.outline is None:  # imported from the code cache: outline the running source
            unit.outline = incremental.parse_full(unit.source, self.file).outline
        parsed = None
        try:
            try:
                parsed = incremental.parse(unit.source, unit.outline, self.source, self.file)
                self.outline = parsed.outline
                self.code = compile(parsed.tree, self.file, "exec", 0, True)
            except SyntaxError as exc:
                error = protocol.patch_error("syntax", exc.msg, exc.lineno, exc.offset)
                return protocol.patch_result(protocol.REJECTED, [], error)
            except ValueError as exc:  # source code string cannot contain null bytes
                return protocol.patch_result(protocol.REJECTED, [], protocol.patch_error("syntax", str(exc)))
            return self._plan_and_apply()
        finally:
            if parsed is not None and not self.committed:
                parsed.undo()  # shared nodes of unchanged statements get their line numbers back

    def _plan_and_apply(self):
        self.flags = self.code.co_flags & _FUTURE_FLAGS
        self.namespace = namespace_of(self.unit)
        if self.namespace is None:
            error = protocol.patch_error("internal", "the module of %s is no longer loaded" % self.file)
            return protocol.patch_result(protocol.REJECTED, [], error)
        self.new_index = codeindex.index_module(self.code)
        self.positions = codeindex.by_position(self.new_index)

        # ---- 2. plan ----
        self.module_running = _module_frames(self.unit.module_code)
        self.running = _running_codes()
        self._diff_outline(self.unit.outline, self.outline, ())
        self._diff_code()
        self._plan_removals()
        self.slots = self._slots_for_new_version()

        # ---- 3. apply, 4. verify ----
        failure = self._apply()
        if failure is not None:
            return failure
        if self.refusals and not (self.applied_something or self.swaps):
            # Nothing changed: the running version stays the one the next edit is compared with.
            error = protocol.patch_error("refused", "nothing in this edit can be applied to the running program")
            return protocol.patch_result(protocol.REJECTED, self.outcomes, error)
        self._commit()
        self._mark_running({code_id: thread for code_id, (_code, thread) in self.running.items()})
        result = protocol.patch_result(protocol.PARTIAL if self.refusals else protocol.APPLIED, self.outcomes)
        self._after_patch_hook(result)
        return result

    # ---- 2. plan -------------------------------------------------------------------------------

    def _report(self, name, qualname, status, reason=None, line=None, kind=None):
        self.outcomes.append(protocol.function_outcome(name, qualname, status, reason, line, kind))
        self.reported.add(qualname)
        if status == protocol.REFUSED:
            self.refusals += 1
        else:
            self.applied_something = True

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
            line = entry.line
            kind = "class" if entry.kind == "class" else None
            if old is None:
                self.skipped.add(qualname)
                self._report(entry.name, qualname, protocol.ADDED, line=line, kind=kind)
                add = self._add_class if entry.kind == "class" else self._add_def
                self.actions.append(lambda undo, k=key, e=entry, o=owner, a=add: a(undo, k, e, o))
            elif old.header != entry.header:
                self.skipped.add(qualname)
                what = "bases or decorators" if entry.kind == "class" else "decorators"
                reason = "its %s changed: restart the program to apply this" % what
                self._report(entry.name, qualname, protocol.REFUSED, reason, line, kind)
                self.kept.append(qualname)
                self._keep(owner, entry.match_key, [old])
            elif entry.kind == "class":
                self._diff_outline(old.body, entry.body, owner + (entry.name,))
            elif old.args != entry.args:
                self.forced.add(key)
                self.actions.append(lambda undo, k=key, e=entry, o=owner: self._set_defaults(undo, k, e, o))
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
        self.kept_entries.append((owner, saved_key, [self._resolved(e, owner) for e in entries]))

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

    def _plan_removals(self):
        """A definition removed from the source is removed from the module, unless code that
        stays live still uses its name: code running right now (the module's own top-level loop,
        a running frame of an old version) or a definition that keeps its old version. Removing
        it would break that code with a NameError (a half-saved file looks like this too)."""
        live = set()
        for code, _thread in self.running.values():
            if registry.is_instrumented(code):  # the program's own code: `lib.extra()` counts too
                live.update(_loaded_names(code))
        for qualname in self.kept:
            live.update(self._old_names(qualname))
        pending = list(self.removals)
        progress = True
        while progress:  # what a kept definition uses is kept too
            progress = False
            for removal in list(pending):
                old, owner, qualname = removal
                if old.name in live:
                    pending.remove(removal)
                    self.kept.append(qualname)
                    self._keep(owner, None, [old])
                    reason = "still used by code that keeps running (e.g. a loop in the module's top-level code): it stays until the program restarts"
                    kind = "class" if old.kind == "class" else None
                    self._report(old.name, qualname, protocol.REFUSED, reason, old.line, kind)
                    live.update(self._old_names(qualname))
                    progress = True
        for old, owner, qualname in pending:
            kind = "class" if old.kind == "class" else None
            self._report(old.name, qualname, protocol.REMOVED, line=old.line, kind=kind)
            self.actions.append(lambda undo, n=old.name, o=owner: self._remove(undo, n, o))

    def _old_names(self, qualname):
        """Global and attribute names used by the running version of a definition and its insides."""
        names = set()
        for key, definition in self.unit.index.items():
            if _inside(key[0], qualname):
                names.update(_loaded_names(definition.code))
        return names

    def _plan_statement(self, entry, owner, following, old_by_key):
        """Plan a new or changed statement; False if it is refused."""
        names = shape.bound_names(entry.node)
        name = ", ".join(names) if names else ast.get_source_segment(self.source, entry.node) or "statement"
        name = name.splitlines()[0]
        qualname = ".".join(owner) if owner else "<module>"
        line = entry.line
        if not owner and shape.is_main_guard(entry.node):
            reason = "the `if __name__ == '__main__'` block runs once: restart the program to run it again"
            self._report(name, qualname, protocol.REFUSED, reason, line, "statement")
            return False
        if not owner and self._not_yet_run(following, old_by_key):
            thread, running_line = self.module_running[0]
            reason = (
                "the module's top-level code is still running (line %d, thread %s) and has not finished "
                "this part: it runs its old version; restart the program to apply this" % (running_line, thread)
            )
            self._report(name, qualname, protocol.REFUSED, reason, line, "statement")
            return False
        self._report(name, qualname, protocol.UPDATED, line=line, kind="statement")
        self.actions.append(lambda undo, e=entry, o=owner: self._run_statement(undo, e, o))
        return True

    def _not_yet_run(self, following, old_by_key):
        """While the module's own top-level code is still running (a script's main loop at top
        level, a module in the middle of an import), a changed statement at or after the line it
        is running must not be run by the patch: it would run twice, or hang in the patch.
        The changed statement sits before the next unchanged one: compare with that one's old line."""
        if not self.module_running:
            return False
        current = min(line for _thread, line in self.module_running)
        for entry in following:
            old = old_by_key.get(entry.match_key)
            if old is not None:
                return current < old.line
        return True

    def _skipped(self, qualname):
        parts = qualname.split(".")
        return any(".".join(parts[:i]) in self.skipped for i in range(1, len(parts) + 1))

    def _diff_code(self):
        old_index, new_index = self.unit.index, self.new_index
        for key in list(old_index) + [k for k in new_index if k not in old_index]:
            old, new = old_index.get(key), new_index.get(key)
            qualname = key[0]
            if self._skipped(qualname):
                continue
            definition = new or old
            if not definition.is_function:
                continue
            name = definition.code.co_name
            line = new.code.co_firstlineno if new else old.code.co_firstlineno
            if new is None:
                if qualname not in self.reported:
                    self._report(name, qualname, protocol.REMOVED, line=line)
                continue
            if old is None:
                if qualname not in self.reported:
                    self._report(name, qualname, protocol.ADDED, line=line)
                continue
            if key not in self.forced and old.code == new.code:
                continue  # the same code, lines included (above the edit): nothing to swap
            changed = codeindex.own_text(old.code) != codeindex.own_text(new.code) or key in self.forced
            layout = new.code.co_freevars
            others = [free for free in self._layouts(key, old.code) if free != layout]
            if others and new.in_module_classes and all(set(free) ^ set(layout) == {"__class__"} for free in others):
                if old.code.co_freevars != layout:
                    self._plan_rebuild(key, new)
                    continue
                others = []  # bound methods taken before a method started using super() keep their code
            if others:
                reason = "its closure variables changed (%s -> %s): functions created before the edit cannot take the new code; restart the program to apply this" % (
                    ", ".join(others[0]) or "none",
                    ", ".join(layout) or "none",
                )
                self._report(name, qualname, protocol.REFUSED, reason, line)
                self.kept.append(qualname)
                self.skipped.add(qualname)
                continue
            self.swaps.append((key, new, changed))
            if changed and qualname not in self.reported:
                self._report(name, qualname, protocol.UPDATED, line=line)

    def _layouts(self, key, code):
        """The closure variables of `code` (the running version) and of every live function of
        the definition: closures created since an update of their enclosing function may have
        others. A function takes only code with the same ones."""
        layouts = [code.co_freevars]
        slot = self.unit.slots.get(key)
        if slot is not None:
            for function in list(slot.functions):
                free = function.__code__.co_freevars
                if id(function.__code__) in slot.versions and free not in layouts:
                    layouts.append(free)
        return layouts

    def _plan_rebuild(self, key, new):
        """A method that starts (or stops) using super() needs a `__class__` cell: a new function
        object, bound in the class where the old one was."""
        parts = key[0].split(".")
        self._report(parts[-1], key[0], protocol.UPDATED, line=new.code.co_firstlineno)
        self.actions.append(lambda undo: self._rebuild_method(undo, key, new, tuple(parts[:-1]), parts[-1]))

    def _slots_for_new_version(self):
        """key -> Slot for the new version; new codes are mapped so functions created while the
        patch applies (and after) are tracked."""
        slots = {}
        for key, definition in self.new_index.items():
            slot = self.unit.slots.get(key)
            if slot is None:
                slot = registry.Slot(key, definition.code)
            else:
                slot.map_code(definition.code)
            slots[key] = slot
        return slots

    # ---- 3. apply --------------------------------------------------------------------------------

    def _apply(self):
        undo = []
        snapshot = dict(self.namespace)
        interval = sys.getswitchinterval()
        sys.setswitchinterval(_APPLY_SWITCH_INTERVAL)
        try:
            try:
                for key, new, _changed in self.swaps:
                    self._swap(undo, self.slots[key], new.code)
                for key in self._added_keys():
                    self._advance(undo, self.slots[key], self.new_index[key].code, stale=False)
                for action in self.actions:
                    action(undo)
                self._verify()
            except BaseException as exc:
                for step in reversed(undo):
                    step()
                _restore(self.namespace, snapshot)
                if isinstance(exc, _RuntimeFailure):
                    return self._runtime_failure(exc.__cause__)
                raise
        finally:
            sys.setswitchinterval(interval)
        return None

    def _added_keys(self):
        return [key for key in self.new_index if key not in self.unit.index]

    def _advance(self, undo, slot, code, stale):
        """Make `code` the slot's newest version (functions created from now on get it)."""
        previous_code, previous_stale = slot.code, set(slot.stale)
        if stale:
            slot.stale.update(i for i in list(slot.versions) if i != id(code))
        slot.code = code

        def back():
            slot.code = previous_code
            slot.stale.clear()
            slot.stale.update(previous_stale)

        undo.append(back)

    def _swap(self, undo, slot, code):
        self._advance(undo, slot, code, stale=True)
        versions = slot.versions
        doc = _docstring(code)
        for function in list(slot.functions):
            old = function.__code__
            if old is code or id(old) not in versions or old.co_freevars != code.co_freevars:
                continue  # (other closure variables: planned to keep their code)
            old_doc = function.__doc__
            function.__code__ = code
            if old_doc == _docstring(old) and doc != old_doc:
                function.__doc__ = doc
            undo.append(lambda f=function, c=old, d=old_doc: (setattr(f, "__code__", c), setattr(f, "__doc__", d)))

    def _compile_snippet(self, node, mode):
        code = compile(node, self.file, mode, self.flags, True)
        pending = [code]
        while pending:
            current = pending.pop()
            for const in current.co_consts:
                if isinstance(const, types.CodeType):
                    key = self.positions.get((_qualname(const), const.co_firstlineno))
                    if key is not None:
                        self.slots[key].map_code(const)
                        self.fresh.add(id(const))
                    pending.append(const)
        return code

    def _user_code(self, run):
        """Run the program's code; what it raises becomes a _RuntimeFailure (rollback + report)."""
        try:
            return run()
        except BaseException as exc:  # sys.exit() in re-run code is reported, not obeyed
            raise _RuntimeFailure() from exc

    def _owner(self, owner):
        target = self.namespace[owner[0]]
        for part in owner[1:]:
            target = target.__dict__[part]
        return target

    def _bind(self, undo, owner, name, value):
        if not owner:
            self.namespace[name] = value  # the namespace snapshot undoes this
            return
        cls = self._owner(owner)
        previous = cls.__dict__.get(name, _MISSING)
        setattr(cls, name, value)
        undo.append(lambda: _set_or_delete(cls, name, previous))
        set_name = getattr(type(value), "__set_name__", None)
        if previous is _MISSING and set_name is not None:
            set_name(value, cls, name)

    def _run_statement(self, undo, entry, owner):
        module = ast.Module(body=[entry.node], type_ignores=[])
        code = self._compile_snippet(module, "exec")
        if not owner:
            self._user_code(lambda: exec(code, self.namespace))
            return
        cls = self._owner(owner)
        local = dict(cls.__dict__)
        self._user_code(lambda: exec(code, self.namespace, local))
        for name, value in local.items():
            if cls.__dict__.get(name, _MISSING) is not value:
                self._bind(undo, owner, name, value)

    def _evaluate(self, expression, owner):
        """Evaluate an expression of the new source in the scope of `owner` (module or class)."""
        code = self._compile_snippet(ast.fix_missing_locations(ast.Expression(body=expression)), "eval")
        local = dict(self._owner(owner).__dict__) if owner else None
        return self._user_code(lambda: eval(code, self.namespace, local))

    def _signature_parts(self, node, owner):
        """(defaults, kwdefaults, annotations, decorators) of a def, evaluated like `def` does."""
        args = node.args
        kw_names = [a.arg for a, d in zip(args.kwonlyargs, args.kw_defaults) if d is not None]
        kw_values = [d for d in args.kw_defaults if d is not None]
        annotated = [a for a in args.posonlyargs + args.args + args.kwonlyargs + [args.vararg, args.kwarg] if a and a.annotation]
        ann_names = [a.arg for a in annotated]
        ann_values = [a.annotation for a in annotated]
        if node.returns is not None:
            ann_names.append("return")
            ann_values.append(node.returns)
        if self.flags & __future__.annotations.compiler_flag:
            ann_values = [ast.Constant(value=ast.unparse(v)) for v in ann_values]
        user_decorators = node.decorator_list[:-1]  # the last one is hotframe's own tracker
        expression = ast.Tuple(
            elts=[
                ast.Tuple(elts=list(args.defaults), ctx=ast.Load()),
                ast.Dict(keys=[ast.Constant(value=n) for n in kw_names], values=kw_values),
                ast.Dict(keys=[ast.Constant(value=n) for n in ann_names], values=ann_values),
                ast.List(elts=list(user_decorators), ctx=ast.Load()),
            ],
            ctx=ast.Load(),
        )
        _locate_missing(expression, node)
        defaults, kwdefaults, annotations, decorators = self._evaluate(expression, owner)
        return defaults or None, kwdefaults or None, annotations, decorators

    def _add_def(self, undo, key, entry, owner):
        definition = self.new_index[key]
        code = definition.code
        defaults, kwdefaults, annotations, decorators = self._signature_parts(entry.node, owner)
        closure = None
        if code.co_freevars:
            # Only a method using super() has a free variable at module or class level.
            closure = tuple(types.CellType(self._owner(owner)) for _ in code.co_freevars)
        function = types.FunctionType(code, self.namespace, code.co_name, defaults, closure)
        function.__kwdefaults__ = kwdefaults
        function.__qualname__ = definition.qualname
        function.__annotations__ = annotations
        self.slots[key].functions.add(function)
        value = function
        for decorator in reversed(decorators):
            value = self._user_code(lambda d=decorator, v=value: d(v))
        self._bind(undo, owner, entry.name, value)

    def _add_class(self, undo, key, entry, owner):
        node = entry.node
        expression = ast.Tuple(
            elts=[
                ast.List(elts=list(node.bases), ctx=ast.Load()),
                ast.Dict(keys=[ast.Constant(value=k.arg) if k.arg else None for k in node.keywords], values=[k.value for k in node.keywords]),
                ast.List(elts=list(node.decorator_list), ctx=ast.Load()),
            ],
            ctx=ast.Load(),
        )
        _locate_missing(expression, node)
        bases, keywords, decorators = self._evaluate(expression, owner)
        body = types.FunctionType(self.new_index[key].code, self.namespace, entry.name)
        value = self._user_code(lambda: builtins.__build_class__(body, entry.name, *bases, **keywords))
        for decorator in reversed(decorators):
            value = self._user_code(lambda d=decorator, v=value: d(v))
        self._bind(undo, owner, entry.name, value)

    def _set_defaults(self, undo, key, entry, owner):
        defaults, kwdefaults, _annotations, _decorators = self._signature_parts(entry.node, owner)
        slot = self.slots[key]
        for function in list(slot.functions):
            undo.append(lambda f=function, d=function.__defaults__, k=function.__kwdefaults__: _set_defaults(f, d, k))
            _set_defaults(function, defaults, kwdefaults)

    def _remove(self, undo, name, owner):
        if not owner:
            self.namespace.pop(name, None)  # the namespace snapshot undoes this
            return
        cls = self._owner(owner)
        if name in cls.__dict__:
            previous = cls.__dict__[name]
            delattr(cls, name)
            undo.append(lambda: setattr(cls, name, previous))

    def _rebuild_method(self, undo, key, new, owner, name):
        cls = self._owner(owner)
        slot = self.slots[key]
        raw = cls.__dict__.get(name)
        # The function the class holds (bound methods taken earlier may hold others of the slot).
        held = (raw, raw.__func__ if isinstance(raw, (staticmethod, classmethod)) else None)
        if isinstance(raw, property):
            held += (raw.fget, raw.fset, raw.fdel)
        old = next((f for f in slot.functions if any(f is h for h in held)), None)
        if old is None:
            raise RuntimeError("%s.%s is wrapped by a decorator hotframe cannot rebind" % (cls.__name__, name))
        self._advance(undo, slot, new.code, stale=False)  # other free variables: no upgrade
        closure = tuple(types.CellType(cls) for _ in new.code.co_freevars)
        function = types.FunctionType(new.code, old.__globals__, old.__name__, old.__defaults__, closure)
        function.__kwdefaults__ = old.__kwdefaults__
        function.__qualname__ = old.__qualname__
        function.__dict__.update(old.__dict__)
        function.__annotations__ = old.__annotations__
        slot.functions.add(function)
        if raw is old:
            value = function
        elif isinstance(raw, (staticmethod, classmethod)):
            value = type(raw)(function)
        else:  # a property holding `old`
            parts = [function if f is old else f for f in (raw.fget, raw.fset, raw.fdel)]
            value = property(*parts, raw.__doc__)
        self._bind(undo, owner, name, value)

    def _verify(self):
        for key, new, _changed in self.swaps:
            slot = self.slots[key]
            versions = slot.versions
            for function in list(slot.functions):
                code = function.__code__
                same_layout = code.co_freevars == new.code.co_freevars
                if id(code) in versions and code is not new.code and id(code) not in self.fresh and same_layout:
                    raise RuntimeError("%s still runs its old code after the swap" % key[0])

    def _runtime_failure(self, exc):
        frames = [f for f in traceback.extract_tb(exc.__traceback__) if not f.filename.startswith(_AGENT_DIR)]
        text = "Traceback (most recent call last):\n" + "".join(traceback.format_list(frames))
        text += "".join(traceback.format_exception_only(type(exc), exc))
        in_file = [f for f in frames if f.filename == self.file or os.path.realpath(f.filename) == self.file]
        line = in_file[-1].lineno if in_file else None
        message = "".join(traceback.format_exception_only(type(exc), exc)).strip().splitlines()[-1]
        error = protocol.patch_error("runtime", message, line, None, text)
        return protocol.patch_result(protocol.REJECTED, [], error)

    # ---- 4. report ---------------------------------------------------------------------------------

    def _commit(self):
        self.committed = True
        unit = self.unit
        unit.slots.update(self.slots)
        unit.source = self.source
        old_index, unit.outline, unit.index = unit.index, self.outline, self.new_index
        # A refused definition (also one whose removal was refused) keeps running its version:
        # the next edit is compared with that, not with the text saved, so it is reported again
        # while the saved text differs, and saving it back as it runs reports nothing.
        unit.kept = self.kept_entries
        for qualname in self.kept:
            for key in [k for k in unit.index if _inside(k[0], qualname)]:
                del unit.index[key]
            for key, definition in old_index.items():
                if _inside(key[0], qualname):
                    unit.index[key] = definition

    def _mark_running(self, running):
        """An updated function that a thread is running keeps its code in that frame."""
        if not running:
            return
        names = {t.ident: t.name for t in threading.enumerate()}
        for outcome in self.outcomes:
            if outcome["status"] != protocol.UPDATED or outcome.get("kind"):
                continue
            threads = set()
            for key, slot in self.slots.items():
                if key[0] == outcome["qualname"]:
                    threads.update(running.get(code_id) for code_id in list(slot.versions) if code_id in running)
            threads.discard(None)
            if threads:
                where = ", ".join(sorted(names.get(t, "thread %d" % t) for t in threads))
                outcome["status"] = protocol.RUNNING_OLD
                outcome["reason"] = "running in thread %s: its new code applies from its next call" % where

    def _after_patch_hook(self, result):
        hook = self.namespace.get("__hotframe_after_patch__")
        if not callable(hook):
            return
        info = types.SimpleNamespace(file=self.file, outcome=result["outcome"], functions=result["functions"])
        try:
            hook(info)
        except Exception:
            if on_warning is not None:
                on_warning("__hotframe_after_patch__ raised:\n" + traceback.format_exc(), self.file)


def _module_frames(module_code):
    """(thread name, line) of each frame running the module's own top-level code."""
    names = {t.ident: t.name for t in threading.enumerate()}
    found = []
    for ident, frame in sys._current_frames().items():
        while frame is not None:
            if frame.f_code is module_code:
                found.append((names.get(ident, "%d" % ident), frame.f_lineno))
            frame = frame.f_back
    return found


def _loaded_names(code):
    """Names a code object reads (globals, attributes): co_names also holds the names it only
    assigns, such as every `def` of a module."""
    return {i.argval for i in dis.get_instructions(code) if i.opname in _NAME_READS}


def _running_codes():
    """id(code) -> (code, thread ident) for every frame on every thread's stack: proportional to
    stack depth, not to the heap."""
    running = {}
    for ident, frame in sys._current_frames().items():
        while frame is not None:
            running.setdefault(id(frame.f_code), (frame.f_code, ident))
            frame = frame.f_back
    return running


def _qualname(code):
    return getattr(code, "co_qualname", code.co_name)


def _inside(name, qualname):
    """`name` is the definition `qualname` or one nested in it."""
    return name == qualname or name.startswith(qualname + ".")


def _docstring(code):
    # The interpreter's own rule for which constant is the docstring differs across versions.
    cells = tuple(types.CellType() for _ in code.co_freevars)
    return types.FunctionType(code, {}, None, None, cells).__doc__


def _set_defaults(function, defaults, kwdefaults):
    function.__defaults__ = defaults
    function.__kwdefaults__ = kwdefaults


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
