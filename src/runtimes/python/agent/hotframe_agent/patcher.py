"""Applying a new version of a loaded file to the live module, in place, all or nothing:
parse → plan → apply → commit → report.

1. Parse and compile the new source, instrumented: only the edited region is parsed
   (incremental.py) and compiled (recompile.py). A SyntaxError changes nothing.
2. Plan without touching anything (planner.py): every decision, refusals included, is in the
   Plan (plan.py).
3. Apply it with undo, and verify it (apply.py): anything raising rolls every step back.
4. Commit: the Unit now describes the new version (units.py). Report (report.py).
"""

import traceback

from . import apply, frames, gcpause, incremental, planner, reasons, recompile, report, units
from .plan import Error


def patch(file, source):
    """Apply `source` as the new text of the loaded `file`; return a PatchResult dict."""
    loaded = units.for_file(file)
    if not loaded:
        return report.rejected(Error("refused", reasons.UNKNOWN_FILE, {"file": file}))
    if not source or source.isspace():  # (strip() would copy the whole text)
        # Editors truncate a file before writing it: an empty read is far more often a save in
        # progress than a module emptied on purpose, and applying it would remove everything.
        return report.rejected(Error("refused", reasons.EMPTY_FILE))
    try:
        with gcpause.paused():
            return _patch(loaded, source)
    except Exception as exc:  # a bug in hotframe: say so, the program keeps its previous code
        return report.rejected(Error("internal", reasons.INTERNAL, {"error": repr(exc)}, traceback=traceback.format_exc()))


class _Prepared:
    """One module of the file, parsed and planned."""

    __slots__ = ("unit", "parsed", "flags", "index", "plan", "namespace", "transaction")

    def __init__(self, unit, parsed, flags, index, plan, namespace):
        self.unit = unit
        self.parsed = parsed
        self.flags = flags  # of the new version's __future__ imports
        self.index = index
        self.plan = plan
        self.namespace = namespace
        self.transaction = None


def _patch(loaded, source):
    """Every module loaded from the file (a script run as __main__ and imported by its name is
    two) gets the patch, or none does. The first one's plan is the result."""
    prepared = []
    for unit in loaded:
        outcome = _prepare(unit, source)
        if isinstance(outcome, dict):
            return outcome  # rejected: nothing changes
        prepared.append(outcome)
    applied = []
    try:
        for one in prepared:
            one.transaction = apply.apply(one.plan, one.unit, one.index, one.flags, one.namespace)
            applied.append(one.transaction)
    except (apply.UserCodeFailed, apply.CannotApply) as failure:
        for transaction in reversed(applied):
            transaction.rollback()
        if isinstance(failure, apply.CannotApply):
            return report.rejected(failure.error)
        return report.rejected(report.runtime_error(failure.__cause__, loaded[0].file))
    for one in prepared:
        one.unit.commit(source, one.parsed, one.index, one.transaction.live, one.plan)
    first = prepared[0]
    result = report.result(first.plan)
    report.warnings(first.plan, first.unit.file)
    for one in prepared:
        report.after_patch(one.namespace, one.unit.file, result)
    return result


def _prepare(unit, source):
    """Parse and plan `source` for one module: a _Prepared, or the PatchResult of a rejection."""
    try:
        parsed = incremental.parse(unit.source, unit.outline, source, unit.file)
    except SyntaxError as exc:
        return report.rejected(_syntax_error(exc))
    except ValueError as exc:  # source code string cannot contain null bytes
        return report.rejected(Error("syntax", reasons.SYNTAX, {"message": str(exc)}))
    try:
        index, flags = recompile.new_version(unit, parsed)
    except SyntaxError as exc:
        return report.rejected(_syntax_error(exc))
    namespace = unit.find_namespace()
    if namespace is None:
        return report.rejected(Error("refused", reasons.MODULE_GONE, {"file": unit.file}))
    plan = planner.plan(unit, source, parsed, index, frames.now(unit.module_code))
    if plan.rejection is not None:
        # Nothing changes: the running version stays the one the next edit is compared with.
        return report.result(plan)
    for step in plan.steps:  # (what the steps compile gets the line numbers of the new version)
        if getattr(step, "entry", None) is not None:
            parsed.outline.positioned(step.entry)
    return _Prepared(unit, parsed, flags, index, plan, namespace)


def _syntax_error(exc):
    # IndentationError and TabError are named: the terminal calls any other message a SyntaxError.
    message = exc.msg if type(exc) is SyntaxError else "%s: %s" % (type(exc).__name__, exc.msg)
    return Error("syntax", reasons.SYNTAX, {"message": message}, exc.lineno, exc.offset)
