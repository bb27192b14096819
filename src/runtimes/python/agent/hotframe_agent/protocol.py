"""The Python side of src/protocol/messages.ts — the only place the agent builds wire shapes.

Keep in step with messages.ts: PROTOCOL_VERSION, the message types and the PatchResult,
FunctionOutcome and PatchError fields.
"""

import os
import platform

PROTOCOL_VERSION = 2

# FunctionOutcome.status
UPDATED = "updated"
ADDED = "added"
REMOVED = "removed"
RUNNING_OLD = "running-old"
REFUSED = "refused"

# PatchResult.outcome
APPLIED = "applied"
PARTIAL = "partial"
REJECTED = "rejected"


def function_outcome(name, qualname, status, reason=None, line=None, kind=None):
    outcome = {"name": name, "qualname": qualname, "status": status}
    if kind is not None and kind != "function":
        outcome["kind"] = kind
    if reason is not None:
        outcome["reason"] = reason
    if line is not None:
        outcome["line"] = line
    return outcome


def patch_error(kind, message, line=None, column=None, traceback=None):
    """kind: "syntax" | "runtime" | "refused" | "internal"."""
    error = {"kind": kind, "message": message}
    if line is not None:
        error["line"] = line
    if column is not None:
        error["column"] = column
    if traceback is not None:
        error["traceback"] = traceback
    return error


def patch_result(outcome, functions, error=None):
    result = {"outcome": outcome, "functions": functions}
    if error is not None:
        result["error"] = error
    return result


def hello():
    return {
        "type": "hello",
        "protocol": PROTOCOL_VERSION,
        "runtime": "python",
        "pid": os.getpid(),
        "runtimeVersion": platform.python_version(),
    }


def loaded(file):
    return {"type": "loaded", "file": file}


def patched(request_id, file, result):
    return {"type": "patched", "id": request_id, "file": file, "result": result}


def warning(message, file=None):
    message = {"type": "warning", "message": message}
    if file is not None:
        message["file"] = file
    return message


def debug_response(request_id, command, body, error=None):
    """The answer to a "debug" request: its body, or the one-line reason it failed."""
    response = {"type": "debugResponse", "id": request_id, "command": command, "success": error is None}
    if error is None:
        response["body"] = body
    else:
        response["message"] = error
    return response


def debug_event(event, body):
    return {"type": "debugEvent", "event": event, "body": body}
