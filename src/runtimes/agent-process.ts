import { EventEmitter } from "node:events";
import { JsonLineChannel } from "../protocol/channel.js";
import { programExited, rejected } from "../protocol/results.js";
import {
  type AgentMessage,
  type ControllerMessage,
  type DebugCommand,
  type DebugCommands,
  type DebugEvent,
  type PatchResult,
  PROTOCOL_VERSION,
  type ReasonCode,
} from "../protocol/messages.js";
import {
  type ExitInfo,
  type LaunchSpec,
  type ProgramHost,
  type ProgramStarter,
  spawnProgram,
} from "./program-host.js";

export {
  agentEnvironment,
  type ExitInfo,
  type LaunchSpec,
  type ProgramHost,
  type ProgramStarter,
  spawnFailure,
  spawnProgram,
} from "./program-host.js";

export interface AgentProcessEvents {
  hello: [Extract<AgentMessage, { type: "hello" }>];
  loaded: [file: string];
  warning: [message: string, file: string | undefined];
  protocolError: [message: string];
  debugEvent: [DebugEvent];
  /** What the program wrote, in order per stream (only with `output: "pipe"`). */
  output: [stream: "stdout" | "stderr", text: string];
}

/** What the session needs of the program and its agent: an AgentProcess, or a stand-in in tests. */
export interface AgentConnection {
  /** Files the agent reported `loaded`: only these can be patched. */
  readonly loadedFiles: ReadonlySet<string>;
  readonly exited: Promise<ExitInfo>;
  readonly running: boolean;
  on<E extends keyof AgentProcessEvents>(event: E, listener: (...args: AgentProcessEvents[E]) => void): this;
  /** Send the new source of a loaded file; resolves with the agent's verified result. */
  patch(file: string, source: string): Promise<PatchResult>;
  signal(signal: NodeJS.Signals): void;
}

/** A debug request the agent answered with a failure: `message` is its one-line reason, `code`
 * its reason code (docs/protocol.md). */
export class DebugRequestError extends Error {
  constructor(
    readonly code: ReasonCode,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The debuggee's agent as its controller talks to it: the request/response bookkeeping of the
 * pipe between them, over the program's process (spawned by hotframe unless `start` says
 * otherwise). Runtime-agnostic: the Python and Node controllers only decide what to spawn.
 */
export class AgentProcess extends EventEmitter<AgentProcessEvents> implements AgentConnection {
  readonly loadedFiles = new Set<string>();
  readonly exited: Promise<ExitInfo>;
  private readonly host: ProgramHost;
  private readonly channel: JsonLineChannel<AgentMessage, ControllerMessage>;
  private readonly pending = new Map<number, (result: PatchResult) => void>();
  private readonly pendingDebug = new Map<
    number,
    { resolve: (body: unknown) => void; reject: (e: Error) => void }
  >();
  private nextId = 1;
  private exitInfo: ExitInfo | undefined;

  constructor(spec: LaunchSpec, start: ProgramStarter = spawnProgram) {
    super();
    this.host = start(spec, (stream, text) => this.emit("output", stream, text));
    const pipe = this.host.pipe;
    this.channel = new JsonLineChannel<AgentMessage, ControllerMessage>(
      pipe,
      (message) => this.receive(message),
      (line) => this.emit("protocolError", `unreadable message from the agent: ${line.slice(0, 200)}`),
    );
    pipe.on("error", () => {
      // The child went away mid-write; the exit handler settles what was pending.
    });
    this.exited = this.host.exited.then((info) => this.settleExit(info));
  }

  get running(): boolean {
    return this.exitInfo === undefined;
  }

  patch(file: string, source: string): Promise<PatchResult> {
    if (!this.running) return Promise.resolve(exitedDuringPatch());
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      this.channel.send({ type: "patch", id, file, source });
    });
  }

  /** A debugger request; rejects with DebugRequestError when the agent refuses it or exits. */
  debug<C extends DebugCommand>(
    command: C,
    args: DebugCommands[C]["arguments"],
  ): Promise<DebugCommands[C]["body"]> {
    if (!this.running)
      return Promise.reject(new DebugRequestError("program-exited", "the program has exited"));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pendingDebug.set(id, { resolve: resolve as (body: unknown) => void, reject });
      this.channel.send({ type: "debug", id, command, arguments: args } as ControllerMessage);
    });
  }

  signal(signal: NodeJS.Signals): void {
    if (this.running) this.host.signal(signal);
  }

  private receive(message: AgentMessage): void {
    switch (message.type) {
      case "hello":
        if (message.protocol !== PROTOCOL_VERSION) {
          this.emit(
            "protocolError",
            `agent speaks protocol ${message.protocol}, controller ${PROTOCOL_VERSION}: reinstall hotframe`,
          );
        }
        this.emit("hello", message);
        break;
      case "loaded":
        this.loadedFiles.add(message.file);
        this.emit("loaded", message.file);
        break;
      case "patched": {
        const resolve = this.pending.get(message.id);
        this.pending.delete(message.id);
        resolve?.(message.result);
        break;
      }
      case "warning":
        this.emit("warning", message.message, message.file);
        break;
      case "debugResponse": {
        const waiting = this.pendingDebug.get(message.id);
        this.pendingDebug.delete(message.id);
        if (message.success) waiting?.resolve(message.body);
        else waiting?.reject(new DebugRequestError(message.code, message.message));
        break;
      }
      case "debugEvent":
        this.emit("debugEvent", message);
        break;
      default:
        this.emit(
          "protocolError",
          `unknown message from the agent: ${JSON.stringify(message).slice(0, 200)}`,
        );
    }
  }

  private settleExit(info: ExitInfo): ExitInfo {
    this.exitInfo = info;
    for (const settle of this.pending.values()) settle(exitedDuringPatch());
    this.pending.clear();
    for (const waiting of this.pendingDebug.values())
      waiting.reject(new DebugRequestError("program-exited", "the program has exited"));
    this.pendingDebug.clear();
    return info;
  }
}

function exitedDuringPatch(): PatchResult {
  return rejected(programExited());
}
