import type { AgentMessage, ControllerMessage } from "../../../../protocol/messages.js";

/** HOTFRAME_DEBUGGER (docs/protocol.md). */
export type DebugMode = "entry" | "continue" | "attach";

/** What the debugger worker starts with. */
export interface WorkerStart {
  fd: number;
  mode: DebugMode;
}

/** Main thread → debugger worker. */
export type MainToWorker =
  /** A message of the agent's for the controller (the worker owns the pipe). */
  | { kind: "send"; message: AgentMessage }
  /** SIGINT (Ctrl-C) reached the program: pause it. */
  | { kind: "interrupt" }
  /** The program's top-level code has run (its first module's evaluation is over). */
  | { kind: "started" };

/** Debugger worker → main thread. */
export type WorkerToMain =
  /** The inspector is on: the program may start. */
  | { kind: "ready" }
  /** A controller message for the main thread (a patch while the program runs). */
  | { kind: "controller"; message: ControllerMessage };
