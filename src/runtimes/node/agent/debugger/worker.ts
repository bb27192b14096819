import { writeSync } from "node:fs";
import { parentPort, workerData } from "node:worker_threads";
import type {
  AgentMessage,
  ControllerMessage,
  DebugRequest,
  PatchResult,
} from "../../../../protocol/messages.js";
import { connect } from "../channel-client.js";
import { reason } from "../reasons.js";
import { Inspector } from "./inspector.js";
import { Refusal } from "./refusal.js";
import { NodeDebugger } from "./session.js";
import type { MainToWorker, WorkerStart, WorkerToMain } from "./thread-messages.js";

/**
 * The debugger's thread (started by start.ts under `hotframe debug`). It owns the pipe to the
 * controller, so that requests are read and answered while the program's main thread is paused:
 * debug requests are handled here through the inspector; a patch goes to the main thread while
 * it runs, and is applied on it through the inspector while it is paused.
 */

const port = parentPort as NonNullable<typeof parentPort>;
const toMain = (message: WorkerToMain) => port.postMessage(message);

/** Patches sent to the main thread and not answered yet. */
const waiting = new Map<number, { file: string; source: string; answer: (result: PatchResult) => void }>();
let patches: Promise<unknown> = Promise.resolve();

const { fd, mode } = workerData as WorkerStart;
const channel = connect(fd, (message) => receive(message));
const inspector = new Inspector();
const debug = new NodeDebugger(inspector, (message) => channel.send(message));
debug.onPause = () => {
  // A patch the main thread had not taken when it paused is applied now, while it is paused.
  for (const [id, patch] of waiting) void applyPaused(id, patch.file, patch.source, patch.answer);
};

port.on("message", (message: MainToWorker) => {
  if (message.kind === "interrupt") debug.interrupt();
  else if (message.kind === "started") debug.startedUp();
  else void fromMain(message.message);
});

if (mode === "entry") debug.expectEntry();
// Attached later (`hotframe run --attachable`): the inspector stays off until the first request.
if (mode === "attach") debug.dormant();
else await debug.enable();
toMain({ kind: "ready" });

/** An agent message of the main thread's, on its way to the controller. */
async function fromMain(message: AgentMessage): Promise<void> {
  if (message.type === "loaded") debug.fileLoaded(message.file);
  if (message.type === "patched") {
    const patch = waiting.get(message.id);
    if (patch) patch.answer(message.result);
    return;
  }
  channel.send(message);
}

function receive(message: ControllerMessage): void {
  if (message.type === "debug") {
    void answer(message);
    return;
  }
  if (message.type !== "patch") return;
  // One patch at a time, in order, as the main thread applies them.
  patches = patches.then(() => patch(message.id, message.file, message.source)).catch(internal);
}

async function patch(id: number, file: string, source: string): Promise<void> {
  if (!debug.isPaused) await debug.beforePatch(file); // (a paused patch brings that text itself)
  const result = await new Promise<PatchResult>((answer) => {
    waiting.set(id, { file, source, answer });
    if (debug.isPaused) void applyPaused(id, file, source, answer);
    else toMain({ kind: "controller", message: { type: "patch", id, file, source } });
  });
  waiting.delete(id);
  await debug.patched(file, source, result);
  channel.send({ type: "patched", id, file, result });
}

async function applyPaused(id: number, file: string, source: string, answer: (r: PatchResult) => void) {
  const result = await debug.patchWhilePaused(id, file, source).catch((error: unknown) => {
    const why = reason("internal", String((error as Error)?.message ?? error));
    return {
      outcome: "rejected",
      functions: [],
      error: { kind: "internal", code: why.code, message: why.text },
    } as PatchResult;
  });
  if (result) answer(result);
}

async function answer(request: DebugRequest): Promise<void> {
  const base = { type: "debugResponse" as const, id: request.id, command: request.command };
  try {
    const body = await debug.handle(request.command, request.arguments as never);
    channel.send({ ...base, success: true, body });
  } catch (error) {
    const why =
      error instanceof Refusal ? error.why : reason("internal", String((error as Error)?.message ?? error));
    channel.send({ ...base, success: false, code: why.code, message: why.text });
  }
}

function internal(error: unknown): void {
  writeSync(2, `hotframe: the debugger failed: ${String((error as Error)?.stack ?? error)}\n`);
}
