import { writeSync } from "node:fs";
import Module from "node:module";
import type * as WorkerThreads from "node:worker_threads";
import {
  AGENT_ENV,
  type AgentMessage,
  type ControllerMessage,
  type PatchResult,
  PROTOCOL_VERSION,
} from "../../../protocol/messages.js";
import { AgentState } from "./agent-state.js";
import { announcer, connect } from "./channel-client.js";
import { flushWhenSettled } from "./compile-cache.js";
import { realpath, type Scope } from "./instrument.js";
import { loadedPatcher, loadParser, loadPatcher } from "./lazy-modules.js";
import { prepareWhenIdle } from "./prepare.js";
import {
  compileHook,
  IMPORTED_COMMONJS_SOURCE,
  jsonHook,
  type LoadedReport,
  syncHooks,
} from "./loader-hooks.js";
import type { LoadedSource } from "./module-record.js";
import { CAVEATS, type Reason, type ReasonCode, reason } from "./reasons.js";
import { compileGuards, guarded } from "./restart-guard.js";

/**
 * The agent's start in the program's main thread (preload.ts imports it): opens the pipe, says
 * hello, and installs the loader hooks so every user module is instrumented as it loads.
 */

/**
 * An agent of another protocol version than hotframe's would misread its messages: it stops the
 * program before any of its code runs, saying so (docs/protocol.md).
 */
function checkProtocol(): void {
  const spoken = process.env[AGENT_ENV.protocol];
  if (spoken === undefined || spoken === String(PROTOCOL_VERSION)) return;
  writeSync(
    2,
    `hotframe: this agent speaks protocol ${PROTOCOL_VERSION}, hotframe speaks ${spoken}: reinstall hotframe\n`,
  );
  process.exit(2);
}

export async function start(): Promise<void> {
  checkProtocol();
  const fd = Number(process.env[AGENT_ENV.fd]);
  const debugMode = process.env[AGENT_ENV.debugger];
  const scope: Scope = {
    root: realpath(process.env[AGENT_ENV.root] ?? process.cwd()),
    deps: process.env[AGENT_ENV.instrumentDeps] === "1",
  };
  if (debugMode === "entry" || debugMode === "continue") compileGuards();
  // The program sees the environment it would see without hotframe, and so do its children.
  for (const name of Object.values(AGENT_ENV)) delete process.env[name];

  /** The answer to a patch request: `patched`, then a warning for each caveat of what it applied. */
  const patchAnswer = (id: number, file: string, result: PatchResult): AgentMessage[] => [
    { type: "patched", id, file, result },
    ...result.functions
      .filter((entry) => entry.code && CAVEATS.has(entry.code as ReasonCode))
      .map((entry): AgentMessage => ({
        type: "warning",
        message: `${entry.qualname}: ${entry.reason}`,
        file,
      })),
  ];
  let queue: Promise<unknown> = Promise.resolve();
  /**
   * Patches are applied one at a time, in order: each one diffs against the result of the previous
   * one. The idle-time rehearsals (prepare.ts) queue here too. A failed step does not stop the queue.
   */
  const queued = (work: () => unknown): Promise<void> => {
    const done = queue.then(work).then(() => {});
    queue = done.catch(() => {});
    return done;
  };
  const onMessage = (message: ControllerMessage) => {
    if (message.type !== "patch") return;
    void queued(async () => {
      const result = await patchFile(message.file, message.source);
      for (const answer of patchAnswer(message.id, message.file, result)) channel.send(answer);
    });
  };
  /** `loaded` is batched per tick while the program runs; under the debugger it is sent at once
   * (a paused program's ticks stand still). Set once the channel is open. */
  let announce: (file: string) => void = () => {};
  const state = new AgentState((file) => announce(file));
  state.install();

  /** The patch of `file`: synchronous once the patcher is loaded, unless the edit imports a module. */
  const patchFile = (file: string, source: string, paused = false): PatchResult | Promise<PatchResult> => {
    const path = realpath(file);
    const record = state.modules.get(path);
    if (!record) {
      const why = state.unpatchable.get(path) ?? reason("unknown-file", file);
      return {
        outcome: "rejected",
        functions: [],
        error: { kind: "refused", code: why.code, message: why.text },
      };
    }
    // The patcher (and the parser) load once the program is idle, or on the first patch.
    const patcher = loadedPatcher();
    if (!patcher) return loadPatcher().then(() => patchFile(file, source, paused));
    try {
      const result = patcher.patchModule(record, source, paused);
      return result instanceof Promise ? result.catch(internalError) : result;
    } catch (error) {
      return internalError(error);
    }
  };
  const channel: { send(message: AgentMessage): void } =
    debugMode === "entry" || debugMode === "continue" || debugMode === "attach"
      ? await (async () => {
          await loadPatcher();
          const { startDebugger } = await import("./debugger/start.js");
          const debugChannel = await startDebugger({
            fd,
            mode: debugMode,
            state,
            patchFile,
            patchAnswer,
            onMessage,
          });
          announce = (file) => debugChannel.send({ type: "loaded", file });
          return debugChannel;
        })()
      : (() => {
          const pipe = connect(fd, onMessage);
          announce = announcer(pipe);
          return pipe;
        })();
  channel.send({
    type: "hello",
    protocol: PROTOCOL_VERSION,
    runtime: "node",
    pid: process.pid,
    runtimeVersion: process.version,
  });

  prepareWhenIdle({
    patcher: async () => {
      await loadPatcher();
      return { models: loadParser(), typescript: await import("./typescript-thread.js") };
    },
    modules: () => state.modules.values(),
    // Not under the debugger: it would see the rehearsals' code compile.
    rehearse:
      debugMode === undefined
        ? (record) => queued(async () => (await loadPatcher()).rehearsePatch(record))
        : undefined,
  });
  flushWhenSettled(() => state.modules.size + state.unpatchable.size);
  /**
   * A file the program loaded that cannot be patched: announced as loaded all the same, so that
   * each save of it is answered with why (never silence); `say` also warns now.
   */
  const unpatchable = (file: string, why: Reason, say: boolean) => {
    if (state.unpatchable.has(file)) return;
    state.unpatchable.set(file, why);
    if (say) channel.send({ type: "warning", message: why.text, file });
    announce(file);
  };
  const report: LoadedReport = {
    instrumented: (file, result) => {
      if (result.loaded) state.loadedSources.set(file, result.loaded);
      if (result.warning) unpatchable(file, result.warning, true);
    },
    json: (file) => unpatchable(file, reason("json-read-once"), false),
  };
  jsonHook(scope, report);

  const moduleApi = Module as unknown as {
    registerHooks?: (hooks: object) => void;
    register: (specifier: string, parent: string, options: object) => void;
  };
  if (typeof moduleApi.registerHooks === "function") {
    if (IMPORTED_COMMONJS_SOURCE) {
      moduleApi.registerHooks(syncHooks(scope, report));
      return;
    }
    const handedBack = new Set<string>();
    moduleApi.registerHooks(syncHooks(scope, report, (file) => handedBack.add(file)));
    compileHook(scope, report, (file) => handedBack.delete(file));
    return;
  }
  // Node 20: required modules are instrumented as they compile, imported ones on the loader thread.
  compileHook(scope, report, () => true);
  // Loaded only here: node:worker_threads costs ~10 ms to load, and Node 22.15+ does not need it.
  const { MessageChannel } = Module.createRequire(import.meta.url)(
    "node:worker_threads",
  ) as typeof WorkerThreads;
  const { port1, port2 } = new MessageChannel();
  port1.on("message", (m: { file: string; loaded?: LoadedSource; warning?: Reason; json?: boolean }) => {
    if (m.loaded) state.addSource(m.file, m.loaded);
    if (m.warning) unpatchable(m.file, m.warning, true);
    if (m.json) report.json(m.file);
  });
  port1.unref();
  moduleApi.register("./loader-hooks.js", import.meta.url, {
    data: { scope, port: port2, guarded },
    transferList: [port2],
  });
}

/** A bug of hotframe's patcher: the answer says so and nothing changed. */
function internalError(error: unknown): PatchResult {
  const why = reason("internal", String((error as Error)?.message ?? error));
  return {
    outcome: "rejected",
    functions: [],
    error: { kind: "internal", code: why.code, message: why.text, traceback: (error as Error)?.stack },
  };
}
