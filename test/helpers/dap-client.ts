import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import type { Writable } from "node:stream";
import { DebugClient } from "@vscode/debugadapter-testsupport";
import type { DebugProtocol } from "@vscode/debugprotocol";
import { REPO } from "./hotframe.js";
import { nodeBinaries } from "./node-versions.js";
import { BOUND_MS, ObservedProcess } from "./observed-process.js";

const LAUNCHER = join(REPO, "dist", "test", "helpers", "dap-launcher.js");
/** `hotframe attach --pid N` instead of `hotframe dap`. */
const ATTACH_LAUNCHER = join(REPO, "dist", "test", "helpers", "dap-attach-launcher.js");

/** The events the tests look at (DebugClient emits each under its name). */
const EVENTS = [
  "initialized",
  "stopped",
  "continued",
  "output",
  "breakpoint",
  "hotframe/edit",
  "exited",
  "terminated",
  "process",
  "loadedSource",
] as const;

/**
 * What the client does with the adapter's runInTerminal requests (it offers them in initialize
 * unless absent): "run" the command as a terminal would (a POSIX shell, in a process group of its
 * own, its stdio the test's pipes), "refuse" with an error response, or answer "ignore"d: say it
 * runs and run nothing.
 */
export type TerminalBehaviour = "run" | "refuse" | "ignore";

/** One runtime a DAP test file runs its scenarios on: python3, Node 20 and Node 26. */
export interface RuntimeRow {
  name: string;
  language: "python" | "node";
  /** For node:test's `skip`: false, or why this row does not run. */
  skip: string | false;
  /** The program's file name, and what the launch adds (the interpreter). */
  file: string;
  launch: Record<string, unknown>;
}

export function dapRuntimes(): RuntimeRow[] {
  return [
    { name: "python", language: "python", skip: false, file: "app.py", launch: { python: "python3" } },
    ...nodeBinaries()
      .filter((n) => ["20", "26"].includes(n.version))
      .map(({ version, path, skip }): RuntimeRow => ({
        name: `node ${version}`,
        language: "node",
        skip,
        file: "app.js",
        launch: { node: path },
      })),
  ];
}

/** A word a POSIX shell reads back as exactly `text`. */
export function shellQuote(text: string): string {
  return `'${text.replace(/'/g, "'\\''")}'`;
}

/**
 * `hotframe dap` (or, with `attachTo`, `hotframe attach --pid`) driven by @vscode/debugadapter-testsupport's DebugClient over real stdio. Every
 * event is recorded (DebugClient's own waitForEvent misses the ones that came before it is
 * called), and every wait, for a response or an event, is bounded by BOUND_MS.
 */
export class DapClient {
  readonly client: DebugClient;
  readonly events: DebugProtocol.Event[] = [];
  private readonly waiters = new Set<() => void>();
  private exit: Promise<number | null> | undefined;
  /** The terminals the adapter had this client run (runInTerminal), in order. */
  readonly terminals: ObservedProcess[] = [];
  /** The runInTerminal requests received. */
  readonly terminalRequests: DebugProtocol.RunInTerminalRequestArguments[] = [];
  private readonly terminal: TerminalBehaviour | undefined;

  constructor(
    cwd: string,
    {
      attachTo,
      env = {},
      terminal,
    }: { attachTo?: number; env?: Record<string, string>; terminal?: TerminalBehaviour } = {},
  ) {
    this.terminal = terminal;
    this.client = new DebugClient(process.execPath, attachTo ? ATTACH_LAUNCHER : LAUNCHER, "hotframe", {
      cwd,
      env: {
        ...process.env,
        NO_COLOR: "1",
        ...env,
        ...(attachTo ? { HOTFRAME_TEST_ATTACH_PID: String(attachTo) } : {}),
      },
    });
    for (const name of EVENTS)
      this.client.on(name, (event: DebugProtocol.Event) => {
        this.events.push(event);
        for (const waiter of [...this.waiters]) waiter();
      });
    this.answerReverseRequests();
  }

  /** DebugClient drops the adapter's requests (it takes any message without `event` for a
   * response): this client answers runInTerminal as `terminal` says, any other with an error. */
  private answerReverseRequests(): void {
    const protocol = this.client as unknown as { dispatch(body: string): void; outputStream: Writable };
    const dispatch = protocol.dispatch.bind(this.client);
    protocol.dispatch = (body: string) => {
      const message = JSON.parse(body) as DebugProtocol.ProtocolMessage;
      if (message.type !== "request") return dispatch(body);
      const request = message as DebugProtocol.Request;
      const answer = (success: boolean, extra: object) => {
        const json = JSON.stringify({
          seq: 0,
          type: "response",
          request_seq: request.seq,
          command: request.command,
          success,
          ...extra,
        });
        protocol.outputStream.write(`Content-Length: ${Buffer.byteLength(json)}\r\n\r\n${json}`);
      };
      if (request.command !== "runInTerminal" || !this.terminal || this.terminal === "refuse") {
        answer(false, { message: "this client does not run programs in a terminal" });
        return;
      }
      const args = request.arguments as DebugProtocol.RunInTerminalRequestArguments;
      this.terminalRequests.push(args);
      if (this.terminal === "ignore") {
        answer(true, { body: {} });
        return;
      }
      // As VS Code's terminal does: the arguments quoted into one line for the user's shell.
      const shell = spawn("/bin/sh", ["-c", args.args.map(shellQuote).join(" ")], {
        cwd: args.cwd,
        env: { ...process.env, ...(args.env as Record<string, string>) },
        stdio: "pipe",
        detached: true,
      });
      this.terminals.push(new ObservedProcess(shell));
      for (const waiter of [...this.waiters]) waiter();
      answer(true, { body: { shellProcessId: shell.pid } });
    };
  }

  /** The first terminal the adapter had this client run. */
  firstTerminal(): Promise<ObservedProcess> {
    return this.until("a runInTerminal request", () => this.terminals[0]);
  }

  /** Spawn the adapter on stdio, or connect to one serving on 127.0.0.1:`port`. */
  async start(port?: number): Promise<void> {
    await this.bounded("the adapter to start", this.client.start(port));
    const child = this.adapterProcess();
    if (child) this.exit = new Promise((resolve) => child.on("exit", (code) => resolve(code)));
  }

  /** The spawned adapter's exit code, once it has ended on its own. */
  ended(): Promise<number | null> {
    if (!this.exit) throw new Error("no adapter process was spawned");
    return this.bounded("the adapter to end", this.exit);
  }

  /** initialize, offering runInTerminal when this client runs terminals. */
  initialize(): Promise<DebugProtocol.InitializeResponse> {
    return this.request(
      "initialize",
      this.client.initializeRequest({
        adapterID: "hotframe",
        linesStartAt1: true,
        columnsStartAt1: true,
        pathFormat: "path",
        ...(this.terminal ? { supportsRunInTerminalRequest: true } : {}),
      }),
    );
  }

  /** initialize, launch, and the `initialized` event: ready for breakpoints and configurationDone. */
  async launch(args: Record<string, unknown>): Promise<DebugProtocol.InitializeResponse> {
    const initialized = this.event("initialized");
    const capabilities = await this.initialize();
    await this.request("launch", this.client.launchRequest(args as DebugProtocol.LaunchRequestArguments));
    await initialized;
    return capabilities;
  }

  /** A request's response, bounded (DebugClient's requests wait forever). */
  request<T>(what: string, response: Promise<T>): Promise<T> {
    return this.bounded(`the response to ${what}`, response);
  }

  /** The error message of a request that must fail. */
  async refusal(what: string, response: Promise<unknown>): Promise<string> {
    const outcome = await this.bounded(
      `the response to ${what}`,
      response.then(
        () => undefined,
        (error: Error) => error.message,
      ),
    );
    if (outcome === undefined) throw new Error(`${what} succeeded, expected a refusal`);
    return outcome;
  }

  /** How many events arrived so far: `event(name, match, mark())` waits for a later one. */
  mark(): number {
    return this.events.length;
  }

  event<T extends DebugProtocol.Event = DebugProtocol.Event>(
    name: (typeof EVENTS)[number],
    match: (event: T) => boolean = () => true,
    from = 0,
  ): Promise<T> {
    return this.until(`a '${name}' event`, () =>
      (this.events.slice(from) as T[]).find((e) => e.event === name && match(e)),
    );
  }

  stopped(from = 0, reason?: string): Promise<DebugProtocol.StoppedEvent> {
    return this.event<DebugProtocol.StoppedEvent>(
      "stopped",
      (e) => !reason || e.body.reason === reason,
      from,
    );
  }

  /** Everything written so far under an output category, in order. */
  output(category: string): string {
    return this.events
      .filter((e): e is DebugProtocol.OutputEvent => e.event === "output")
      .filter((e) => (e.body.category ?? "console") === category)
      .map((e) => e.body.output)
      .join("");
  }

  /** Resolves once the output of `category` matches. */
  outputMatching(category: string, match: RegExp): Promise<string> {
    return this.until(`${category} output ${match}`, () => {
      const text = this.output(category);
      return match.test(text) ? text : undefined;
    });
  }

  /** The top frame of the paused thread. */
  async top(threadId: number): Promise<DebugProtocol.StackFrame> {
    const trace = await this.request("stackTrace", this.client.stackTraceRequest({ threadId }));
    const frame = trace.body.stackFrames[0];
    if (!frame) throw new Error("the paused thread has no frames");
    return frame;
  }

  /** Evaluate `expression` in the top frame of the paused thread (as a watch). */
  async evaluate(threadId: number, expression: string): Promise<string> {
    const top = await this.top(threadId);
    const answer = await this.request(
      "evaluate",
      this.client.evaluateRequest({ expression, frameId: top.id, context: "watch" }),
    );
    return answer.body.result;
  }

  /** disconnect (the program ends with it), then the adapter process is stopped. */
  stop(): Promise<void> {
    return this.bounded("the adapter to stop", this.client.stop());
  }

  /** Stop the adapter however far it got (a failed test): SIGTERM, on which it ends its program. */
  kill(): void {
    this.adapterProcess()?.kill("SIGTERM");
    for (const terminal of this.terminals) terminal.child.kill("SIGKILL");
  }

  private adapterProcess(): ChildProcess | undefined {
    return (this.client as unknown as { _adapterProcess?: ChildProcess })._adapterProcess;
  }

  private bounded<T>(what: string, promise: Promise<T>): Promise<T> {
    return this.until(what, () => undefined, promise);
  }

  private until<T>(what: string, probe: () => T | undefined, settles?: Promise<T>): Promise<T> {
    return new Promise((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(check);
      };
      const timer = setTimeout(() => {
        done();
        const console = this.output("console") + this.output("important");
        reject(new Error(`timed out waiting for ${what}\n--- console\n${console}`));
      }, BOUND_MS);
      const check = () => {
        const found = probe();
        if (found === undefined) return;
        done();
        resolve(found);
      };
      settles?.then(
        (value) => {
          done();
          resolve(value);
        },
        (error: unknown) => {
          done();
          reject(error as Error);
        },
      );
      if (!settles) {
        this.waiters.add(check);
        check();
      }
    });
  }
}
