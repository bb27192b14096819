import { spawn } from "node:child_process";
import { dirname, join, resolve } from "node:path";
import type { Duplex } from "node:stream";
import { fileURLToPath } from "node:url";
import { JsonLineChannel } from "../../src/protocol/channel.js";
import {
  AGENT_ENV,
  AGENT_FD,
  type AgentMessage,
  type ControllerMessage,
  type DebugCommand,
  type DebugCommands,
  type DebugEvents,
  type PatchResult,
  PROTOCOL_VERSION,
} from "../../src/protocol/messages.js";
import { nodeController } from "../../src/runtimes/node/controller.js";
import { ObservedProcess } from "./observed-process.js";
import { ShapeCheck } from "./protocol-check.js";

/**
 * A real node process running a program under the Node agent, driven over the real pipe: the
 * test's stand-in for the session. Everything is awaited on events (output, messages, exit).
 */

const repo = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");

export const fixtures = join(repo, "test", "fixtures", "node");

export class AgentRun {
  readonly messages: AgentMessage[] = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** The process, its output and its bounded waits (shared with the Python and CLI harnesses). */
  private readonly process: ObservedProcess;
  private readonly channel: JsonLineChannel<AgentMessage, ControllerMessage>;
  /** Every message is held to the protocol's schema: a wait fails when one broke it. */
  private readonly shapes = new ShapeCheck("node");
  private nextId = 1;

  private constructor(
    command: string,
    args: string[],
    cwd: string,
    root: string,
    protocol: string,
    debugMode: string | undefined,
  ) {
    this.process = new ObservedProcess(
      spawn(command, args, {
        cwd,
        stdio: ["pipe", "pipe", "pipe", "pipe"],
        env: {
          ...process.env,
          [AGENT_ENV.fd]: String(AGENT_FD),
          [AGENT_ENV.protocol]: protocol,
          [AGENT_ENV.root]: root,
          [AGENT_ENV.instrumentDeps]: "0",
          ...(debugMode ? { [AGENT_ENV.debugger]: debugMode } : {}),
        },
      }),
    );
    const pipe = this.process.child.stdio[AGENT_FD] as Duplex;
    this.channel = new JsonLineChannel<AgentMessage, ControllerMessage>(
      pipe,
      (m) => {
        this.shapes.observe(m);
        this.messages.push(m);
        this.wake();
      },
      () => {},
    );
    pipe.on("error", () => {});
    this.exited = this.process.exited;
  }

  /** Everything the program wrote to stdout so far. */
  get stdout(): string {
    return this.process.output.stdout;
  }

  get stderr(): string {
    return this.process.output.stderr;
  }

  /** Start `entry` (a fixture-relative or absolute path) under the agent with `node`. */
  static async start(
    entry: string,
    options: {
      node?: string;
      args?: string[];
      root?: string;
      nodeOptions?: string[];
      /** The protocol version the agent is told hotframe speaks (PROTOCOL_VERSION by default). */
      protocol?: string;
      /** HOTFRAME_DEBUGGER: entry, continue or attach (absent: no debugger). */
      debugger?: string;
    } = {},
  ): Promise<AgentRun> {
    const path = resolve(fixtures, entry);
    const root = options.root ?? dirname(path);
    const spec = await nodeController.launch({
      entry: { kind: "file", path },
      args: options.args ?? [],
      cwd: root,
      root,
      runtimeBinary: options.node,
      runtimeOptions: options.nodeOptions ?? [],
      instrumentDeps: false,
    });
    return new AgentRun(
      spec.command,
      spec.args,
      spec.cwd,
      spec.root,
      options.protocol ?? String(PROTOCOL_VERSION),
      options.debugger,
    );
  }

  /** Re-check what `until` waits for (for conditions outside the child, e.g. HTTP replies). */
  wake(): void {
    this.process.notify();
  }

  /** Resolve when `ready()` returns a value; fail if the process exits first or after BOUND_MS. */
  async until<T>(ready: () => T | undefined, what: string): Promise<T> {
    const found = await this.process.until(what, ready);
    this.shapes.check();
    return found;
  }

  /** Wait until stdout contains `text` at or after `from`; returns the index after it. */
  async output(text: string, from = 0): Promise<number> {
    return this.until(
      () => {
        const at = this.stdout.indexOf(text, from);
        return at >= 0 ? at + text.length : undefined;
      },
      `output ${JSON.stringify(text)}`,
    );
  }

  async loaded(file: string): Promise<void> {
    const path = resolve(fixtures, file);
    await this.until(
      () => this.messages.some((m) => m.type === "loaded" && m.file === path) || undefined,
      `loaded ${file}`,
    );
  }

  async patch(file: string, source: string): Promise<PatchResult> {
    const id = this.nextId++;
    const path = resolve(fixtures, file);
    this.channel.send({ type: "patch", id, file: path, source });
    const reply = await this.until(
      () => this.messages.find((m) => m.type === "patched" && m.id === id),
      `patched ${id}`,
    );
    return (reply as Extract<AgentMessage, { type: "patched" }>).result;
  }

  /** A debug request; resolves with its response (success or not). */
  async debug<C extends DebugCommand>(
    command: C,
    args: DebugCommands[C]["arguments"],
  ): Promise<Extract<AgentMessage, { type: "debugResponse" }>> {
    const id = this.nextId++;
    this.channel.send({ type: "debug", id, command, arguments: args } as ControllerMessage);
    const reply = await this.until(
      () => this.messages.find((m) => m.type === "debugResponse" && m.id === id),
      `debug response ${id} (${command})`,
    );
    return reply as Extract<AgentMessage, { type: "debugResponse" }>;
  }

  /** The first debug event `event` from message index `from` on. */
  async debugEvent<E extends keyof DebugEvents>(event: E, from = 0): Promise<DebugEvents[E]> {
    const found = await this.until(
      () => this.messages.slice(from).find((m) => m.type === "debugEvent" && m.event === event),
      `debug event ${event}`,
    );
    return (found as Extract<AgentMessage, { type: "debugEvent" }>).body as DebugEvents[E];
  }

  /** Send a command line to the program and return the value it prints as `command=<json>`. */
  async ask(command: string): Promise<unknown> {
    const from = this.stdout.length;
    this.write(`${command}\n`);
    const line = await this.until(() => {
      const match = this.stdout.slice(from).match(new RegExp(`^${command}([=!])(.*)$`, "m"));
      return match ? match : undefined;
    }, `answer to ${command}`);
    const value = JSON.parse(line[2] ?? "null");
    if (line[1] === "!") throw new Error(`${command} raised: ${value}`);
    return value;
  }

  write(text: string): void {
    this.process.write(text);
  }

  /** Once the program has exited (bounded, unlike `exited`: a program that does not end fails). */
  ended(): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    return this.process.ended();
  }

  kill(): void {
    this.process.child.kill("SIGKILL");
  }
}
