import { AGENT_ENV, type DebugEvent } from "../../protocol/messages.js";
import { AgentProcess, type ExitInfo, type ProgramStarter } from "../../runtimes/agent-process.js";
import type { ProgramSpec, RuntimeController } from "../../runtimes/runtime.js";
import { at, type SessionEvent } from "../events.js";
import { Session } from "../session.js";
import type { DebugBackend } from "./backend.js";
import type { RestartOnEdit } from "./edit-rules.js";
import { sessionEvents } from "./events.js";
import { type DebugNotice, DebuggerModel, type EditAftermath, type Stop } from "./model.js";

export type EditEvent = Extract<SessionEvent, { type: "edit" }>;

export interface DebugSessionOptions {
  controller: RuntimeController;
  program: ProgramSpec;
  quietMs: number;
  restartOnEdit: RestartOnEdit;
  /** Pause before the program's first line ("entry"), or run at once. */
  stopAtEntry: boolean;
  /** The program's stdin (`LaunchSpec.stdin`) and where its stdout and stderr go (`LaunchSpec.output`). */
  stdin: "inherit" | "ignore";
  output: "inherit" | "pipe";
  /** Environment for the program on top of hotframe's (the DAP launch's `env`). */
  env?: Record<string, string>;
  /** Starts the program's process (default: hotframe's own child; the DAP adapter's terminal). */
  start?: ProgramStarter;
  /** Exception filters set before the program's first line runs (`hotframe debug`: catch
   * uncaught). Without `stopAtEntry` the program still pauses at its entry, unseen by the views,
   * until they are set: an exception in its first moments must not come before them. */
  exceptionFilters?: string[];
  onVerbose: (message: string) => void;
  /** A request the session made on its own was refused (one line, for the user). */
  onWarning?: (message: string) => void;
}

/** What a debug session tells its views (the terminal, the DAP adapter), in the order it happened. */
export type DebugNews =
  /** The session's own events: started, warning, exit, an edit saved while nothing is paused. */
  | { type: "session"; event: SessionEvent }
  /** What the debugger model tells, except a restart an edit caused: that comes with its edit. */
  | { type: "debugger"; notice: DebugNotice }
  /** An edit saved while paused: `event` as recorded (the restarted function says "restarted"),
   * what it did to the paused stack, and the stop at the restarted function's first line. */
  | { type: "pausedEdit"; event: EditEvent; aftermath?: EditAftermath; stop?: Stop }
  /** What the program wrote (only when its output is piped). */
  | { type: "output"; stream: "stdout" | "stderr"; text: string }
  /** The program loaded (and hotframe instrumented) a source file. */
  | { type: "loaded"; file: string };

/** What a view debugs: a program's debugger model and its news (a launched DebugSession, or a
 * program under `hotframe run --attachable` a client attached to). */
export interface DebuggedProgram {
  readonly model: DebuggerModel;
  /** The files the program loaded so far (only these are patched). */
  readonly loadedFiles: ReadonlySet<string>;
  onNews(listener: (news: DebugNews) => void): void;
  signal(signal: NodeJS.Signals): void;
}

/**
 * The debugger model of one program and the news its views are told: the agent's debug events
 * go to the model (`model.receive`), the session's events come in through `sessionEvent`, where an
 * edit saved while paused goes through the model (what it does to the paused stack) first.
 */
export class DebugNewsFeed {
  readonly model: DebuggerModel;
  private readonly listeners: ((news: DebugNews) => void)[] = [];

  constructor(backend: DebugBackend, restartOnEdit: RestartOnEdit) {
    this.model = new DebuggerModel(backend, restartOnEdit);
    this.model.onNotice((notice) => {
      if (notice.type === "stopped" && notice.stop.restarted?.afterEdit) return;
      this.tell({ type: "debugger", notice });
    });
  }

  onNews(listener: (news: DebugNews) => void): void {
    this.listeners.push(listener);
  }

  sessionEvent(event: SessionEvent): void {
    if (event.type === "edit" && this.model.stop) void this.pausedEdit(event);
    else this.tell({ type: "session", event });
  }

  tell(news: DebugNews): void {
    for (const listener of this.listeners) listener(news);
  }

  /** An edit saved while paused: the model decides what it does to the paused stack. */
  private async pausedEdit(event: EditEvent): Promise<void> {
    const aftermath = await this.model
      .afterEdit(event.file, event.outcome, event.functions)
      .catch(() => undefined);
    const stop = aftermath?.restarted ? this.model.stop : undefined;
    this.tell({
      type: "pausedEdit",
      event: aftermath ? { ...event, functions: aftermath.functions } : event,
      ...(aftermath ? { aftermath } : {}),
      ...(stop ? { stop } : {}),
    });
  }
}

/**
 * One program under the debugger: the Session (spawn, watch, patch) with its agent's debugger on,
 * and its DebugNewsFeed. `hotframe debug` and `hotframe dap`'s launch are views of this.
 */
export class DebugSession implements DebuggedProgram {
  private agent: AgentProcess | undefined;
  private readonly session: Session;
  private readonly feed: DebugNewsFeed;

  /** The entry pause the views never see (see `exceptionFilters`): "waiting" for it, then for the
   * resume that follows it, then "done". */
  private unseenEntry: "waiting" | "resuming" | "done" = "waiting";

  constructor(options: DebugSessionOptions) {
    const unseenEntry = !options.stopAtEntry && options.exceptionFilters !== undefined;
    this.feed = new DebugNewsFeed(
      {
        request: (command, args) =>
          this.agent
            ? this.agent.debug(command, args)
            : Promise.reject(new Error("the program has not started")),
      },
      options.restartOnEdit,
    );
    this.session = new Session({
      controller: options.controller,
      program: options.program,
      quietMs: options.quietMs,
      onVerbose: options.onVerbose,
      startAgent: (spec) => {
        const agent = new AgentProcess(
          {
            ...spec,
            env: {
              ...options.env,
              ...spec.env,
              [AGENT_ENV.debugger]: options.stopAtEntry || unseenEntry ? "entry" : "continue",
            },
            stdin: options.stdin,
            output: options.output,
          },
          options.start,
        );
        agent.on("debugEvent", (event) => {
          if (unseenEntry && this.leaveUnseenEntry(agent, event)) return;
          this.model.receive(event);
        });
        agent.on("output", (stream, text) => this.feed.tell({ type: "output", stream, text }));
        agent.on("loaded", (file) => this.feed.tell({ type: "loaded", file }));
        this.agent = agent;
        if (options.exceptionFilters)
          this.model
            .setExceptionFilters(options.exceptionFilters)
            .catch((error: Error) => options.onWarning?.(error.message));
        return agent;
      },
      onEvent: (event) => this.feed.sessionEvent(event),
    });
  }

  /** Whether `event` belongs to the unseen entry pause: its pause continues the program once the
   * exception filters (requested before it, so answered first) are set; its resume is dropped. */
  private leaveUnseenEntry(agent: AgentProcess, event: DebugEvent): boolean {
    if (this.unseenEntry === "waiting" && event.event === "paused" && event.body.reason === "entry") {
      this.unseenEntry = "resuming";
      const threadId = event.body.threadId;
      void this.model
        .whenIdle()
        .then(() => agent.debug("continue", { threadId }))
        .catch(() => undefined); // the program ended before it could go on: its exit says so
      return true;
    }
    if (this.unseenEntry === "resuming" && event.event === "resumed") {
      this.unseenEntry = "done";
      return true;
    }
    return false;
  }

  get model(): DebuggerModel {
    return this.feed.model;
  }

  onNews(listener: (news: DebugNews) => void): void {
    this.feed.onNews(listener);
  }

  get loadedFiles(): ReadonlySet<string> {
    return this.agent?.loadedFiles ?? new Set();
  }

  /** Runs the program to its end; resolves with how it exited (the model knows it ended). */
  async run(): Promise<ExitInfo> {
    try {
      return await this.session.run();
    } finally {
      this.model.programExited();
    }
  }

  signal(signal: NodeJS.Signals): void {
    this.session.signal(signal);
  }
}

/** The event log's form (docs/events.md) of one piece of news, in order. */
export function loggedEvents(news: DebugNews): SessionEvent[] {
  switch (news.type) {
    case "session":
      return [news.event];
    case "debugger":
      return sessionEvents(news.notice).map(at);
    case "pausedEdit":
      return [news.event, ...(news.stop ? sessionEvents({ type: "stopped", stop: news.stop }).map(at) : [])];
    default:
      return [];
  }
}

/** The edit as the views report it in words: a function restarted is said by the stop shown
 * after it, so the edit's line leaves it out, and is not shown when nothing else is left to say. */
export function reportedEdit(news: Extract<DebugNews, { type: "pausedEdit" }>): EditEvent | undefined {
  const { event, aftermath } = news;
  if (!aftermath?.restarted) return event;
  const others = event.functions.filter((f) => f.status !== "restarted");
  if (others.length === 0 && event.outcome === "applied") return undefined;
  return { ...event, functions: others };
}
