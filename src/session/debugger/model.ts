import type {
  DebugCommands,
  DebugEvent,
  FunctionOutcome,
  PauseReason,
  Scope,
  StackFrame,
  Variable,
} from "../../protocol/messages.js";
import type { DebugBackend } from "./backend.js";
import { BreakpointBook, type BreakpointEntry, type BreakpointOptions } from "./breakpoints.js";
import { planRestart, type RestartOnEdit } from "./edit-rules.js";

export type ResumeCommand = "continue" | "next" | "stepIn" | "stepOut" | "until";

/** A paused thread as the user sees it. */
export interface Stop {
  reason: PauseReason;
  threadId: number;
  threadName: string;
  /** The whole paused stack, top first (index 0). */
  frames: StackFrame[];
  /** Breakpoint numbers that stopped it. */
  hitBreakpoints: number[];
  description?: string;
  /** Set when this stop is a restart: the function restarted, and the edit that caused it. */
  restarted?: { function: string; afterEdit?: string };
}

/** What the model tells its views (the terminal, the event log, the DAP adapter). */
export type DebugNotice =
  | { type: "stopped"; stop: Stop }
  | { type: "resumed"; threadId: number }
  | { type: "breakpoint"; change: "set" | "changed" | "removed"; breakpoint: BreakpointEntry }
  | { type: "output"; category: "console" | "important"; text: string };

/** What an edit saved while paused did to the paused stack, beyond the patch itself. */
export interface EditAftermath {
  /** The edit's function outcomes, with the restarted one "restarted" and the edited frames
   * that keep running old code said so with what to do. */
  functions: FunctionOutcome[];
  /** The frame restarted (index in the stack before the restart). */
  restarted?: { index: number; function: string };
  /** A restart the agent refused: why (nothing changed). */
  restartRefused?: string;
}

/**
 * The debugger, independent of the runtime and of the front end: breakpoints, the paused
 * thread and its frames, stepping, evaluation, and what an edit saved while paused does.
 * Requests go through a DebugBackend; the agent's events come in through receive().
 * Operations run one at a time (an edit's restart never interleaves with a command).
 */
export class DebuggerModel {
  readonly breakpoints = new BreakpointBook();
  private current: Stop | undefined;
  private exited = false;
  private readonly listeners: ((notice: DebugNotice) => void)[] = [];
  private stopWaiters: ((stop: Stop | undefined) => void)[] = [];
  private queue: Promise<unknown> = Promise.resolve();
  private restartCause: Stop["restarted"] | undefined;
  /** Pause events whose stack is being fetched: stops are told in the order they happened. */
  private arriving: Promise<void> = Promise.resolve();

  constructor(
    private readonly backend: DebugBackend,
    readonly restartOnEdit: RestartOnEdit = "top",
  ) {}

  onNotice(listener: (notice: DebugNotice) => void): void {
    this.listeners.push(listener);
  }

  /** The paused thread, or undefined while the program runs. */
  get stop(): Stop | undefined {
    return this.current;
  }

  get hasExited(): boolean {
    return this.exited;
  }

  /** Resolves with the next stop (or undefined once the program exited). */
  nextStop(): Promise<Stop | undefined> {
    if (this.exited) return Promise.resolve(undefined);
    return new Promise((resolve) => this.stopWaiters.push(resolve));
  }

  private markEnded: () => void = () => {};
  /** Resolves once the program has ended. */
  readonly ended: Promise<void> = new Promise((resolve) => (this.markEnded = resolve));

  /** Resolves with the first stop after `previous`: one that has arrived already, or the next. */
  stopAfter(previous: Stop): Promise<Stop | undefined> {
    return this.current && this.current !== previous ? Promise.resolve(this.current) : this.nextStop();
  }

  /** Resolves with the current stop, or the next one. */
  whenStopped(): Promise<Stop | undefined> {
    return this.current ? Promise.resolve(this.current) : this.nextStop();
  }

  receive(event: DebugEvent): void {
    switch (event.event) {
      case "paused": {
        const body = event.body;
        const cause = body.reason === "restart" ? this.restartCause : undefined;
        this.restartCause = undefined;
        this.arriving = this.arriving.then(async () => {
          const frames = body.stackFrames ?? (await this.frames(body.threadId).catch(() => []));
          const stop: Stop = {
            reason: body.reason,
            threadId: body.threadId,
            threadName: body.threadName,
            frames,
            hitBreakpoints: body.hitBreakpointIds,
            ...(body.description ? { description: body.description } : {}),
            ...(body.reason === "restart"
              ? { restarted: cause ?? { function: frames[0]?.name ?? "?" } }
              : {}),
          };
          this.current = stop;
          this.tell({ type: "stopped", stop });
          const waiters = this.stopWaiters;
          this.stopWaiters = [];
          for (const resolve of waiters) resolve(stop);
        });
        return;
      }
      case "resumed":
        if (this.current?.threadId === event.body.threadId) this.current = undefined;
        this.tell({ type: "resumed", threadId: event.body.threadId });
        return;
      case "breakpointChanged": {
        const entry = this.breakpoints.update(event.body.breakpoint);
        if (entry)
          this.tell({
            type: "breakpoint",
            change: entry.state === "removed" ? "removed" : "changed",
            breakpoint: entry,
          });
        return;
      }
      case "output":
        this.tell({ type: "output", category: event.body.category, text: event.body.output });
        return;
    }
  }

  /** The program ended: nothing is paused any more. */
  programExited(): void {
    this.exited = true;
    this.markEnded();
    this.current = undefined;
    const waiters = this.stopWaiters;
    this.stopWaiters = [];
    for (const resolve of waiters) resolve(undefined);
  }

  // ---- breakpoints --------------------------------------------------------------------------

  breakLine(file: string, line: number, options: BreakpointOptions = {}): Promise<BreakpointEntry> {
    return this.serial(async () => {
      const entry = this.breakpoints.addLine(file, line, options);
      await this.syncFile(file).catch((error: unknown) => this.undoAdd(entry, error));
      this.tell({ type: "breakpoint", change: "set", breakpoint: entry });
      return entry;
    });
  }

  breakFunction(name: string, options: BreakpointOptions = {}): Promise<BreakpointEntry> {
    return this.serial(async () => {
      const entry = this.breakpoints.addFunction(name, options);
      await this.syncFunctions().catch((error: unknown) => this.undoAdd(entry, error));
      this.tell({ type: "breakpoint", change: "set", breakpoint: entry });
      return entry;
    });
  }

  /** Replace the line breakpoints of `file` (DAP's setBreakpoints): resolves with the new entries. */
  replaceLines(
    file: string,
    wanted: readonly ({ line: number } & BreakpointOptions)[],
  ): Promise<BreakpointEntry[]> {
    return this.serial(async () => {
      const old = this.breakpoints.all().filter((e) => e.function === undefined && e.file === file);
      return this.replace(
        old,
        () => wanted.map(({ line, ...o }) => this.breakpoints.addLine(file, line, o)),
        () => this.syncFile(file),
      );
    });
  }

  /** Replace every function breakpoint (DAP's setFunctionBreakpoints). */
  replaceFunctions(wanted: readonly ({ name: string } & BreakpointOptions)[]): Promise<BreakpointEntry[]> {
    return this.serial(async () => {
      const old = this.breakpoints.all().filter((e) => e.function !== undefined);
      return this.replace(
        old,
        () => wanted.map(({ name, ...o }) => this.breakpoints.addFunction(name, o)),
        () => this.syncFunctions(),
      );
    });
  }

  /** Swap `old` entries for new ones and tell the agent; on a refusal the old ones stay. */
  private async replace(
    old: BreakpointEntry[],
    add: () => BreakpointEntry[],
    sync: () => Promise<void>,
  ): Promise<BreakpointEntry[]> {
    for (const entry of old) this.breakpoints.remove(entry.number);
    const added = add();
    try {
      await sync();
    } catch (error) {
      for (const entry of added) this.breakpoints.remove(entry.number);
      for (const entry of old) this.breakpoints.restore(entry);
      await sync().catch(() => undefined);
      throw error;
    }
    return added;
  }

  private undoAdd(entry: BreakpointEntry, error: unknown): never {
    this.breakpoints.remove(entry.number);
    throw error;
  }

  clear(number: number): Promise<BreakpointEntry> {
    return this.serial(async () => {
      const entry = this.entry(number);
      this.breakpoints.remove(number);
      await this.sync(entry);
      entry.state = "removed";
      this.tell({ type: "breakpoint", change: "removed", breakpoint: entry });
      return entry;
    });
  }

  /** enable/disable, condition, ignore: change a breakpoint and tell the agent. */
  change(
    number: number,
    update: Partial<BreakpointOptions> & { enabled?: boolean },
  ): Promise<BreakpointEntry> {
    return this.serial(async () => {
      const entry = this.entry(number);
      const before = { ...entry };
      Object.assign(entry, update);
      try {
        await this.sync(entry);
      } catch (error) {
        Object.assign(entry, before); // a condition that does not compile changes nothing
        throw error;
      }
      this.tell({ type: "breakpoint", change: "changed", breakpoint: entry });
      return entry;
    });
  }

  private entry(number: number): BreakpointEntry {
    const entry = this.breakpoints.get(number);
    if (!entry) throw new Error(`there is no breakpoint ${number}`);
    return entry;
  }

  private sync(entry: BreakpointEntry): Promise<void> {
    return entry.function !== undefined ? this.syncFunctions() : this.syncFile(entry.file as string);
  }

  private async syncFile(file: string): Promise<void> {
    const answer = await this.backend.request("setBreakpoints", {
      source: file,
      breakpoints: this.breakpoints.lineSpecs(file),
    });
    for (const reported of answer.breakpoints) this.breakpoints.update(reported);
  }

  private async syncFunctions(): Promise<void> {
    const answer = await this.backend.request("setFunctionBreakpoints", {
      breakpoints: this.breakpoints.functionSpecs(),
    });
    for (const reported of answer.breakpoints) this.breakpoints.update(reported);
  }

  /** The exception filters on ("uncaught", "raised"); a new model has none until it sets them. */
  exceptionFilters: string[] = [];

  setExceptionFilters(filters: string[]): Promise<void> {
    return this.serial(async () => {
      await this.backend.request("setExceptionBreakpoints", { filters });
      this.exceptionFilters = [...filters];
    });
  }

  /** The exception the paused thread stopped on (its stop's reason is "exception"). */
  exceptionInfo(): Promise<DebugCommands["exceptionInfo"]["body"]> {
    return this.serial(async () =>
      this.backend.request("exceptionInfo", { threadId: this.paused().threadId }),
    );
  }

  // ---- execution ----------------------------------------------------------------------------

  /** Continue, or step over (next), into, out of the current frame, or until a later line of it. */
  resume(command: ResumeCommand): Promise<void> {
    return this.serial(async () => {
      const stop = this.paused();
      await this.backend.request(command, { threadId: stop.threadId });
    });
  }

  pause(): Promise<void> {
    return this.serial(async () => {
      if (!this.current) await this.backend.request("pause", {});
    });
  }

  /** Restart frame `index` (0 = top) with the newest code; resolves with the stop at its first line. */
  restart(index: number): Promise<Stop | undefined> {
    return this.serial(() => this.restartFrame(index, undefined));
  }

  private async restartFrame(index: number, afterEdit: string | undefined): Promise<Stop | undefined> {
    const frame = this.frameAt(index);
    const next = this.nextStop();
    this.restartCause = { function: frame.name, ...(afterEdit ? { afterEdit } : {}) };
    try {
      // A frame that cannot restart is asked all the same: the agent refuses it, changing
      // nothing, with the reason the user is told.
      await this.backend.request("restartFrame", { frameId: frame.id });
    } catch (error) {
      this.restartCause = undefined;
      if (frame.canRestart) throw error;
      throw new Error(`frame ${index} (${frame.name}) cannot be restarted: ${(error as Error).message}`);
    }
    return next;
  }

  /**
   * End the program as pdb's `quit` does: the agent raises SystemExit in the paused thread and
   * the main thread, so `finally` blocks and atexit run. Resolves true once the program ended,
   * false if it has not within `graceMs` (or the agent cannot): then it is the caller's to kill.
   */
  async terminate(graceMs: number): Promise<boolean> {
    if (this.exited) return true;
    try {
      await this.backend.request("terminate", {});
    } catch {
      return this.exited;
    }
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), graceMs)));
    const ended = await Promise.race([this.ended.then(() => true), late]);
    clearTimeout(timer);
    return ended;
  }

  // ---- inspection ---------------------------------------------------------------------------

  frameAt(index: number): StackFrame {
    const frames = this.paused().frames;
    const frame = frames[index];
    if (!frame)
      throw new Error(
        `there is no frame ${index} (the stack has ${frames.length}: 0 to ${frames.length - 1})`,
      );
    return frame;
  }

  evaluate(
    expression: string,
    frameIndex: number,
    options: { context?: "repl" | "watch" | "hover"; pretty?: boolean } = {},
  ): Promise<DebugCommands["evaluate"]["body"]> {
    return this.serial(async () => {
      // Paused with no frames (a Node program idle in its event loop): in the global scope.
      const idle = frameIndex === 0 && this.paused().frames.length === 0;
      return this.backend.request("evaluate", {
        expression,
        ...(idle ? {} : { frameId: this.frameAt(frameIndex).id }),
        context: options.context ?? "repl",
        ...(options.pretty ? { pretty: true } : {}),
      });
    });
  }

  scopes(frameIndex: number): Promise<Scope[]> {
    return this.serial(
      async () => (await this.backend.request("scopes", { frameId: this.frameAt(frameIndex).id })).scopes,
    );
  }

  /** One page of a value's children (the model never asks for more than `count`). */
  variables(reference: number, start = 0, count = 100): Promise<Variable[]> {
    return this.serial(
      async () =>
        (await this.backend.request("variables", { variablesReference: reference, start, count })).variables,
    );
  }

  /** A new value for a variable of a scope or value the paused thread sees (`value` is an expression). */
  setVariable(reference: number, name: string, value: string): Promise<Variable> {
    return this.serial(() =>
      this.backend.request("setVariable", { variablesReference: reference, name, value }),
    );
  }

  /** The names visible in a frame: its scopes' variables (for completion). */
  async names(frameIndex: number): Promise<string[]> {
    const scopes = await this.scopes(frameIndex);
    const pages = await Promise.all(scopes.map((s) => this.variables(s.variablesReference, 0, 1000)));
    return [...new Set(pages.flat().map((v) => v.name))];
  }

  /** End debugging, not the program: the agent drops every breakpoint and lets every thread run. */
  detach(): Promise<void> {
    return this.serial(async () => {
      await this.backend.request("detach", {});
      for (const entry of this.breakpoints.all()) this.breakpoints.remove(entry.number);
      this.current = undefined;
    });
  }

  threads(): Promise<{ id: number; name: string }[]> {
    return this.serial(async () => (await this.backend.request("threads", {})).threads);
  }

  /** The lines of `file` from `line` to `endLine` where a line breakpoint stops as asked. */
  breakpointLocations(file: string, line: number, endLine?: number): Promise<number[]> {
    return this.serial(async () => {
      const args = { source: file, line, ...(endLine !== undefined ? { endLine } : {}) };
      return (await this.backend.request("breakpointLocations", args)).breakpoints.map((b) => b.line);
    });
  }

  // ---- edits while paused -------------------------------------------------------------------

  /**
   * An edit of `file` was applied (or partly) while a thread is paused: decide what happens to
   * the edited frames of the paused stack (restartOnEdit) and do it. Undefined when nothing is
   * paused or the edit was rejected (the pause stays as it is).
   */
  afterEdit(
    file: string,
    outcome: "applied" | "partial" | "rejected",
    functions: FunctionOutcome[],
  ): Promise<EditAftermath | undefined> {
    return this.serial(async () => {
      const stop = this.current;
      if (!stop || outcome === "rejected") return undefined;
      stop.frames = await this.frames(stop.threadId);
      const plan = planRestart(stop.frames, this.restartOnEdit);
      const rewritten = functions.map((f) => ({ ...f }));
      for (const { index, why } of plan.stillOld) {
        const frame = stop.frames[index] as StackFrame;
        const outcome = rewritten.find((f) => f.qualname === frame.name && f.status === "running-old");
        if (!outcome) continue;
        outcome.reason =
          why === "not-restarted"
            ? `(frame ${index}) still runs its old code — \`restart ${index}\` restarts it`
            : `(frame ${index}) still runs its old code: it cannot be restarted (${frame.name === "<module>" ? "module code" : "not restartable"}); the new code runs from its next call`;
      }
      if (plan.restart === undefined) return { functions: rewritten };
      const frame = stop.frames[plan.restart] as StackFrame;
      try {
        await this.restartFrame(plan.restart, file);
      } catch (error) {
        return { functions: rewritten, restartRefused: (error as Error).message };
      }
      for (const f of rewritten) {
        if (f.qualname === frame.name && (f.status === "running-old" || f.status === "updated")) {
          f.status = "restarted";
          delete f.reason;
          delete f.code;
        }
      }
      return { functions: rewritten, restarted: { index: plan.restart, function: frame.name } };
    });
  }

  // ---- internals ----------------------------------------------------------------------------

  private paused(): Stop {
    if (this.exited) throw new Error("the program has exited");
    if (!this.current) throw new Error("the program is running (interrupt it to pause)");
    return this.current;
  }

  private async frames(threadId: number): Promise<StackFrame[]> {
    return (await this.backend.request("stackTrace", { threadId })).stackFrames;
  }

  /** Resolves once every request asked for so far has been answered. */
  whenIdle(): Promise<void> {
    return this.serial(() => Promise.resolve());
  }

  private serial<T>(operation: () => Promise<T>): Promise<T> {
    const result = this.queue.then(operation, operation);
    this.queue = result.catch(() => undefined);
    return result;
  }

  private tell(notice: DebugNotice): void {
    for (const listener of this.listeners) listener(notice);
  }
}
