/**
 * What `hotframe run --attachable` / `--listen` offers a debugger client: the live program (its
 * agent's debug requests and events, the session's events) behind an AttachServer. The seam for
 * the DAP adapter is `ClientHandler`: it gets each admitted client's stream and the target.
 */
import type { Duplex } from "node:stream";
import type { DebugEvent } from "../protocol/messages.js";
import { DebugRequestError } from "../runtimes/agent-process.js";
import type { ProgramSpec } from "../runtimes/runtime.js";
import type { DebugBackend } from "../session/debugger/backend.js";
import type { SessionEvent } from "../session/events.js";
import {
  type AttachableProgram,
  describeAttachable,
  prepareAttachFolder,
  attachSocketPath,
  removeAttachable,
} from "./location.js";
import type { LoopbackAddress } from "./listen-address.js";
import { AttachServer } from "./server.js";

/** What the attach point needs of the program's agent: an AgentProcess (tests: a stand-in). */
export interface AttachableAgent {
  debug: DebugBackend["request"];
  on(event: "debugEvent", listener: (event: DebugEvent) => void): unknown;
  signal(signal: NodeJS.Signals): void;
  readonly loadedFiles: ReadonlySet<string>;
}

/** The live program, as an attached client sees it. */
export interface AttachTarget {
  /** The program's pid (what the client attached to). */
  readonly pid: number;
  /** The controller's name: "python", "node". */
  readonly runtime: string;
  readonly program: ProgramSpec;
  /** Debug requests to the agent; the first one wakes its dormant debugger (HOTFRAME_DEBUGGER=attach). */
  readonly backend: DebugBackend;
  /** The agent's debug events, until the returned function is called. */
  onDebugEvent(listener: (event: DebugEvent) => void): () => void;
  /** The session's events (edits, warnings, the exit), until the returned function is called. */
  onSessionEvent(listener: (event: SessionEvent) => void): () => void;
  /** Sends the program a signal (DAP `terminate`, `disconnect` with `terminateDebuggee`). */
  signal(signal: NodeJS.Signals): void;
  /** The files the program loaded so far (DAP `loadedSources`). */
  readonly loadedFiles: ReadonlySet<string>;
}

/**
 * Serves one admitted client: `stream` carries DAP both ways; its bytes flow from the next tick,
 * so listen to it (or pipe it) before returning. The client has left when the stream closes; the handler never ends the program
 * because of that (with @vscode/debugadapter: `setRunAsServer(true)`, or DebugSession exits the
 * process). When the client leaves, hotframe sends the agent `detach` itself if the client made
 * any debug request, so the program runs on as under `hotframe run` whatever the client did.
 */
export type ClientHandler = (stream: Duplex, target: AttachTarget) => void;

export interface AttachOptions {
  /** --attachable: the Unix socket named by the program's pid. */
  socket: boolean;
  /** --listen: the loopback port and the token its clients must present first. */
  tcp?: { address: LoopbackAddress; token: string };
}

/** Where clients can attach, once the servers are open: for the lines `hotframe run` prints. */
export interface AttachEndpoints {
  socket?: string;
  port?: number;
}

/** The attach servers of one program and the target they hand to clients. */
export class AttachPoint {
  private readonly servers: AttachServer[] = [];
  private readonly sessionListeners = new Set<(event: SessionEvent) => void>();
  private readonly debugListeners = new Set<(event: DebugEvent) => void>();
  /** The current client made a debug request: the agent's debugger is awake. */
  private debuggerAwake = false;
  private pid: number | undefined;
  /** The servers being opened: closing waits for them (a program may end that fast). */
  private opening: Promise<unknown> | undefined;

  constructor(
    private readonly agent: AttachableAgent,
    private readonly description: Omit<AttachableProgram, "pid" | "socket">,
    private readonly program: ProgramSpec,
    private readonly onClient: ClientHandler,
    /** A problem to report as a session warning (a failed detach). */
    private readonly warn: (message: string) => void,
  ) {
    agent.on("debugEvent", (event) => {
      for (const listener of this.debugListeners) listener(event);
    });
  }

  /** Opens the servers for the program with this pid (from the agent's hello). */
  open(pid: number, options: AttachOptions): Promise<AttachEndpoints> {
    const opening = this.openServers(pid, options);
    this.opening = opening.catch(() => undefined);
    return opening;
  }

  private async openServers(pid: number, options: AttachOptions): Promise<AttachEndpoints> {
    this.pid = pid;
    const busy = `another debugger is attached to pid ${pid}: detach it first`;
    const serve = (stream: Duplex) => this.serve(stream, pid);
    const endpoints: AttachEndpoints = {};
    if (options.socket) {
      prepareAttachFolder();
      const socket = attachSocketPath(pid);
      describeAttachable({ ...this.description, pid, socket }); // listed only once the socket exists
      this.servers.push(await AttachServer.open({ kind: "socket", path: socket }, serve, busy));
      endpoints.socket = socket;
    }
    if (options.tcp) {
      const server = await AttachServer.open({ kind: "tcp", ...options.tcp }, serve, busy);
      this.servers.push(server);
      endpoints.port = server.port;
    }
    return endpoints;
  }

  /** Every session event, for the attached client (run.ts calls this from its onEvent). */
  sessionEvent(event: SessionEvent): void {
    for (const listener of this.sessionListeners) listener(event);
  }

  /** Closes the servers, ends the client's connection, removes the socket and its description. */
  async close(): Promise<void> {
    await this.opening;
    await Promise.all(this.servers.map((server) => server.close()));
    if (this.pid !== undefined) removeAttachable(this.pid);
  }

  private serve(stream: Duplex, pid: number): void {
    const listeners: (() => void)[] = [];
    const subscribe = <T>(set: Set<(event: T) => void>, listener: (event: T) => void) => {
      set.add(listener);
      const remove = () => set.delete(listener);
      listeners.push(remove);
      return remove;
    };
    const target: AttachTarget = {
      pid,
      runtime: this.description.runtime,
      program: this.program,
      backend: {
        request: (command, args) => {
          this.debuggerAwake = true;
          return this.agent.debug(command, args);
        },
      },
      onDebugEvent: (listener) => subscribe(this.debugListeners, listener),
      onSessionEvent: (listener) => subscribe(this.sessionListeners, listener),
      signal: (signal) => this.agent.signal(signal),
      loadedFiles: this.agent.loadedFiles,
    };
    stream.on("close", () => {
      for (const remove of listeners) remove();
      this.clientLeft();
    });
    this.onClient(stream, target);
  }

  /** A client that woke the debugger and left (disconnected or vanished): put it back to sleep. */
  private clientLeft(): void {
    if (!this.debuggerAwake) return;
    this.debuggerAwake = false;
    this.agent.debug("detach", {}).catch((error: Error) => {
      if (error instanceof DebugRequestError && error.code === "program-exited") return;
      this.warn(`the debugger did not detach: ${error.message}`);
    });
  }
}
