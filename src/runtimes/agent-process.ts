import { spawn } from "node:child_process";
import { EventEmitter } from "node:events";
import type { Duplex } from "node:stream";
import { JsonLineChannel } from "../protocol/channel.js";
import { programExited, rejected } from "../protocol/results.js";
import {
  AGENT_ENV,
  AGENT_FD,
  type AgentMessage,
  type ControllerMessage,
  type DebugCommand,
  type DebugCommands,
  type DebugEvent,
  type PatchResult,
  PROTOCOL_VERSION,
  type ReasonCode,
} from "../protocol/messages.js";

/** What a runtime controller asks to spawn: the program with its agent preloaded. */
export interface LaunchSpec {
  command: string;
  args: string[];
  /** Extra environment for the child, on top of hotframe's own environment. */
  env: Record<string, string>;
  cwd: string;
  /** The watched root: only modules under it are instrumented. */
  root: string;
  instrumentDeps?: boolean;
  /** The program's stdin: hotframe's own (the default), or nothing (`hotframe debug` reading
   * its commands from a pipe). */
  stdin?: "inherit" | "ignore";
  /** The program's stdout and stderr: hotframe's own (the default), or piped and told as
   * `output` events (the DAP adapter: its stdout carries the protocol). */
  output?: "inherit" | "pipe";
}

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Set when the program could not be started at all (e.g. the interpreter was not found). */
  spawnError?: string;
}

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

/** The program's process as its controller reaches it: the controller's end of the agent's pipe,
 * how the process ends, and its signals. A child hotframe spawns (`spawnProgram`), or one a
 * terminal runs for the DAP adapter (src/dap/terminal-program.ts). */
export interface ProgramHost {
  /** The controller's end of the pipe the program has as AGENT_FD. */
  readonly pipe: Duplex;
  /** Settles once the process has ended and what it wrote is read. */
  readonly exited: Promise<ExitInfo>;
  signal(signal: NodeJS.Signals): void;
}

/** Starts the program of `spec`; `onOutput` is told what it writes when its output is piped. */
export type ProgramStarter = (
  spec: LaunchSpec,
  onOutput: (stream: "stdout" | "stderr", text: string) => void,
) => ProgramHost;

/** The environment hotframe adds for the program's agent: the launch's own and the protocol's. */
export function agentEnvironment(spec: LaunchSpec): Record<string, string> {
  return {
    ...spec.env,
    [AGENT_ENV.fd]: String(AGENT_FD),
    [AGENT_ENV.protocol]: String(PROTOCOL_VERSION),
    [AGENT_ENV.root]: spec.root,
    [AGENT_ENV.instrumentDeps]: spec.instrumentDeps ? "1" : "0",
  };
}

/** Why `command` could not be started: `cannot start python3: not found`. */
export function spawnFailure(command: string, error: NodeJS.ErrnoException): string {
  return `cannot start ${command}: ${error.code === "ENOENT" ? "not found" : (error.code ?? error.message)}`;
}

/** The program as hotframe's own child, sharing hotframe's stdio (or piping its output). */
export const spawnProgram: ProgramStarter = (spec, onOutput) => {
  const output = spec.output ?? "inherit";
  const stdio: ("inherit" | "pipe" | "ignore")[] = [spec.stdin ?? "inherit", output, output];
  while (stdio.length < AGENT_FD) stdio.push("inherit");
  stdio.push("pipe"); // a socket pair: duplex, inherited by the child as AGENT_FD
  const child = spawn(spec.command, spec.args, {
    cwd: spec.cwd,
    stdio,
    env: { ...process.env, ...agentEnvironment(spec) },
  });
  for (const stream of ["stdout", "stderr"] as const) {
    const readable = child[stream];
    readable?.setEncoding("utf8");
    readable?.on("data", (text: string) => onOutput(stream, text));
  }
  const exited = new Promise<ExitInfo>((resolve) => {
    child.on("error", (error: NodeJS.ErrnoException) =>
      // spawn failed (e.g. ENOENT): report it as an exit so callers have one path.
      resolve({ code: 127, signal: null, spawnError: spawnFailure(spec.command, error) }),
    );
    // Piped output is all read once the streams close: told before the exit, never after.
    child.on(output === "pipe" ? "close" : "exit", (code, signal) => resolve({ code, signal }));
  });
  return {
    pipe: child.stdio[AGENT_FD] as Duplex,
    exited,
    signal: (signal) => child.kill(signal),
  };
};

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
