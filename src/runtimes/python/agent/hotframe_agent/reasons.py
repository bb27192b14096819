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

# code -> Reason: every reason above.
CATALOGUE = {value.code: value for value in list(globals().values()) if isinstance(value, Reason)}
