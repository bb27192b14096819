/**
 * The one definition of the messages between a runtime controller (in the hotframe process) and
 * the agent running inside the debuggee. Every agent (Node in TypeScript, Python in stdlib Python)
 * speaks exactly this; docs/protocol.md describes it for the Python side.
 *
 * Transport: newline-delimited JSON (one UTF-8 JSON object per line) over a socket pair that the
 * controller creates and the child inherits as file descriptor AGENT_FD. No TCP.
 */

/** Bumped whenever a message changes shape; the agent refuses to run against another version. */
export const PROTOCOL_VERSION = 2;

/** The descriptor number on which the agent finds its end of the pipe. */
export const AGENT_FD = 3;

/** Environment variables the controller sets for the agent. */
export const AGENT_ENV = {
  /** Descriptor number of the pipe (always AGENT_FD; passed so the agent never guesses). */
  fd: "HOTFRAME_FD",
  /** PROTOCOL_VERSION as a decimal string. */
  protocol: "HOTFRAME_PROTOCOL",
  /** Absolute path of the watched root: only modules under it are instrumented. */
  root: "HOTFRAME_ROOT",
  /** "1" to also instrument third-party packages (node_modules / site-packages) under the root. */
  instrumentDeps: "HOTFRAME_INSTRUMENT_DEPS",
  /** "entry" (pause before the first line) or "continue" under `hotframe debug` and the DAP
   * adapter's launch; "attach" under `hotframe run --attachable`: no debugging cost until the
   * first `debug` request arrives, which turns the debugger on; `detach` turns it off again. */
  debugger: "HOTFRAME_DEBUGGER",
} as const;

export type RuntimeName = "python" | "node";

/**
 * A reason's code: a kebab-case word from the agent's catalogue of reasons (docs/protocol.md lists
 * the codes every agent has). Tools act on the code, never on the English text beside it.
 * @pattern ^[a-z][a-z0-9]*(-[a-z0-9]+)*$
 */
export type ReasonCode = string;

/**
 * A 1-based line or column in a source file.
 * @asType integer
 * @minimum 1
 */
export type Position = number;

/**
 * A whole number: a request id, a process id, a protocol version.
 * @asType integer
 * @minimum 0
 */
export type Integer = number;

/** What an entry of a patch result is: "statement" is re-run (or refused) top-level code and constants. */
export type OutcomeKind = "function" | "class" | "statement";

interface OutcomeFields {
  kind: OutcomeKind;
  /** Short name as written: `total`; for a class its name; for a statement the names it binds
   * joined by ", " (`a, b`), or, when it binds nothing, its first line with runs of white space
   * folded to one space (longer than 60 characters: its first 59 and "…"). */
  name: string;
  /** Qualified name: `Order.total`, `make_counter.<locals>.inc`; for a statement `<module>` or the
   * qualified name of the class whose body holds it. */
  qualname: string;
  /** Where the definition is in the new source (the old one for "removed"). */
  line?: Position;
}

/** An entry whose change is live. */
export interface LiveOutcome extends OutcomeFields {
  status:
    | "updated" // the new code runs from the next call, everywhere (a statement: it was run)
    | "added" // a new definition now exists in the live module
    | "removed" // a definition that no longer exists in the source was removed from the module
    | "restarted"; // a paused frame was restarted with the new code (debugger)
  /** A note on how it was applied (its code and its text), when there is one worth telling. */
  code?: ReasonCode;
  reason?: string;
}

/** An entry that is refused, or waits for a running frame: it always says why. */
export interface ExplainedOutcome extends OutcomeFields {
  status:
    | "running-old" // updated, but a frame that is running it now keeps its old code until it returns
    | "refused"; // not applied
  code: ReasonCode;
  /** Why it was refused (and what to do), or what "running-old" waits for. */
  reason: string;
}

/**
 * What happened to one function (or method, class, top-level statement) in a patch.
 * @discriminator status
 */
export type FunctionOutcome = LiveOutcome | ExplainedOutcome;

export type FunctionStatus = FunctionOutcome["status"];

export interface PatchError {
  /** syntax: the new source does not compile (or is not UTF-8); runtime: re-run top-level code
   * raised; refused: the edit cannot be applied consistently; internal: a bug in hotframe. */
  kind: "syntax" | "runtime" | "refused" | "internal";
  code: ReasonCode;
  /** One line, for the terminal. */
  message: string;
  /** Where in the edited file, when known. */
  line?: Position;
  column?: Position;
  /** A traceback / stack pointing into the user's file, when the user's code raised. */
  traceback?: string;
}

/** Every change is live and verified ("applied"), or some entries were refused, each saying why,
 * and the rest is live and consistent ("partial"). */
export interface LivePatchResult {
  outcome: "applied" | "partial";
  functions: FunctionOutcome[];
  error?: PatchError;
}

/** Nothing changed; `error` says why. */
export interface RejectedPatchResult {
  outcome: "rejected";
  functions: FunctionOutcome[];
  error: PatchError;
}

/** @discriminator outcome */
export type PatchResult = LivePatchResult | RejectedPatchResult;

/** Controller → agent. */
export type ControllerMessage =
  /** Apply this new source of an already loaded file. `file` is absolute. */
  | { type: "patch"; id: Integer; file: string; source: string }
  /** A debugger request (only under `hotframe debug`); answered by a `debugResponse`. */
  | DebugRequest;

/**
 * Agent → controller.
 * @discriminator type
 */
export type AgentMessage =
  /** First message, sent before any user code runs. */
  | { type: "hello"; protocol: Integer; runtime: RuntimeName; pid: Integer; runtimeVersion: string }
  /** A user module was loaded and instrumented; `file` is absolute. Edits to it can be patched. */
  | { type: "loaded"; file: string }
  /** The answer to a patch request, sent after the result was verified live. */
  | { type: "patched"; id: Integer; file: string; result: PatchResult }
  /** Something the user should know that is not the answer to a request (e.g. a module that could
   * not be instrumented and runs unpatchable). */
  | { type: "warning"; message: string; file?: string }
  /** The answer to a `debug` request. */
  | DebugResponse
  /** Something the debugger reports on its own: a pause, a resume, a breakpoint that changed. */
  | DebugEvent;

// ---- Debugging (docs/protocol.md, "Debugging") ------------------------------------------------
// DAP-shaped where it costs nothing: the DAP adapter maps these 1:1. Frame ids and
// variablesReference numbers are valid during one pause only. Threads are small numbers (1 is the
// main thread). Paths are absolute. Lines are 1-based.

/** A line breakpoint as the controller sets it; `id` is the controller's number for it. */
export interface SourceBreakpoint {
  id: number;
  line: number;
  /** An expression in the program's language: the breakpoint stops only when it is true. */
  condition?: string;
  /** DAP's hit condition: `N` or `>=N` (from the Nth hit on), `>N`, `==N`, `%N` (every Nth). */
  hitCondition?: string;
  /** pdb's `ignore`: the next this many hits do not stop. */
  ignoreCount?: number;
  /** A log point: print this (with `{expression}` parts evaluated) instead of stopping. */
  logMessage?: string;
  /** Removed once it has stopped the program (pdb's `tbreak`). */
  temporary?: boolean;
}

export interface FunctionBreakpoint extends Omit<SourceBreakpoint, "line"> {
  /** A function name or a qualified name's last parts: `compute`, `Order.total`. */
  name: string;
}

/** verified: where it is asked; moved: to the next line with code (`message` says so); pending:
 * its file (or function) is not loaded yet, or it is nowhere (`message` says which);
 * removed: a temporary breakpoint after its stop. */
export type BreakpointState = "verified" | "moved" | "pending" | "removed";

export interface Breakpoint {
  id: number;
  verified: boolean;
  state: BreakpointState;
  source?: string;
  /** Where it stops (absent while pending). */
  line?: number;
  requestedLine?: number;
  function?: string;
  message?: string;
}

export interface StackFrame {
  id: number;
  /** The function's qualified name (`Order.total`, `<module>`). */
  name: string;
  source: string;
  line: number;
  column?: number;
  /** The parameters and their values now, short: `order=<Order 17>, n=3` (absent for module code). */
  arguments?: string;
  /** First and last line of the function's definition (pdb's `ll` lists them). */
  definition?: { startLine: number; endLine: number };
  canRestart: boolean;
  /** The frame runs an older version of its function than the newest: an edit came after it started. */
  runningOld: boolean;
}

export interface Scope {
  name: string;
  variablesReference: number;
  namedVariables?: number;
  expensive: boolean;
}

export interface Variable {
  name: string;
  /** A short display form (long values are cut). */
  value: string;
  type?: string;
  /** > 0 when the value has children: ask `variables` for them, a page at a time. */
  variablesReference: number;
  namedVariables?: number;
  indexedVariables?: number;
}

export type PauseReason = "entry" | "breakpoint" | "step" | "exception" | "pause" | "restart";

/** Each debug command: its arguments and the body of a successful response. */
export interface DebugCommands {
  /** Replace the line breakpoints of one file. */
  setBreakpoints: {
    arguments: { source: string; breakpoints: SourceBreakpoint[] };
    body: { breakpoints: Breakpoint[] };
  };
  /** DAP's breakpointLocations: the lines from `line` to `endLine` (just `line` when absent) of
   * `source` where a line breakpoint stops as asked (not moved), in order. A file the program has
   * not loaded: Python reads it from disk; Node answers none (V8 knows the scripts it parsed). */
  breakpointLocations: {
    arguments: { source: string; line: number; endLine?: number };
    body: { breakpoints: { line: number }[] };
  };
  /** Replace the function breakpoints. */
  setFunctionBreakpoints: {
    arguments: { breakpoints: FunctionBreakpoint[] };
    body: { breakpoints: Breakpoint[] };
  };
  /** "uncaught" | "raised"; an agent that cannot answers with an error. */
  setExceptionBreakpoints: { arguments: { filters: string[] }; body: Record<string, never> };
  threads: { arguments: Record<string, never>; body: { threads: { id: number; name: string }[] } };
  continue: { arguments: { threadId: number }; body: { allThreadsContinued: boolean } };
  /** Step over: the next line of this frame, or of its caller once it returns. */
  next: { arguments: { threadId: number }; body: Record<string, never> };
  stepIn: { arguments: { threadId: number }; body: Record<string, never> };
  stepOut: { arguments: { threadId: number }; body: Record<string, never> };
  /** pdb's `until`: a line greater than the current one in this frame, or its return. */
  until: { arguments: { threadId: number }; body: Record<string, never> };
  /** Pause a running program (the main thread). */
  pause: { arguments: { threadId?: number }; body: Record<string, never> };
  stackTrace: {
    arguments: { threadId: number; startFrame?: number; levels?: number };
    body: { stackFrames: StackFrame[]; totalFrames: number };
  };
  scopes: { arguments: { frameId: number }; body: { scopes: Scope[] } };
  /** Children of a value, a page at a time (`count` absent: the agent's page, 100 for Python). */
  variables: {
    arguments: { variablesReference: number; start?: number; count?: number };
    body: { variables: Variable[] };
  };
  /** Evaluate in a frame (the top one when absent), side effects allowed as in pdb; in the
   * "repl" context a statement is executed. `pretty` asks for a pretty-printed result. */
  evaluate: {
    arguments: {
      expression: string;
      frameId?: number;
      context?: "repl" | "watch" | "hover";
      pretty?: boolean;
    };
    body: {
      result: string;
      type?: string;
      variablesReference: number;
      namedVariables?: number;
      indexedVariables?: number;
    };
  };
  /** `value` is an expression, evaluated in the scope's frame. */
  setVariable: {
    arguments: { variablesReference: number; name: string; value: string };
    body: Variable;
  };
  /** Restart the frame with the newest code of its function and its original arguments; then
   * a `paused` event with reason "restart" at the new first line. Refused (nothing changes)
   * for a frame whose `canRestart` is false. */
  restartFrame: { arguments: { frameId: number }; body: Record<string, never> };
  /** The exception a thread is paused on (after a `paused` event with reason "exception"). */
  exceptionInfo: {
    arguments: { threadId: number };
    body: {
      /** The exception's type: `ZeroDivisionError`, `TypeError`. */
      exceptionId: string;
      /** Its message, one line. */
      description: string;
      /** "unhandled": nothing will catch it (catch uncaught); "always": catch raised. */
      breakMode: "always" | "unhandled";
      /** The traceback / stack as the runtime prints it, in the user's file:line. */
      stackTrace?: string;
    };
  };
  /** End debugging, not the program: every breakpoint and exception filter is removed, every
   * paused thread continues, and the program runs on at `hotframe run` speed (DAP disconnect
   * without terminateDebuggee; an attached client leaving). */
  detach: { arguments: Record<string, never>; body: Record<string, never> };
  /** End the program as pdb's `quit` does (DAP terminate). Python: SystemExit is raised in the
   * paused thread and in the main thread, so `finally` blocks, `__exit__` and atexit run. Node:
   * `process.exit()` on the main thread, so 'exit' handlers run (the paused frames' `finally`
   * blocks cannot: V8 does not unwind a paused stack). The answer comes first; the controller
   * kills the program if it has not ended shortly after. */
  terminate: { arguments: Record<string, never>; body: Record<string, never> };
}

export type DebugCommand = keyof DebugCommands;

export type DebugRequest = {
  [C in DebugCommand]: { type: "debug"; id: Integer; command: C; arguments: DebugCommands[C]["arguments"] };
}[DebugCommand];

export type DebugResponse =
  | { type: "debugResponse"; id: Integer; command: DebugCommand; success: true; body: unknown }
  /** `message`: one line saying why, for the user (the request changed nothing). */
  | {
      type: "debugResponse";
      id: Integer;
      command: DebugCommand;
      success: false;
      /** Why, as a code from the agent's catalogue (docs/protocol.md, "Debugging"). */
      code: ReasonCode;
      message: string;
    };

export interface DebugEvents {
  /** A thread stopped. The others keep running (`allThreadsStopped` false for Python). */
  paused: {
    reason: PauseReason;
    threadId: number;
    threadName: string;
    allThreadsStopped: boolean;
    hitBreakpointIds: number[];
    /** E.g. a breakpoint condition that raised (said once, treated as true). */
    description?: string;
    /** The paused thread's whole stack, as `stackTrace` would answer: sent with the event, it
     * saves the controller that request (an agent may leave it out). */
    stackFrames?: StackFrame[];
  };
  resumed: { threadId: number; allThreadsContinued: boolean };
  /** A breakpoint's state changed on its own: its file loaded, it moved, a temporary one went. */
  breakpointChanged: { reason: BreakpointState; breakpoint: Breakpoint };
  /** Text for the user: a log point's message, or something about a breakpoint. */
  output: { category: "console" | "important"; output: string };
}

export type DebugEvent = {
  [E in keyof DebugEvents]: { type: "debugEvent"; event: E; body: DebugEvents[E] };
}[keyof DebugEvents];
