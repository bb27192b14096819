"""Applying a new version of a loaded file to the live module, in place, all or nothing:
parse → plan → apply → commit → report.

1. Compile the whole new source once, instrumented (only the edited region is re-parsed:
   incremental.py). A SyntaxError changes nothing.
2. Plan without touching anything (planner.py): every decision, refusals included, is in the
   Plan (plan.py).
3. Apply it with undo, and verify it (apply.py): anything raising rolls every step back.
4. Commit: the Unit now describes the new version (units.py). Report (report.py).
"""

import __future__
import traceback

from . import apply, codeindex, frames, gcpause, incremental, planner, reasons, report, units
from .plan import Error

_FUTURE_FLAGS = 0
for _name in __future__.all_feature_names:
    _FUTURE_FLAGS |= getattr(__future__, _name).compiler_flag


def patch(file, source):
    """Apply `source` as the new text of the loaded `file`; return a PatchResult dict."""
    unit = units.for_file(file)
    if unit is None:
        return report.rejected(Error("refused", reasons.UNKNOWN_FILE, {"file": file}))
    if not source.strip():
        # Editors truncate a file before writing it: an empty read is far more often a save in
        # progress than a module emptied on purpose, and applying it would remove everything.
        return report.rejected(Error("refused", reasons.EMPTY_FILE))
    try:
        with gcpause.paused():
            return _patch(unit, source)
    except Exception as exc:  # a bug in hotframe: say so, the program keeps its previous code
        return report.rejected(Error("internal", reasons.INTERNAL, {"error": repr(exc)}, traceback=traceback.format_exc()))


def _patch(unit, source):
    parsed = None
    committed = False
    try:
        try:
            parsed = incremental.parse(unit.source, unit.outline, source, unit.file)
            code = compile(parsed.tree, unit.file, "exec", 0, True)
        except SyntaxError as exc:
            return report.rejected(Error("syntax", reasons.SYNTAX, {"message": exc.msg}, exc.lineno, exc.offset))
        except ValueError as exc:  # source code string cannot contain null bytes
            return report.rejected(Error("syntax", reasons.SYNTAX, {"message": str(exc)}))
        namespace = unit.find_namespace()
        if namespace is None:
            return report.rejected(Error("refused", reasons.MODULE_GONE, {"file": unit.file}))
        index = codeindex.index_module(code)
        plan = planner.plan(unit, source, parsed.outline, index, frames.now(unit.module_code))
        if plan.rejection is not None:
            # Nothing changes: the running version stays the one the next edit is compared with.
            return report.result(plan)
        try:
            live = apply.apply(plan, unit, index, code.co_flags & _FUTURE_FLAGS, namespace)
        except apply.UserCodeFailed as failure:
            return report.rejected(report.runtime_error(failure.__cause__, unit.file))
        except apply.CannotApply as failure:
            return report.rejected(failure.error)
        unit.commit(source, parsed.outline, index, live, plan)
        committed = True
        result = report.result(plan)
        report.after_patch(namespace, unit.file, result)
        return result
    finally:
        if parsed is not None and not committed:
            parsed.undo()  # shared nodes of unchanged statements get their line numbers back
