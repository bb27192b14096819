import { Worker } from "node:worker_threads";
import type { AgentMessage, ControllerMessage, PatchResult } from "../../../../protocol/messages.js";
import type { AgentState } from "../agent-state.js";
import { DebugSupport } from "./support.js";
import type { DebugMode, MainToWorker, WorkerStart, WorkerToMain } from "./thread-messages.js";

/** Two interrupts (Ctrl-C) within this long end the program instead of pausing it. */
const KILL_WINDOW_MS = 1000;

export interface DebuggerStart {
  fd: number;
  /** HOTFRAME_DEBUGGER: stop before the first line, run, or wait dormant for a debug request. */
  mode: DebugMode;
  state: AgentState;
  patchFile: (file: string, source: string, paused: boolean) => PatchResult | Promise<PatchResult>;
  /** The messages that answer a patch request. */
  patchAnswer: (id: number, file: string, result: PatchResult) => AgentMessage[];
  /** The main thread's handler of controller messages (patches while the program runs). */
  onMessage: (message: ControllerMessage) => void;
}

/**
 * Under `hotframe debug`: the debugger runs on a worker thread (worker.ts) that owns the pipe to
 * the controller, because the main thread's event loop stands still while it is paused. The main
 * thread's messages (hello, loaded, patched) go through the worker; patches reach the main thread
 * as messages while it runs, and are applied by the worker through the inspector while it is
 * paused. Resolves once the worker's inspector is on (before any of the program's code runs).
 * Under `attach` the worker waits with the inspector off (no cost to the program) until the
 * first debug request.
 */
export async function startDebugger(start: DebuggerStart): Promise<{ send(message: AgentMessage): void }> {
  const models = await import("../model.js");
  const worker = new Worker(new URL("./worker.js", import.meta.url), {
    execArgv: [],
    workerData: { fd: start.fd, mode: start.mode } satisfies WorkerStart,
    stdout: false,
    stderr: false,
  });
  const post = (message: MainToWorker) => worker.postMessage(message);
  const send = (message: AgentMessage) => post({ kind: "send", message });
  const support = new DebugSupport(
    start.state,
    models,
    start.patchFile,
    (id, file, result) =>
      void result.then((r) => {
        for (const answer of start.patchAnswer(id, file, r)) send(answer);
      }),
  );
  support.install();
  await new Promise<void>((resolve, reject) => {
    worker.on("message", (message: WorkerToMain) => {
      if (message.kind === "ready") resolve();
      else if (message.kind === "controller") {
        const m = message.message;
        if (m.type !== "patch" || support.claim(m.id)) start.onMessage(m);
      }
    });
    worker.once("error", reject);
  });
  worker.unref(); // the program ends when its own work does, as under plain node
  start.state.beforeFirstModule = () => {
    // The modules a program imports statically all run before its event loop's first turn.
    setImmediate(() => post({ kind: "started" }));
    if (start.mode === "entry") entryBreak();
  };
  if (start.mode === "attach") return { send }; // Ctrl-C stays the program's until a client attaches
  let lastInterrupt = 0;
  const onInterrupt = () => {
    if (process.listenerCount("SIGINT") > 1) return; // the program's own handler: Ctrl-C is its
    const now = Date.now();
    if (now - lastInterrupt < KILL_WINDOW_MS) {
      process.off("SIGINT", onInterrupt);
      process.kill(process.pid, "SIGINT");
    }
    lastInterrupt = now;
    post({ kind: "interrupt" });
  };
  process.on("SIGINT", onInterrupt);
  return { send };
}

/** A stop before the program's first line: the worker steps from here to the first statement. */
function entryBreak(): void {
  debugger; // eslint-disable-line no-debugger
}
