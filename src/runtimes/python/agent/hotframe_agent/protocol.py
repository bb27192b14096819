"""The Python side of src/protocol/messages.ts — the only place the agent builds wire shapes.

Keep in step with messages.ts: PROTOCOL_VERSION, the message types and the PatchResult,
FunctionOutcome and PatchError fields.
"""

import os
import sys

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


def function_outcome(kind, name, qualname, status, line=None, code=None, reason=None):
    """kind: "function" | "class" | "statement"; code and reason: for refused and running-old."""
    outcome = {"kind": kind, "name": name, "qualname": qualname, "status": status}
    if code is not None:
        outcome["code"] = code
    if reason is not None:
        outcome["reason"] = reason
    if line is not None:
        outcome["line"] = line
    return outcome


def patch_error(kind, code, message, line=None, column=None, traceback=None):
    """kind: "syntax" | "runtime" | "refused" | "internal"; code: from reasons.py."""
    error = {"kind": kind, "code": code, "message": message}
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


def encode(message):
    """The JSON text of a message. The ones start-up sends (hello, loaded, a warning: strings,
    numbers and booleans) are written here, so that start-up does not import json (and re)."""
    if all(type(value) in _FLAT for value in message.values()):
        return "{%s}" % ", ".join("%s: %s" % (_string(key), _flat(value)) for key, value in message.items())
    import json

    return json.dumps(message, ensure_ascii=False)


_FLAT = (str, int, bool)
_ESCAPES = {n: "\\u%04x" % n for n in range(32)}
_ESCAPES.update({ord('"'): '\\"', ord("\\"): "\\\\"})


def _string(text):
    return '"%s"' % text.translate(_ESCAPES)


def _flat(value):
    if type(value) is str:
        return _string(value)
    if type(value) is bool:
        return "true" if value else "false"
    return str(value)


def hello():
    return {
        "type": "hello",
        "protocol": PROTOCOL_VERSION,
        "runtime": "python",
        "pid": os.getpid(),
        "runtimeVersion": sys.version.split()[0],  # (platform.python_version(): a slower import)
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


def debug_response(request_id, command, body):
    """The answer to a "debug" request that was done."""
    return {"type": "debugResponse", "id": request_id, "command": command, "success": True, "body": body}


def debug_refusal(request_id, command, code, message):
    """The answer to a "debug" request that failed: its code (reasons.py) and one-line reason."""
    return {"type": "debugResponse", "id": request_id, "command": command, "success": False, "code": code, "message": message}


def debug_event(event, body):
    return {"type": "debugEvent", "event": event, "body": body}
