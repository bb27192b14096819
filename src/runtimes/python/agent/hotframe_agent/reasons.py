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
SUSPENDED = Reason(
    "suspended",
    "{count} suspended generator(s) or coroutine(s) of it keep running the old code until they "
    "finish; new ones run the new code",
)

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
DECORATED_REMOVED = Reason(
    "decorated-removed",
    "its decorator {decorator} may have registered it (a route, a handler): removing the name "
    "would not undo that; it stays until the program restarts",
)
STATEMENT_REMOVED = Reason(
    "statement-removed",
    "removing a statement does not undo what it did when it ran (the names it bound "
    "stay bound, a call it made stays made): " + _RESTART,
)
MAIN_GUARD = Reason(
    "main-guard", "the `if __name__ == '__main__'` block runs once: restart the program to run it again"
)
MODULE_RUNNING = Reason(
    "module-running",
    "the module's top-level code is still running (line {line}, thread {thread}) and has not "
    "finished this part: it runs its old version; " + _RESTART,
)
# A statement whose running again would not give what a fresh run of the new source gives
EFFECT_CHANGED = Reason(
    "effect-changed",
    "it does something when it runs ({effect}): running it again would do that a second time, "
    "next to what the old version did; " + _RESTART + " (or do it in __hotframe_after_patch__)",
)
CHANGED_SINCE = Reason(
    "changed-since",
    "the program changed {names} since this statement ran (it no longer holds what the old "
    "version made): running the new version would lose that; " + _RESTART,
)
CLASS_REMADE = Reason(
    "class-remade",
    "`{name}` is a class this statement made by a call: running it again would make another "
    "class, and the {count} live objects made from the old one (an Enum's members too) would "
    "not be instances of it; " + _RESTART,
)
CLASS_MACHINERY = Reason(
    "class-machinery",
    "{cls} is {kind}: {why}; {todo}",
)
NEEDS_REFUSED = Reason(
    "needs-refused",
    "it uses {names}, which only `{statement}` (line {line}) makes, and that is refused: it "
    "keeps its old version so that it does not fail; " + _RESTART,
)
# A change (statement, new definition) that a later statement reading what it binds cannot follow
_NOT_FOLLOWED = ": this change is not applied, so that both keep the old behaviour; " + _RESTART
FOLLOWER_CALLS = Reason(
    "follower-calls",
    "`{dependent}` (line {line}) reads {names}, and running it again would call {call} a second time"
    + _NOT_FOLLOWED,
)
FOLLOWER_CHANGED_SINCE = Reason(
    "follower-changed-since",
    "`{dependent}` (line {line}) reads {names}, and the program changed {changed} since it ran"
    + _NOT_FOLLOWED,
)
FOLLOWER_MACHINERY = Reason(
    "follower-machinery",
    "`{dependent}` (line {line}) reads {names}, but {cls} is {kind}: {why}" + _NOT_FOLLOWED,
)
FOLLOWER_ONCE = Reason(
    "follower-once",
    "the decorators or bases of `{dependent}` (line {line}) read {names}; they ran once, when it "
    "was created" + _NOT_FOLLOWED,
)

# Warnings (what the user must know beside the outcomes)
FORKED = Reason(
    "forked",
    "{count} forked child process(es) of this program (pid {pids}) keep running the code they "
    "were forked with: this edit reaches them only once they are started again (a "
    "multiprocessing pool: recreate it, or use the spawn start method)",
)
OLD_OBJECTS = Reason(
    "old-objects",
    "{count} live {cls} objects were built before this edit by the old __init__: they have no {names} (set it on "
    "them, e.g. in __hotframe_after_patch__, or restart the program)",
)
OLD_FIELDS = Reason(
    "old-fields",
    "{count} live {cls} objects were built before this edit: they keep {names}, no longer a field "
    "(their repr and == leave it out; del it from them, e.g. in __hotframe_after_patch__, or "
    "restart the program)",
)
REMOVED_MEMBER = Reason(
    "removed-member",
    "{count} object(s) of the program still hold {cls}.{name}, no longer a member: it keeps its name and "
    "value, but {cls}({value}), {cls}['{name}'] and {cls}.{name} raise and list({cls}) leaves it out, as in a "
    "fresh run (replace it in them, e.g. in __hotframe_after_patch__, or save the member back)",
)
OUTSIDE_ROOT = Reason(
    "outside-root",
    "{file} is outside the watched root {root}: it runs uninstrumented and edits to it are not "
    "applied (start hotframe with --watch at a folder that holds it)",
)
MAIN_READ = Reason(
    "main-read",
    "the `if __name__ == '__main__'` block read {names} when it ran: what it did with the old "
    "value stays until the program restarts",
)
COPY_KEPT = Reason(
    "copy-kept",
    "{file}: `{alias}` (from {module} import {name}) was rebound by the program since: it keeps "
    "its value, {module}.{name} has the new one",
)
CACHE_CLEARED = Reason(
    "cache-cleared", "{qualname}: its functools cache held results of the old code and was cleared"
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
UNKNOWN_EXCEPTION_FILTER = Reason(
    "unknown-exception-filter", "'{filter}' is not an exception filter: uncaught or raised (none: an empty list)"
)
NOT_AN_EXCEPTION = Reason("not-an-exception", "thread {thread} is not paused on an exception")
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
