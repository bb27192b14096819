import { createServer, type Server, type Socket } from "node:net";
import { fileURLToPath } from "node:url";
import { Duplex, PassThrough } from "node:stream";
import type { DebugProtocol } from "@vscode/debugprotocol";
import { prepareAttachFolder, removeStaleTerminalSockets, terminalSocketPath } from "../attach/location.js";
import { listenOnUserSocket, readFirstLine } from "../attach/server.js";
import { JsonLineChannel } from "../protocol/channel.js";
import {
  agentEnvironment,
  type ExitInfo,
  type LaunchSpec,
  type ProgramHost,
} from "../runtimes/agent-process.js";
import type { LauncherHello, LauncherOrder, LauncherReport } from "./terminal-link.js";

/** The script the terminal runs (terminal-launcher.ts, compiled beside this file). */
const LAUNCHER = fileURLToPath(new URL("./terminal-launcher.js", import.meta.url));

/** Launches of this adapter process so far: each has its own socket. */
let launches = 0;

export interface TerminalOptions {
  /** DAP's kind: the editor's own terminal, or a terminal window of the system. */
  kind: "integrated" | "external";
  title: string;
  /** How long the launcher has to connect back once the client answered. */
  waitMs: number;
  /** Sends the runInTerminal request; rejects with the client's message when it refuses. */
  runInTerminal: (args: DebugProtocol.RunInTerminalRequestArguments) => Promise<void>;
}

/** The runInTerminal arguments that run `spec` under the launcher, connecting back on `socket`:
 * an argument list (the client quotes it for its shell), the folder, and the agent's environment
 * on top of the terminal's. */
export function terminalRequest(
  spec: LaunchSpec,
  socket: string,
  options: Pick<TerminalOptions, "kind" | "title">,
): DebugProtocol.RunInTerminalRequestArguments {
  return {
    kind: options.kind,
    title: options.title,
    cwd: spec.cwd,
    args: [process.execPath, LAUNCHER, socket, spec.command, ...spec.args],
    env: agentEnvironment(spec),
  };
}

/**
 * The program as the editor's terminal runs it (DAP runInTerminal): the ProgramHost that the
 * agent's controller talks through. The adapter listens on a user-only Unix socket; the client
 * runs the launcher in a terminal, which connects back twice (control and the agent's pipe) and
 * runs the program. Until the agent's connection arrives, what the controller writes waits.
 */
export class TerminalProgram implements ProgramHost {
  readonly pipe: Duplex;
  readonly exited: Promise<ExitInfo>;
  /** Why the program never ran in the terminal, for the launch's error response. */
  failure: string | undefined;
  private readonly toAgent = new PassThrough();
  private readonly fromAgent = new PassThrough();
  private readonly server: Server = createServer();
  private control: JsonLineChannel<LauncherReport, LauncherOrder> | undefined;
  private report: LauncherReport | undefined;
  private controlClosed = false;
  private agentConnected = false;
  /** The agent's messages are all read (its connection ended, or will never come). */
  private agentDone = false;
  private timer: NodeJS.Timeout | undefined;
  private settle: (exit: ExitInfo) => void = () => {};

  constructor(spec: LaunchSpec, options: TerminalOptions) {
    this.pipe = Duplex.from({ readable: this.fromAgent, writable: this.toAgent });
    const exited = new Promise<ExitInfo>((resolve) => (this.settle = resolve));
    // Settled once the agent's last message is read (or it never connected).
    this.exited = exited.finally(() => {
      clearTimeout(this.timer);
      this.server.close();
    });
    this.fromAgent.on("end", () => {
      this.agentDone = true;
      this.settleWhenDone();
    });
    this.server.on("connection", (socket) => this.connected(socket, options.waitMs));
    void this.start(spec, options).catch((error: Error) => this.fail(error.message));
  }

  signal(signal: NodeJS.Signals): void {
    if (this.control) this.control.send({ type: "signal", signal });
    else this.fail("the debugging session ended before the terminal started the program");
  }

  private async start(spec: LaunchSpec, options: TerminalOptions): Promise<void> {
    prepareAttachFolder();
    removeStaleTerminalSockets();
    const socket = terminalSocketPath(process.pid, ++launches);
    await listenOnUserSocket(this.server, socket);
    await options.runInTerminal(terminalRequest(spec, socket, options)).catch((error: Error) => {
      if (this.control) return; // the program runs: a late refusal changes nothing
      throw new Error(
        `the client did not run the program in a terminal (${error.message}): set "console": "internalConsole" to run it in the Debug Console`,
      );
    });
    if (this.failure === undefined && !this.control)
      this.timer = setTimeout(
        () =>
          this.fail(
            `the program did not start in the terminal: its launcher did not connect back within ${options.waitMs / 1000} s (is the terminal's command running? set "console": "internalConsole" to run it in the Debug Console)`,
          ),
        options.waitMs,
      );
  }

  private connected(socket: Socket, waitMs: number): void {
    socket.on("error", () => {}); // a launcher that vanished: its 'close' says so
    readFirstLine(socket, waitMs, (line) => {
      const hello = parseHello(line);
      if (hello?.type === "control" && !this.control && this.failure === undefined) this.controlled(socket);
      else if (hello?.type === "agent" && !this.agentConnected && this.failure === undefined) {
        this.agentConnected = true;
        socket.pipe(this.fromAgent);
        this.toAgent.pipe(socket);
        socket.resume();
      } else socket.destroy();
    });
  }

  private controlled(socket: Socket): void {
    clearTimeout(this.timer);
    this.control = new JsonLineChannel<LauncherReport, LauncherOrder>(
      socket,
      (report) => {
        this.report = report;
        this.settleWhenDone();
      },
      () => {},
    );
    socket.resume();
    socket.on("close", () => {
      this.controlClosed = true;
      // The agent's connection never came: nothing more will arrive from the program.
      if (!this.agentConnected) this.fromAgent.end();
      this.settleWhenDone();
    });
  }

  /** Settles the exit once the agent's messages are all read and the launcher has said how the
   * program ended (or is gone: killed, its end is not known). */
  private settleWhenDone(): void {
    if (!this.agentDone || this.failure !== undefined) return;
    const report = this.report;
    if (report?.type === "notStarted") this.settle({ code: 127, signal: null, spawnError: report.message });
    else if (report?.type === "exited") this.settle({ code: report.code, signal: report.signal });
    else if (this.controlClosed) this.settle({ code: null, signal: null });
  }

  private fail(message: string): void {
    if (this.failure !== undefined) return;
    this.failure = message;
    this.settle({ code: null, signal: null, spawnError: message });
    this.fromAgent.end();
  }
}

function parseHello(line: string): LauncherHello | undefined {
  try {
    const hello = JSON.parse(line) as LauncherHello;
    return hello.type === "control" || hello.type === "agent" ? hello : undefined;
  } catch {
    return undefined;
  }
}
