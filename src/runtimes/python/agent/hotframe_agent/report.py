"""Saying what a patch did: the PatchResult of a Plan or an Error (protocol.py builds the
shapes), and the program's own `__hotframe_after_patch__` hook."""

import os
import types

from . import protocol, reasons
from .plan import Error

_AGENT_DIR = os.path.dirname(os.path.realpath(__file__))

# Set by main.py: called with (message, file) for warnings (a `__hotframe_after_patch__` that raised).
on_warning = None


def result(plan):
    """The PatchResult of a plan that was applied (plan.rejection: of one that was not)."""
    functions = [_function(outcome) for outcome in plan.outcomes]
    if plan.rejection is not None:
        return protocol.patch_result(protocol.REJECTED, functions, _error(plan.rejection))
    return protocol.patch_result(protocol.PARTIAL if plan.refused else protocol.APPLIED, functions)


def rejected(error):
    return protocol.patch_result(protocol.REJECTED, [], _error(error))


def runtime_error(exc, file):
    """The Error for an exception the program's code raised during a patch: its traceback
    without hotframe's frames, its line the last one in `file`."""
    import traceback  # (not at start-up: it imports tokenize, linecache, textwrap)

    frames = [f for f in traceback.extract_tb(exc.__traceback__) if not f.filename.startswith(_AGENT_DIR)]
    described = "".join(traceback.format_exception_only(type(exc), exc))
    text = "Traceback (most recent call last):\n" + "".join(traceback.format_list(frames)) + described
    in_file = [f for f in frames if f.filename == file or os.path.realpath(f.filename) == file]
    line = in_file[-1].lineno if in_file else None
    message = described.strip().splitlines()[-1]
    return Error("runtime", reasons.RUNTIME, {"message": message}, line=line, traceback=text)


def after_patch(namespace, file, result):
    """Call the module's `__hotframe_after_patch__(info)`; what it raises is a warning."""
    callback = namespace.get("__hotframe_after_patch__")
    if not callable(callback):
        return
    info = types.SimpleNamespace(file=file, outcome=result["outcome"], functions=result["functions"])
    try:
        callback(info)
    except Exception:
        import traceback

        if on_warning is not None:
            on_warning("__hotframe_after_patch__ raised:\n" + traceback.format_exc(), file)


def warnings(plan, file):
    """Send the plan's warnings (main.py sets on_warning)."""
    if on_warning is not None:
        for reason, facts in plan.warnings:
            on_warning(reason.text(facts), file)


def _function(outcome):
    code = reason = None
    if outcome.reason is not None:
        code, reason = outcome.reason.code, outcome.reason.text(outcome.facts)
    return protocol.function_outcome(outcome.kind, outcome.name, outcome.qualname, outcome.status, outcome.line, code, reason)


def _error(error):
    message = error.reason.text(error.facts)
    return protocol.patch_error(error.kind, error.reason.code, message, error.line, error.column, error.traceback)
