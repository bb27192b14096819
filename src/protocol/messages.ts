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
  { type: "patch"; id: Integer; file: string; source: string };

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
  | { type: "warning"; message: string; file?: string };
