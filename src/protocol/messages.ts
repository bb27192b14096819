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

/** What happened to one function (or method, class, top-level statement) in a patch. */
export type FunctionStatus =
  | "updated" // the new code runs from the next call, everywhere
  | "added" // a new definition now exists in the live module
  | "removed" // a definition that no longer exists in the source was removed from the module
  | "running-old" // updated, but a frame that is running it now keeps its old code until it returns
  | "restarted" // a paused frame was restarted with the new code (debugger)
  | "refused"; // not applied; `reason` says why

export interface FunctionOutcome {
  /** What the entry is; a function when absent. "statement" is re-run top-level code. */
  kind?: "function" | "class" | "statement";
  /** Short name as written in the source: `total` (for a statement: the names it binds). */
  name: string;
  /** Qualified name: `Order.total`, `make_counter.<locals>.inc`, `<module>` for top-level code. */
  qualname: string;
  status: FunctionStatus;
  /** On "refused" and "running-old": the reason's code in the agent's catalogue (docs/protocol.md). */
  code?: string;
  /** Why it was refused, or what "running-old" waits for. */
  reason?: string;
  /** 1-based line of the definition in the new source (the old one for "removed"). */
  line?: number;
}

export interface PatchError {
  /** syntax: the new source does not compile; runtime: re-run top-level code raised;
   * refused: the edit cannot be applied consistently; internal: a bug in hotframe. */
  kind: "syntax" | "runtime" | "refused" | "internal";
  /** The reason's code in the agent's catalogue (docs/protocol.md): what tools act on. */
  code?: string;
  /** One line, for the terminal. */
  message: string;
  /** 1-based line and column in the edited file, when known. */
  line?: number;
  column?: number;
  /** A traceback / stack pointing into the user's file, when the user's code raised. */
  traceback?: string;
}

export interface PatchResult {
  /** applied: every change is live and verified; partial: some functions refused, the rest is live
   * and consistent; rejected: nothing changed. */
  outcome: "applied" | "partial" | "rejected";
  functions: FunctionOutcome[];
  error?: PatchError;
}

/** Controller → agent. */
export type ControllerMessage =
  /** Apply this new source of an already loaded file. `file` is absolute. */
  { type: "patch"; id: number; file: string; source: string };

/** Agent → controller. */
export type AgentMessage =
  /** First message, sent before any user code runs. */
  | { type: "hello"; protocol: number; runtime: RuntimeName; pid: number; runtimeVersion: string }
  /** A user module was loaded and instrumented; `file` is absolute. Edits to it can be patched. */
  | { type: "loaded"; file: string }
  /** The answer to a patch request, sent after the result was verified live. */
  | { type: "patched"; id: number; file: string; result: PatchResult }
  /** Something the user should know that is not the answer to a request (e.g. a module that could
   * not be instrumented and runs unpatchable). */
  | { type: "warning"; message: string; file?: string };
