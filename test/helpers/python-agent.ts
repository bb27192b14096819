import { spawn, spawnSync } from "node:child_process";
import { cpSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Duplex } from "node:stream";
import { JsonLineChannel } from "../../src/protocol/channel.js";
import {
  type AgentMessage,
  type ControllerMessage,
  type DebugCommand,
  type DebugCommands,
  type DebugEvents,
  type DebugRequest,
  type PatchResult,
  PROTOCOL_VERSION,
} from "../../src/protocol/messages.js";
import { ObservedProcess } from "./observed-process.js";
import { ShapeCheck } from "./protocol-check.js";
import { AGENT_DIR, BOOT, FIXTURES, REPO } from "./python-paths.js";

/**
 * The Python agent driven directly, without the CLI: python3 runs hotframe_boot.py with a socket
 * pair on fd 3, exactly as the controller launches it; the test plays the controller.
 */

export { AGENT_DIR, BOOT, FIXTURES, REPO };

/** Real CPython interpreters on this machine: python3 plus other versions pyenv installed. */
export function pythons(): { version: string; path: string }[] {
  const found = new Map<string, string>();
  const candidates = ["python3"];
  const pyenvRoot = process.env.PYENV_ROOT ?? join(process.env.HOME ?? "/root", ".pyenv");
  for (const v of ["3.10", "3.11", "3.12", "3.13", "3.14"]) {
    const probe = spawnSync("bash", ["-c", `ls -d ${pyenvRoot}/versions/${v}.* 2>/dev/null | tail -1`], {
      encoding: "utf8",
    });
    const dir = probe.stdout.trim();
    if (dir) candidates.push(join(dir, "bin", "python3"));
  }
  for (const path of candidates) {
    const out = spawnSync(path, ["-c", "import sys; print('%d.%d' % sys.version_info[:2])"], {
      encoding: "utf8",
    });
    const version = out.stdout?.trim();
    if (out.status === 0 && version && !found.has(version)) found.set(version, path);
  }
  return [...found].map(([version, path]) => ({ version, path }));
}

/** A copy of a fixture folder in a fresh temporary directory (tests edit their copy). */
export function copyFixture(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), `hotframe-py-${name}-`));
  cpSync(join(FIXTURES, name), dir, { recursive: true });
  return dir;
}

export interface RunOptions {
  cwd: string;
  /** Entry: a script path or ["-m", module]. */
  entry: string[];
  args?: string[];
  python?: string;
  root?: string;
  env?: Record<string, string | undefined>;
  /** Run plain python (no agent, no pipe): the reference for transparency checks. */
  plain?: boolean;
}

export interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  messages: AgentMessage[];
}

/** One python process, its output lines and (unless plain) the agent's messages. */
export class AgentRun extends ObservedProcess {
  readonly messages: AgentMessage[] = [];
  private readonly pipe: Duplex | undefined;
  private readonly channel: JsonLineChannel<AgentMessage, ControllerMessage> | undefined;
  /** Every message is held to the protocol's schema: a wait fails when one broke it. */
  private readonly shapes = new ShapeCheck("python");
  private nextId = 1;

  constructor(options: RunOptions) {
    const python = options.python ?? "python3";
    const argv = options.plain
      ? [...options.entry, ...(options.args ?? [])]
      : [BOOT, ...options.entry, ...(options.args ?? [])];
    const agentEnv = options.plain
      ? {}
      : {
          HOTFRAME_FD: "3",
          HOTFRAME_PROTOCOL: String(PROTOCOL_VERSION),
          HOTFRAME_ROOT: options.root ?? options.cwd,
          HOTFRAME_INSTRUMENT_DEPS: "0",
        };
    const env: Record<string, string | undefined> = { ...process.env, ...agentEnv, ...options.env };
    for (const [key, value] of Object.entries(env)) if (value === undefined) delete env[key];
    super(
      spawn(python, argv, {
        cwd: options.cwd,
        env,
        stdio: options.plain ? ["pipe", "pipe", "pipe"] : ["pipe", "pipe", "pipe", "pipe"],
      }),
    );
    if (!options.plain) {
      this.pipe = this.child.stdio[3] as Duplex;
      this.pipe.on("error", () => {});
      this.channel = new JsonLineChannel<AgentMessage, ControllerMessage>(
        this.pipe,
        (message) => {
          this.shapes.observe(message);
          this.messages.push(message);
          this.notify();
        },
        (line) => {
          throw new Error(`unreadable message from the agent: ${line}`);
        },
      );
    }
  }

  /** Send a new version of a loaded file; resolves with the agent's verified result. */
  async patch(file: string, source: string): Promise<PatchResult> {
    const id = this.nextId++;
    this.channel?.send({ type: "patch", id, file, source });
    const reply = await this.message((m) => m.type === "patched" && m.id === id);
    return (reply as Extract<AgentMessage, { type: "patched" }>).result;
  }

  /** Send a debug request; resolves with the agent's answer (success or refusal). */
  async debug<C extends DebugCommand>(
    command: C,
    args: DebugCommands[C]["arguments"],
  ): Promise<Extract<AgentMessage, { type: "debugResponse" }>> {
    const id = this.nextId++;
    this.channel?.send({ type: "debug", id, command, arguments: args } as DebugRequest);
    const reply = await this.message((m) => m.type === "debugResponse" && m.id === id);
    return reply as Extract<AgentMessage, { type: "debugResponse" }>;
  }

  /** The first debug event named `event` from message index `from` on. */
  async debugEvent<E extends keyof DebugEvents>(event: E, from = 0): Promise<DebugEvents[E]> {
    const found = await this.until("debug event " + event, () =>
      this.messages.slice(from).find((m) => m.type === "debugEvent" && m.event === event),
    );
    return (found as Extract<AgentMessage, { type: "debugEvent" }>).body as DebugEvents[E];
  }

  override async until<T>(what: string, probe: () => T | undefined): Promise<T> {
    const found = await super.until(what, probe);
    this.shapes.check();
    return found;
  }

  message(match: (m: AgentMessage) => boolean): Promise<AgentMessage> {
    return this.until("agent message", () => this.messages.find(match));
  }

  /** Send a command line to the program and await the first later stdout line that matches. */
  async ask(command: string, match: RegExp): Promise<string> {
    const from = this.stdout.length;
    this.write(`${command}\n`);
    return this.stdoutLine(match, from);
  }

  async finish(): Promise<Finished> {
    this.child.stdin?.end();
    const exit = await this.exited;
    this.shapes.check();
    return { ...exit, ...this.output, messages: this.messages };
  }

  /** Close hotframe's end of the pipe, as if the controller had died. */
  closePipe(): void {
    this.pipe?.destroy();
  }
}

/** Run to completion (stdin closed at once) and return what happened. */
export async function runToEnd(options: RunOptions): Promise<Finished> {
  const run = new AgentRun(options);
  return run.finish();
}
