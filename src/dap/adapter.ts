import { constants } from "node:os";
import { readFile } from "node:fs/promises";
import { basename } from "node:path";
import * as dap from "@vscode/debugadapter";
import type { DebugProtocol } from "@vscode/debugprotocol";
import { DebugView, exitLine } from "../cli/debug-view.js";
import { programSpec, QUIET_MS } from "../cli/run.js";
import { TerminalReporter } from "../cli/terminal.js";
import { DebugRequestError, type ExitInfo, type ProgramStarter } from "../runtimes/agent-process.js";
import type { ProgramEntry, RuntimeController } from "../runtimes/runtime.js";
import type { AttachTarget } from "../attach/attach-point.js";
import {
  type DebuggedProgram,
  type DebugNews,
  DebugSession,
  reportedEdit,
} from "../session/debugger/debug-session.js";
import type { DebugNotice, ResumeCommand } from "../session/debugger/model.js";
import type { SessionEvent } from "../session/events.js";
import { CAPABILITIES, type Request } from "./capabilities.js";
import * as convert from "./convert.js";
import { AttachedProgram } from "./attached-program.js";
import {
  isRefusal,
  type Launch,
  parseAttachArguments,
  parseLaunchArguments,
  programConsole,
} from "./launch-arguments.js";
import { TerminalProgram } from "./terminal-program.js";

/** The evaluation contexts of the agent, for DAP's (clipboard and variables read like a watch). */
const CONTEXTS: Record<string, "repl" | "watch" | "hover"> = { repl: "repl", hover: "hover" };

/**
 * Where the adapter's program comes from. "launch" (`hotframe dap`): the adapter starts it, and a
 * disconnect ends it unless told not to. "attach" (a client of `hotframe run --attachable` /
 * `--listen`): it is the run's, and a disconnect leaves it running unless told to end it.
 */
export type AdapterContext =
  | {
      kind: "launch";
      runtimes: readonly RuntimeController[];
      baseCwd: string;
      /** How long a program asked to run in a terminal (runInTerminal) has to connect back. */
      terminalWaitMs: number;
    }
  | { kind: "attach"; target: AttachTarget };

/** What a request's handler gives back: the response's body (none: an empty success). */
type Handler = (args: never) => Promise<object | undefined>;

/**
 * `hotframe dap`: one client's debugging session, a thin view of the debugger model. Each DAP
 * request maps to one model operation (the `handlers` table); the model's news becomes DAP
 * events. Built on @vscode/debugadapter for the wire protocol.
 */
export class HotframeAdapter extends dap.DebugSession {
  private program: DebuggedProgram | undefined;
  private launched: Launch | undefined;
  private reporter: TerminalReporter | undefined;
  private view: DebugView | undefined;
  private configured = false;
  /** The client said `supportsRunInTerminalRequest` in initialize. */
  private clientRunsTerminals = false;
  /** The launched program's terminal, when it runs in one. */
  private terminal: TerminalProgram | undefined;
  /** Set by a disconnect that leaves the program running: nothing more goes to the client. */
  private detached = false;
  private clientGone = false;
  private ended: Promise<ExitInfo | undefined> = Promise.resolve(undefined);
  /** Values told as lists during this pause: their children are all indexed, none named. */
  private readonly indexed = new Set<number>();
  /** Events held until the response in flight is sent (a restartFrame's stop comes after it). */
  private held: DebugProtocol.Event[] | undefined;
  private markFinished: () => void = () => {};
  /** Resolves once the client has left and the program (unless left running) has ended. */
  readonly finished = new Promise<void>((resolve) => (this.markFinished = resolve));

  /** The model counts lines and columns from 1, the client as it said in initialize. */
  private readonly numbering: convert.Numbering = {
    line: (n) => this.convertDebuggerLineToClient(n),
    column: (n) => this.convertDebuggerColumnToClient(n),
  };

  private readonly handlers: Record<Request, Handler> = {
    launch: (args: Record<string, unknown>) => this.launch(args),
    attach: (args: Record<string, unknown>) => this.attach(args),
    configurationDone: () => this.configurationDone(),
    setBreakpoints: (args: DebugProtocol.SetBreakpointsArguments) => this.setBreakpoints(args),
    breakpointLocations: (args: DebugProtocol.BreakpointLocationsArguments) => this.breakpointLocations(args),
    setFunctionBreakpoints: (args: DebugProtocol.SetFunctionBreakpointsArguments) =>
      this.setFunctionBreakpoints(args),
    setExceptionBreakpoints: async (args: DebugProtocol.SetExceptionBreakpointsArguments) => {
      await this.model().setExceptionFilters(args.filters);
      return { breakpoints: args.filters.map(() => ({ verified: true })) };
    },
    threads: async () => ({ threads: this.program?.model.hasExited ? [] : await this.model().threads() }),
    continue: () => this.resume("continue", { allThreadsContinued: false }),
    next: () => this.resume("next"),
    stepIn: () => this.resume("stepIn"),
    stepOut: () => this.resume("stepOut"),
    pause: async () => void (await this.model().pause()),
    stackTrace: (args: DebugProtocol.StackTraceArguments) => this.stackTrace(args),
    scopes: async (args: DebugProtocol.ScopesArguments) => ({
      scopes: (await this.model().scopes(this.frameIndex(args.frameId))).map(convert.scope),
    }),
    variables: (args: DebugProtocol.VariablesArguments) => this.variables(args),
    evaluate: (args: DebugProtocol.EvaluateArguments) => this.evaluate(args),
    completions: (args: DebugProtocol.CompletionsArguments) => this.completions(args),
    setVariable: async (args: DebugProtocol.SetVariableArguments) =>
      this.told(
        convert.variable(await this.model().setVariable(args.variablesReference, args.name, args.value)),
      ),
    restartFrame: (args: DebugProtocol.RestartFrameArguments) => this.restartFrame(args),
    exceptionInfo: async () => {
      const info = await this.model().exceptionInfo();
      return {
        exceptionId: info.exceptionId,
        description: info.description,
        breakMode: info.breakMode,
        ...(info.stackTrace ? { details: { stackTrace: info.stackTrace } } : {}),
      };
    },
    loadedSources: async () => ({ sources: [...(this.program?.loadedFiles ?? [])].map(convert.source) }),
    source: (args: DebugProtocol.SourceArguments) => this.source(args),
    terminate: async () => void this.program?.signal("SIGTERM"),
    disconnect: (args: DebugProtocol.DisconnectArguments) => this.disconnect(args),
  };

  constructor(private readonly context: AdapterContext) {
    super();
    this.setDebuggerLinesStartAt1(true);
    this.setDebuggerColumnsStartAt1(true);
    // The adapter decides when it ends (shutdown below), never the library's process.exit.
    this.setRunAsServer(true);
  }

  protected override dispatchRequest(request: DebugProtocol.Request): void {
    if (request.command === "initialize") {
      super.dispatchRequest(request); // the client's numbering and path format, then initializeRequest
      return;
    }
    const response: DebugProtocol.Response = new dap.Response(request);
    const handler = (this.handlers as Record<string, Handler | undefined>)[request.command];
    if (!handler) {
      this.refuse(response, `hotframe dap does not support the "${request.command}" request`);
      return;
    }
    if (request.command === "restartFrame") this.held = [];
    handler((request.arguments ?? {}) as never)
      .then(
        (body) => {
          if (body) response.body = body;
          this.sendResponse(response);
        },
        (error: unknown) => this.refuse(response, error instanceof Error ? error.message : String(error)),
      )
      .finally(() => {
        if (request.command !== "restartFrame") return;
        const held = this.held ?? [];
        this.held = undefined;
        for (const event of held) this.sendEvent(event);
      });
  }

  protected override initializeRequest(
    response: DebugProtocol.InitializeResponse,
    args: DebugProtocol.InitializeRequestArguments,
  ): void {
    this.clientRunsTerminals = args.supportsRunInTerminalRequest === true;
    response.body = CAPABILITIES;
    this.sendResponse(response);
  }

  override sendEvent(event: DebugProtocol.Event): void {
    if (this.detached || this.clientGone) return;
    if (this.held) this.held.push(event);
    else super.sendEvent(event);
  }

  /** The connection closed (or the process is told to stop): the program goes with it, unless it
   * was left running on purpose. */
  override shutdown(): void {
    this.clientGone = true;
    if (!this.detached && this.context.kind === "launch") this.program?.signal("SIGKILL");
    void this.ended.then(() => this.markFinished());
  }

  private refuse(response: DebugProtocol.Response, message: string): void {
    this.sendErrorResponse(response, { id: 1, format: message, showUser: true });
  }

  // ---- launch ---------------------------------------------------------------------------------

  private async launch(args: Record<string, unknown>): Promise<undefined> {
    if (this.context.kind === "attach")
      throw new Error(
        `launch: this session is attached to pid ${this.context.target.pid} (hotframe dap launches)`,
      );
    if (this.program) throw new Error("this session already launched a program");
    const launch = parseLaunchArguments(args, this.context.runtimes, this.context.baseCwd);
    if (isRefusal(launch)) throw new Error(`launch: ${launch.message}`);
    const program = programSpec(launch.run, launch.controller, launch.cwd);
    const where = programConsole(launch.console, this.clientRunsTerminals);
    if (where.kind === "debugConsole" && where.note) launch.notes.push(where.note);
    const session = new DebugSession({
      controller: launch.controller,
      program,
      quietMs: QUIET_MS,
      restartOnEdit: launch.restartOnEdit,
      // Always paused at entry: breakpoints are set before the first line; configurationDone runs on.
      stopAtEntry: true,
      stdin: "ignore", // the adapter's stdin is the protocol
      output: "pipe",
      env: launch.env,
      ...(where.kind === "terminal"
        ? {
            start: this.inTerminal(
              where.terminal,
              `hotframe: ${basename(entryName(launch.run.entry))}`,
              this.context.terminalWaitMs,
            ),
          }
        : {}),
      onVerbose: () => {},
    });
    this.launched = launch;
    this.debug(session, launch.cwd, launch.notes);
    let failure: Error | undefined;
    this.ended = session.run().then(
      (exit) => this.programEnded(exit),
      (error: Error) => {
        failure = error;
        return undefined;
      },
    );
    const entry = await session.model.whenStopped();
    if (!entry) {
      const exit = await this.ended;
      this.program = undefined; // nothing runs: the client may launch again
      const binary = `set "${launch.controller.name}" in the launch configuration`;
      throw new Error(
        failure?.message ??
          this.terminal?.failure ??
          (exit?.spawnError ? `${exit.spawnError} (${binary})` : `the program ended before its first line`),
      );
    }
    this.sendEvent(new dap.InitializedEvent());
    return undefined;
  }

  /** Starts the launched program in a terminal the client opens (runInTerminal). */
  private inTerminal(kind: "integrated" | "external", title: string, waitMs: number): ProgramStarter {
    return (spec) => {
      this.terminal = new TerminalProgram(spec, {
        kind,
        title,
        waitMs,
        runInTerminal: (args) => this.askTerminal(args, waitMs),
      });
      return this.terminal;
    };
  }

  /** DAP's runInTerminal, to the client: resolves once it runs the command, rejects when it refuses. */
  private askTerminal(args: DebugProtocol.RunInTerminalRequestArguments, waitMs: number): Promise<void> {
    return new Promise((resolve, reject) =>
      this.runInTerminalRequest(args, waitMs, (response) => {
        if (response.success) resolve();
        else reject(new Error(response.message || "refused"));
      }),
    );
  }

  /** The program to debug from now on: its news becomes DAP events. */
  private debug(program: DebuggedProgram, cwd: string, notes: string[]): void {
    this.program = program;
    this.view = new DebugView(cwd);
    this.reporter = new TerminalReporter({ color: false, quiet: false, verbose: false, cwd }, (line) =>
      this.console(line),
    );
    program.onNews((news) => this.news(news));
    for (const note of notes) this.console(note, "important");
  }

  private async attach(args: Record<string, unknown>): Promise<undefined> {
    if (this.context.kind === "launch")
      throw new Error(
        "attach: run `hotframe attach --pid <pid>` (or --address) as the debug adapter: it reaches a program started with hotframe run --attachable (docs/editors.md)",
      );
    if (this.program) throw new Error("this session is already attached");
    const { target } = this.context;
    const attach = parseAttachArguments(args);
    if (isRefusal(attach)) throw new Error(`attach: ${attach.message}`);
    if (attach.processId !== undefined && attach.processId !== target.pid)
      throw new Error(`attach: this is the program with pid ${target.pid}, not ${attach.processId}`);
    const program = new AttachedProgram(target, attach.restartOnEdit);
    this.debug(program, target.program.cwd, attach.notes);
    this.ended = program.ended.then((exit) => this.programEnded(exit));
    const { entry } = target.program;
    this.processEvent(entryName(entry), target.pid, "attach");
    this.sendEvent(new dap.InitializedEvent());
    return undefined;
  }

  private async configurationDone(): Promise<undefined> {
    this.configured = true;
    const stop = this.program?.model.stop;
    if (stop?.reason !== "entry") return undefined;
    if (this.launched?.stopOnEntry) this.sendEvent(new dap.StoppedEvent("entry", stop.threadId));
    else await this.resume("continue");
    return undefined;
  }

  private programEnded(exit: ExitInfo): ExitInfo {
    if (exit.spawnError) return exit; // it never ran: the launch's error response says why
    this.console(exitLine(exit));
    this.sendEvent(new dap.ExitedEvent(convert.exitCode(exit, constants.signals)));
    this.sendEvent(new dap.TerminatedEvent());
    if (this.clientGone || this.detached) this.markFinished();
    return exit;
  }

  private async disconnect(args: DebugProtocol.DisconnectArguments): Promise<undefined> {
    const program = this.program;
    const ends = args.terminateDebuggee ?? this.context.kind === "launch";
    if (program && !program.model.hasExited) {
      if (ends) {
        program.signal("SIGKILL");
        // An attached program's end closes the client's stream: answer before that.
        if (this.context.kind === "launch") await this.ended;
      } else if (this.context.kind === "launch") {
        await program.model.detach();
        this.console(
          `hotframe: debugging ended; the program runs on (${this.terminal ? "in its terminal" : "its output goes to hotframe's stderr"})`,
        );
        this.detached = true;
      } else {
        // The attach point puts the agent's debugger back to sleep once the stream closes.
        this.console("hotframe: debugging ended; the program runs on under hotframe run");
        this.detached = true;
      }
    }
    // After the response: the client closes the connection (shutdown) or this session is done;
    // an attached client's stream is ended here, whatever the client does.
    setImmediate(() => {
      this.shutdown();
      if (this.context.kind === "attach") this.stop();
    });
    return undefined;
  }

  // ---- the model's news as DAP events ----------------------------------------------------------

  private news(news: DebugNews): void {
    switch (news.type) {
      case "session":
        this.sessionEvent(news.event);
        return;
      case "debugger":
        this.notice(news.notice);
        return;
      case "pausedEdit": {
        const shown = reportedEdit(news);
        if (shown) this.reporter?.event(shown);
        this.sendEvent(new dap.Event("hotframe/edit", news.event));
        if (news.aftermath?.restartRefused) this.console(`*** ${news.aftermath.restartRefused}`, "important");
        if (news.stop) this.notice({ type: "stopped", stop: news.stop });
        return;
      }
      case "output":
        this.output(news.text, news.stream);
        return;
      case "loaded":
        this.sendEvent(new dap.LoadedSourceEvent("new", convert.source(news.file)));
        return;
    }
  }

  private sessionEvent(event: SessionEvent): void {
    if (event.type === "exit") return; // programEnded says it, once the run has settled
    this.reporter?.event(event);
    if (event.type === "edit") this.sendEvent(new dap.Event("hotframe/edit", event));
    const entry = this.launched?.run.entry;
    if (event.type === "started" && entry) this.processEvent(entryName(entry), event.pid, "launch");
  }

  private processEvent(name: string, pid: number, startMethod: "launch" | "attach"): void {
    this.sendEvent(
      new dap.Event("process", { name, systemProcessId: pid, isLocalProcess: true, startMethod }),
    );
  }

  private notice(notice: DebugNotice): void {
    const model = this.model();
    switch (notice.type) {
      case "stopped": {
        const { stop } = notice;
        this.indexed.clear();
        // The entry pause is the adapter's own (launch); configurationDone decides about it.
        if (stop.reason === "entry" && !this.configured) return;
        if (stop.restarted && this.view) this.console(this.view.stop(stop)[0] as string);
        const event = new dap.StoppedEvent(convert.stopReason(stop, (n) => model.breakpoints.get(n)));
        event.body = convert.stopped(stop, event.body.reason);
        this.sendEvent(event);
        return;
      }
      case "resumed":
        this.sendEvent(new dap.ContinuedEvent(notice.threadId, false));
        return;
      case "breakpoint":
        // "set" is the answer to the client's own request; the others happen on their own.
        if (notice.change === "set") return;
        this.sendEvent(
          new dap.BreakpointEvent(notice.change, convert.breakpoint(notice.breakpoint, this.numbering)),
        );
        return;
      case "output":
        this.console(notice.text.replace(/\n$/, ""), notice.category);
        return;
    }
  }

  private console(line: string, category: "console" | "important" = "console"): void {
    this.output(`${line}\n`, category);
  }

  /** Text for the client's Debug Console; once the client has let go, for the adapter's stderr. */
  private output(text: string, category: "console" | "important" | "stdout" | "stderr"): void {
    if (!this.detached) this.sendEvent(new dap.OutputEvent(text, category));
    // An attached program's output and hotframe's lines are already in the run's terminal.
    else if (this.context.kind === "launch") process.stderr.write(text);
  }

  // ---- requests -------------------------------------------------------------------------------

  private model() {
    if (!this.program) throw new Error(`no program yet: ${this.context.kind} first`);
    return this.program.model;
  }

  private async resume(command: ResumeCommand, body?: object): Promise<object | undefined> {
    await this.model()
      .resume(command)
      .catch((e: unknown) => {
        // A program that ends as soon as it resumes can exit before the agent's answer is sent:
        // the resume was done, and the exited event tells the end.
        if (!(e instanceof DebugRequestError && e.code === "program-exited")) throw e;
      });
    return body;
  }

  private frameIndex(frameId: number | undefined): number {
    const stop = this.model().stop;
    if (!stop) throw new Error("the program is running (pause it first)");
    if (frameId === undefined) return 0;
    const index = stop.frames.findIndex((f) => f.id === frameId);
    if (index < 0) throw new Error(`there is no frame ${frameId} in this pause`);
    return index;
  }

  private async setBreakpoints(args: DebugProtocol.SetBreakpointsArguments): Promise<object> {
    const path = args.source.path;
    if (!path) throw new Error("setBreakpoints needs a source with a path");
    const wanted = (args.breakpoints ?? (args.lines ?? []).map((line) => ({ line }))).map((b) => ({
      line: this.convertClientLineToDebugger(b.line),
      ...convert.breakpointOptions(b),
    }));
    const entries = await this.model().replaceLines(this.convertClientPathToDebugger(path), wanted);
    return { breakpoints: entries.map((e) => convert.breakpoint(e, this.numbering)) };
  }

  private async breakpointLocations(args: DebugProtocol.BreakpointLocationsArguments): Promise<object> {
    const path = args.source.path;
    if (!path) throw new Error("breakpointLocations needs a source with a path");
    const lines = await this.model().breakpointLocations(
      this.convertClientPathToDebugger(path),
      this.convertClientLineToDebugger(args.line),
      args.endLine !== undefined ? this.convertClientLineToDebugger(args.endLine) : undefined,
    );
    return { breakpoints: lines.map((line) => ({ line: this.convertDebuggerLineToClient(line) })) };
  }

  private async setFunctionBreakpoints(args: DebugProtocol.SetFunctionBreakpointsArguments): Promise<object> {
    const entries = await this.model().replaceFunctions(
      args.breakpoints.map((b) => ({ name: b.name, ...convert.breakpointOptions(b) })),
    );
    return { breakpoints: entries.map((e) => convert.breakpoint(e, this.numbering)) };
  }

  private async stackTrace(args: DebugProtocol.StackTraceArguments): Promise<object> {
    const stop = this.model().stop;
    if (!stop || stop.threadId !== args.threadId)
      throw new Error(
        `thread ${args.threadId} is running${stop ? ` (thread ${stop.threadId} is paused)` : ""}`,
      );
    const start = args.startFrame ?? 0;
    const end = args.levels ? start + args.levels : undefined;
    return {
      stackFrames: stop.frames.slice(start, end).map((f) => convert.stackFrame(f, this.numbering)),
      totalFrames: stop.frames.length,
    };
  }

  private async variables(args: DebugProtocol.VariablesArguments): Promise<object> {
    const indexed = this.indexed.has(args.variablesReference);
    // A list has only indexed children; any other value only named ones.
    if ((args.filter === "named" && indexed) || (args.filter === "indexed" && !indexed))
      return { variables: [] };
    const page = await this.model().variables(
      args.variablesReference,
      args.start ?? 0,
      args.count || undefined,
    );
    return { variables: page.map((v) => this.told(convert.variable(v))) };
  }

  /** Remember which values were told as lists (their variablesReference). */
  private told<V extends { variablesReference: number; indexedVariables?: number }>(value: V): V {
    if (value.indexedVariables !== undefined && value.variablesReference > 0)
      this.indexed.add(value.variablesReference);
    return value;
  }

  private async evaluate(args: DebugProtocol.EvaluateArguments): Promise<object> {
    const result = await this.model().evaluate(args.expression, this.frameIndex(args.frameId), {
      context: CONTEXTS[args.context ?? "repl"] ?? "watch",
    });
    return this.told({
      result: result.result,
      variablesReference: result.variablesReference,
      ...(result.type !== undefined ? { type: result.type } : {}),
      ...(result.namedVariables !== undefined ? { namedVariables: result.namedVariables } : {}),
      ...(result.indexedVariables !== undefined ? { indexedVariables: result.indexedVariables } : {}),
    });
  }

  /** The names of the frame that start with the word before the cursor (the terminal's Tab). */
  private async completions(args: DebugProtocol.CompletionsArguments): Promise<object> {
    const before = args.text.slice(0, this.convertClientColumnToDebugger(args.column) - 1);
    const word = /[A-Za-z_]\w*$/.exec(before)?.[0] ?? "";
    const start = before.length - word.length;
    if (before.slice(0, start).endsWith(".")) return { targets: [] }; // attributes: not completed yet
    const names = await this.model().names(this.frameIndex(args.frameId));
    return {
      targets: names
        .filter((n) => n.startsWith(word))
        .map((label) => ({
          label,
          type: "variable",
          start: this.convertDebuggerColumnToClient(start + 1),
          length: word.length,
        })),
    };
  }

  private async restartFrame(args: DebugProtocol.RestartFrameArguments): Promise<undefined> {
    await this.model().restart(this.frameIndex(args.frameId));
    return undefined;
  }

  private async source(args: DebugProtocol.SourceArguments): Promise<object> {
    const path = args.source?.path;
    if (!path) throw new Error(`there is no source ${args.sourceReference}: sources are files, read by path`);
    return { content: await readFile(path, "utf8"), mimeType: "text/plain" };
  }
}

/** How a program entry is named to the client: its file, or its module's name. */
function entryName(entry: ProgramEntry): string {
  return entry.kind === "file" ? entry.path : entry.name;
}
