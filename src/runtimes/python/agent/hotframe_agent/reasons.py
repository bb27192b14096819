"""The catalogue of reasons: every refusal, running-old and error the agent reports is one of
these, a kebab-case code (what tools act on) and its text (what the user reads).

Codes that name the same situation are the same word in the Node agent; docs/protocol.md lists
the shared ones (running, syntax, unknown-file, empty-file, runtime, internal).
"""


class Reason:
    __slots__ = ("code", "template")

    def __init__(self, code, template):
        self.code = code
        self.template = template  # str.format() fields: the facts of one occurrence

    def text(self, facts):
        return self.template.format(**facts)

    def __repr__(self):
        return "Reason(%r)" % self.code


_RESTART = "restart the program to apply this"

# A definition (entry status running-old)
RUNNING = Reason("running", "running in thread {threads}: its new code applies from its next call")

# A definition or statement (entry status refused)
DECORATORS_CHANGED = Reason("decorators-changed", "its decorators changed: " + _RESTART)
BASES_CHANGED = Reason("bases-changed", "its bases or decorators changed: " + _RESTART)
CLOSURE_CHANGED = Reason(
    "closure-changed",
    "its closure variables changed ({before} -> {after}): functions created before the edit "
    "cannot take the new code; " + _RESTART,
)
STILL_USED = Reason(
    "still-used",
    "still used by code that keeps running (e.g. a loop in the module's top-level code): "
    "it stays until the program restarts",
)
MAIN_GUARD = Reason(
    "main-guard", "the `if __name__ == '__main__'` block runs once: restart the program to run it again"
)
MODULE_RUNNING = Reason(
    "module-running",
    "the module's top-level code is still running (line {line}, thread {thread}) and has not "
    "finished this part: it runs its old version; " + _RESTART,
)

# The whole patch (PatchResult.error)
SYNTAX = Reason("syntax", "{message}")
UNKNOWN_FILE = Reason("unknown-file", "{file} was never imported by the program")
EMPTY_FILE = Reason(
    "empty-file",
    "the file is empty: an edit that removes everything is not applied (restart the program for that)",
)
MODULE_GONE = Reason("module-gone", "the module of {file} is no longer loaded: restart the program to patch it")
NOTHING_APPLIED = Reason("nothing-applied", "nothing in this edit can be applied to the running program")
CANNOT_REBIND = Reason("cannot-rebind", "{qualname} is wrapped by a decorator hotframe cannot rebind: " + _RESTART)
RUNTIME = Reason("runtime", "{message}")
INTERNAL = Reason("internal", "hotframe failed: {error}")
NOT_SWAPPED = Reason("not-swapped", "hotframe failed: {qualname} still runs its old code after the swap")

# A debug request (a failed debugResponse; the debugger's refusals change nothing)
UNKNOWN_COMMAND = Reason("unknown-command", "unknown debug command '{command}'")
NOT_PAUSED = Reason("not-paused", "the program is running: pause it first")
THREAD_NOT_PAUSED = Reason("thread-not-paused", "thread {thread} is not paused")
NO_EXCEPTION_BREAKPOINTS = Reason(
    "no-exception-breakpoints", "exception breakpoints (catch raised/uncaught) are not implemented yet for Python"
)
OWN_SIGINT_HANDLER = Reason(
    "own-sigint-handler", "the program installed its own SIGINT handler: it cannot be paused from outside"
)
RESTART_MODULE = Reason(
    "restart-module",
    "cannot restart {qualname}: a module's top-level code cannot be restarted (it would run its statements again)",
)
RESTART_UNINSTRUMENTED = Reason(
    "restart-uninstrumented", "cannot restart {qualname}: it is not one of the program's instrumented functions"
)
BAD_CONDITION = Reason("bad-condition", "the condition '{condition}' does not compile: {message}")
BAD_HIT_CONDITION = Reason("bad-hit-condition", "the hit condition '{condition}' is not one of N, >N, >=N, ==N, %N")
INVALID_REFERENCE = Reason("invalid-reference", "reference {number} is not valid in this pause")
NOT_A_FRAME = Reason("not-a-frame", "{number} is not a frame of this pause")
NOT_A_SCOPE = Reason("not-a-scope", "only variables of a scope can be set")
# an exception while doing it: raised by the user's code (evaluate, a repr) or a malformed request
RAISED = Reason("raised", "{error}")


class Refused(Exception):
    """A debug request that cannot be done, for `reason`: its text is the answer (one line)."""

    def __init__(self, reason, **facts):
        super().__init__(reason.text(facts))
        self.reason = reason


# code -> Reason: every reason above.
CATALOGUE = {value.code: value for value in list(globals().values()) if isinstance(value, Reason)}
