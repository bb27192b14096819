import { dirname, sep } from "node:path";
import { fileURLToPath } from "node:url";
import type {
  AgentMessage,
  DebugCommand,
  DebugCommands,
  DebugEvents,
  PatchResult,
  PauseReason,
  StackFrame,
} from "../../../../protocol/messages.js";
import { type Reason, reason } from "../reasons.js";
import { LineBreakpoints } from "./breakpoints.js";
import { breakpointLocations } from "./locations.js";
import { fileOfUrl, insideInstrumentation, type Place, type UserFrame, userFrames } from "./frames.js";
import type { CallFrame, Inspector, Location, PausedParams, RemoteObject } from "./inspector.js";
import { type FramePlace, type FunctionFacts, type PausedPatch, SUPPORT_KEY } from "./support.js";
import { GUARD_CLOSE_TEXT, GUARD_OPEN_TEXT, RESTART_MARK, RestartSignal } from "../restart-guard.js";
import { CallerFlood } from "./caller-flood.js";
import { Refusal } from "./refusal.js";
import { ScriptTexts } from "./script-texts.js";
import { ExceptionTermination } from "./termination.js";
import { WorkerThreads } from "./workers.js";
import { Values } from "./values.js";

/** hotframe's agent: its frames never show, and stepping never stops in it. */
const AGENT_DIR = dirname(dirname(fileURLToPath(import.meta.url))) + sep;
/** The thread the Node debugger debugs (worker threads are listed, not debugged: workers.ts). */
const MAIN_THREAD = { id: 1, name: "main" };
/** How often a pause request is repeated until the program stops. */
const PAUSE_RETRY_MS = 100;
/**
 * The script a pause request runs on the main thread (after a few retries: a program whose
 * callback is due soon stops in it), so that a program idle in its event loop (a server waiting
 * for requests) stops too, in it; the inspector runs it even then. A busy program has already stopped in its own code, or stops in this script on top
 * of it, and steps out of it into its own.
 */
const IDLE_URL = "hotframe-pause-while-idle";
/** Retries of a pause request before it runs IDLE_CODE (a program whose callback is due stops in that first). */
const IDLE_AFTER_RETRIES = 3;
const IDLE_CODE = `void 0\n//# sourceURL=${IDLE_URL}`;
/** Every instrumented module's code holds its preamble (transform.ts). */
const PREAMBLE_MARK = 'globalThis[globalThis.Symbol.for("hotframe")].register(';
/** Internal steps (out of hotframe's code, over its prologue) before giving up and stopping anyway. */
const MAX_SETTLE_STEPS = 200;

type Step = "stepOver" | "stepInto" | "stepOut";

/** A pause of the main thread, as hotframe sees it. */
interface Pause {
  params: PausedParams;
  frames: UserFrame[];
  facts: (FunctionFacts | null)[];
  reason: PauseReason;
  /** Paused on an exception nothing will catch (V8's prediction, or hotframe's at start-up). */
  uncaught: boolean;
  /** Per frame: is its current position inside a try/catch of its own? (Asked when a restart needs it.) */
  catching?: boolean[];
  /** Per frame: does it run older code than its function's newest? (Asked once per frame until a patch.) */
  oldCode: Promise<boolean>[];
}

/**
 * How a frame restarts, decided before anything changes: V8's restartFrame (paused on an
 * exception, once the exception is replaced by a termination: termination.ts); unwinding it
 * through its restart guard (restart-guard.ts) with the exception being thrown, or with a
 * RestartSignal thrown from the top frame (restarted by V8 with its slot armed); or not at all.
 */
type RestartWay =
  | { way: "restartFrame"; exception: boolean }
  | { way: "unwind"; by: "exception" | "signal" }
  | { way: "refused"; why: Reason };

const isResumable = (facts: FunctionFacts | null | undefined) =>
  facts?.async === true || facts?.generator === true;

/**
 * The Node debugger, on the worker thread: the program's main thread through the in-process
 * inspector (no port). Requests come from the controller (worker.ts), answers and events go back
 * through `send`. Only the main thread is debugged (worker threads are listed: workers.ts); when
 * it pauses, V8 stops it whole.
 */
export class NodeDebugger {
  private pause: Pause | undefined;
  /** The reason the pause being reached will have (entry, restart, step, pause), while hotframe steps out of its own code. */
  private pending:
    | {
        reason: PauseReason;
        steps: number;
        step?: Step;
        until?: { depth: number; line: number };
        /** A restart by unwinding stops only when the stack is this deep (the dropped frames' `finally` blocks run first). */
        depth?: number;
        /** A step's stack depth when it started (the caller flood stops it only above that). */
        from?: number;
      }
    | undefined;
  private readonly scripts = new Map<string, { url: string; file: string | undefined }>();
  /** The text each script of a patched file was compiled from. */
  private readonly scriptTexts = new ScriptTexts();
  private readonly sources = new Map<string, string[]>();
  private readonly breakpoints: LineBreakpoints;
  private readonly values: Values;
  private readonly flood: CallerFlood;
  private readonly termination: ExceptionTermination;
  private readonly workers: WorkerThreads;
  /** The exception filter asked for (catch uncaught by default under `hotframe debug`). */
  private exceptionFilter: "none" | "uncaught" | "all" = "uncaught";
  /** The program's top-level code is still running (see v8ExceptionState). */
  private startingUp = true;
  private enabled = false;
  /** Called at each pause, before it is told (the worker applies waiting patches then). */
  onPause: () => void = () => {};
  /** Files the program loaded that hotframe instruments (the agent's `loaded` messages). */
  readonly loaded = new Set<string>();
  private readonly seenInstrumented = new Set<string>();
  /** Functions the patches of each file changed (what a frame running old code of is told of). */
  private readonly edited = new Map<string, Set<string>>();
  /** The text a patch applied while paused was compiled from, as its own answer said (see patched). */
  private readonly compiledWhilePaused = new Map<string, string | null>();
  /** Files of paused frames whose running model the main thread was asked to build (prepareForEdits). */
  private readonly prepared = new Set<string>();

  constructor(
    private readonly inspector: Inspector,
    private readonly send: (message: AgentMessage) => void,
  ) {
    this.values = new Values(inspector);
    this.flood = new CallerFlood(inspector);
    this.termination = new ExceptionTermination(inspector);
    this.workers = new WorkerThreads(inspector, AGENT_DIR);
    this.breakpoints = new LineBreakpoints(inspector, {
      changed: (breakpoint) => this.event("breakpointChanged", { reason: breakpoint.state, breakpoint }),
      output: (output) => this.event("output", { category: "console", output }),
      findFunctions: (name) => this.support("findFunctions", [name]),
      isLoaded: (file) => this.instrumented(file),
    });
    inspector.on("Debugger.scriptParsed", (p: { scriptId: string; url: string }) =>
      this.scripts.set(p.scriptId, { url: p.url, file: fileOfUrl(p.url) }),
    );
    inspector.on(
      "Debugger.paused",
      (p: PausedParams) => void this.onPaused(p).catch((e) => this.internal(e)),
    );
    inspector.on("Debugger.breakpointResolved", (p: { breakpointId: string; location: Location }) =>
      this.breakpoints.resolved(p.breakpointId, p.location.lineNumber + 1),
    );
  }

  /** Debugger.enable and the default filters: the program may start after this. */
  async enable(): Promise<void> {
    if (this.enabled) return;
    this.enabled = true;
    await this.inspector.post("Debugger.enable", { maxScriptsCacheSize: 1e8 });
    await this.inspector.post("Debugger.setBlackboxPatterns", { patterns: ["^node:"] });
    await this.applyExceptionState();
    await this.workers.enable();
  }

  /**
   * Node runs the program's modules through its ES module loader, which awaits their
   * evaluation: V8 then predicts an exception that reaches a module's top-level code caught (by
   * the loader's promise). While the program's top-level code runs, catch uncaught therefore
   * pauses at every exception and hotframe decides (see decideException).
   */
  private applyExceptionState(): Promise<unknown> {
    const state = this.exceptionFilter === "uncaught" && this.startingUp ? "all" : this.exceptionFilter;
    return this.inspector.post("Debugger.setPauseOnExceptions", { state });
  }

  /** The program's top-level code has run (the main thread's first turn of its event loop). */
  startedUp(): void {
    this.startingUp = false;
    if (this.enabled) void this.applyExceptionState().catch((e) => this.internal(e));
  }

  /** Attached later: no exception pauses until a client asks for them, none of start-up's. */
  dormant(): void {
    this.exceptionFilter = "none";
    this.startingUp = false;
  }

  /** The next pause is the stop before the program's first line (start.ts's entryBreak). */
  expectEntry(): void {
    this.pending = { reason: "entry", steps: 0 };
  }

  /** A file hotframe instruments was loaded: function breakpoints may be placed in it now. */
  fileLoaded(file: string): void {
    this.loaded.add(file);
    void this.breakpoints.fileLoaded().catch((e) => this.internal(e));
  }

  get isPaused(): boolean {
    return this.pause !== undefined;
  }

  /** SIGINT reached the program (Ctrl-C in its terminal): pause it where it is. */
  interrupt(): void {
    void this.handle("pause", {}).catch((e) => this.internal(e));
  }

  // ---- requests -----------------------------------------------------------------------------

  async handle<C extends DebugCommand>(
    command: C,
    args: DebugCommands[C]["arguments"],
  ): Promise<DebugCommands[C]["body"]> {
    await this.enable();
    const a = args as never;
    switch (command) {
      case "setBreakpoints":
        return this.breakpoints.setLines(a) as never;
      case "setFunctionBreakpoints":
        return this.breakpoints.setFunctions(a) as never;
      case "breakpointLocations":
        return breakpointLocations(this.inspector, this.scripts, this.scriptTexts, a) as never;
      case "setExceptionBreakpoints": {
        const filters = (args as DebugCommands["setExceptionBreakpoints"]["arguments"]).filters;
        this.exceptionFilter = filters.includes("raised")
          ? "all"
          : filters.includes("uncaught")
            ? "uncaught"
            : "none";
        await this.applyExceptionState();
        return {} as never;
      }
      case "threads":
        return { threads: [MAIN_THREAD, ...(await this.workers.list())] } as never;
      case "continue":
        await this.resume(undefined);
        return { allThreadsContinued: true } as never;
      case "next":
        await this.resume("stepOver");
        return {} as never;
      case "stepIn":
        await this.resume("stepInto");
        return {} as never;
      case "stepOut":
        await this.resume("stepOut");
        return {} as never;
      case "until": {
        const pause = this.paused();
        const top = pause.frames[0];
        await this.resume(
          "stepOver",
          top && { depth: pause.frames.length, line: top.v8.location.lineNumber + 1 },
        );
        return {} as never;
      }
      case "pause":
        if (!this.pause && !this.pending) {
          this.pending = { reason: "pause", steps: 0 };
          // A request that lands where V8 cannot break (optimized code without a call in it, on
          // Node 20) is asked again until the program stops.
          let retries = 0;
          const again = setInterval(() => {
            if (this.pending?.reason !== "pause" || this.pause) clearInterval(again);
            // Not while it steps from Node's code towards the program's (steps > 0): it is not idle.
            else
              void this.requestPause(++retries >= IDLE_AFTER_RETRIES && this.pending.steps === 0).catch(
                () => undefined,
              );
          }, PAUSE_RETRY_MS);
          await this.requestPause(false);
        }
        return {} as never;
      case "stackTrace":
        return this.stackTrace(a) as never;
      case "scopes":
        return {
          scopes: await this.values.scopes(
            this.frame((args as { frameId: number }).frameId).v8,
            (scope) => scope.startLocation !== undefined && this.atGuardOpen(scope.startLocation),
          ),
        } as never;
      case "variables":
        return { variables: await this.values.variables(a) } as never;
      case "evaluate":
        return this.evaluate(a) as never;
      case "setVariable":
        return this.values.setVariable(a, this.topFrame()) as never;
      case "restartFrame":
        await this.restartFrame((args as { frameId: number }).frameId);
        return {} as never;
      case "exceptionInfo":
        return this.exceptionInfo() as never;
      case "detach":
        await this.detach();
        return {} as never;
      case "terminate":
        await this.terminate();
        return {} as never;
    }
    throw new Refusal(reason("unknown-command", String(command)));
  }

  private async resume(step: Step | undefined, until?: { depth: number; line: number }): Promise<void> {
    const pause = this.paused();
    const caller = pause.frames[1];
    if (step && pause.facts[0]?.guarded && caller && this.placeOf(caller.v8) === "user")
      await this.flood.set(caller.v8);
    this.pause = undefined;
    this.values.reset();
    this.pending = step
      ? { reason: "step", steps: 0, step, from: pause.frames.length, ...(until ? { until } : {}) }
      : undefined;
    this.event("resumed", { threadId: MAIN_THREAD.id, allThreadsContinued: true });
    await this.inspector.post(step ? `Debugger.${step}` : "Debugger.resume");
  }

  /**
   * pdb's `quit`: nothing pauses the program any more, and it ends through `process.exit()` on
   * its own thread, so its 'exit' handlers run (Node's atexit). The `finally` blocks of the
   * paused frames do not: V8 has no way to unwind a paused stack with them. The exit comes after
   * this request's answer has gone out.
   */
  private async terminate(): Promise<void> {
    await this.breakpoints.clearAll();
    this.exceptionFilter = "none";
    if (this.enabled) await this.applyExceptionState();
    setImmediate(() => {
      void this.inspector.post("Runtime.evaluate", { expression: "process.exit()" }).catch(() => undefined);
    });
  }

  private async detach(): Promise<void> {
    await this.breakpoints.clearAll();
    await this.flood.clear();
    const wasPaused = this.pause !== undefined;
    this.pause = undefined;
    this.pending = undefined;
    this.values.reset();
    if (this.enabled) {
      this.enabled = false;
      // Debugger.disable resumes a paused program and drops V8's debugging state: no cost left.
      await this.inspector.post("Debugger.disable");
      await this.workers.disable();
    }
    this.exceptionFilter = "none";
    if (wasPaused) this.event("resumed", { threadId: MAIN_THREAD.id, allThreadsContinued: true });
  }

  private async stackTrace(args: DebugCommands["stackTrace"]["arguments"]) {
    const pause = this.paused();
    const start = args.startFrame ?? 0;
    const end = args.levels ? start + args.levels : pause.frames.length;
    const stackFrames: StackFrame[] = [];
    for (let i = start; i < Math.min(end, pause.frames.length); i++)
      stackFrames.push(await this.stackFrame(pause, i));
    return { stackFrames, totalFrames: pause.frames.length };
  }

  private async stackFrame(pause: Pause, index: number): Promise<StackFrame> {
    const frame = pause.frames[index] as UserFrame;
    const facts = pause.facts[index] ?? null;
    const file = this.fileOf(frame.v8.location) ?? frame.v8.url;
    const name = facts
      ? facts.qualname
      : this.instrumented(file)
        ? "<module>"
        : frame.v8.functionName || "<anonymous>";
    const args =
      facts && facts.params.length > 0 ? await this.values.argumentsOf(frame.v8, facts.params) : undefined;
    return {
      id: index,
      name,
      source: file,
      line: frame.v8.location.lineNumber + 1,
      column: (frame.v8.location.columnNumber ?? 0) + 1,
      ...(args !== undefined ? { arguments: args } : {}),
      ...(facts ? { definition: { startLine: facts.startLine, endLine: facts.endLine } } : {}),
      canRestart: (await this.restartWay(pause, index)).way !== "refused",
      // A function only moved by an edit above it is not the user's change (patches do not list it).
      runningOld:
        facts?.slotted === true &&
        this.edited.get(file)?.has(facts.qualname) === true &&
        (await this.runsOld(pause, index)),
    };
  }

  /** How frame `index` restarts (or why it cannot). */
  private async restartWay(pause: Pause, index: number): Promise<RestartWay> {
    const refused = (why: Reason): RestartWay => ({ way: "refused", why });
    const frame = pause.frames[index] as UserFrame;
    const file = this.fileOf(frame.v8.location);
    if (!file || !this.instrumented(file)) return refused(reason("restart-uninstrumented"));
    const facts = pause.facts[index];
    if (!facts) return refused(reason("restart-module"));
    const exception = pause.reason === "exception";
    const above = pause.facts.slice(0, index);
    const resumableAbove = above.find(isResumable);
    if (!isResumable(facts) && !resumableAbove)
      return frame.restart.canBeRestarted
        ? { way: "restartFrame", exception }
        : refused(reason("restart-uninstrumented"));
    // V8 cannot restart it. Unwinding can, through plain frames of the program's only: an async
    // function or generator above it would take the exception into its own promise or iterator.
    if (resumableAbove) return refused(reason("restart-below-async", resumableAbove.qualname));
    if (above.some((f) => !f)) return refused(reason("restart-uninstrumented"));
    if (!facts.guarded) return refused(reason("restart-async", facts.qualname));
    if (!facts.slotted) return refused(reason("restart-not-edited", facts.qualname));
    if (exception)
      return pause.uncaught
        ? { way: "unwind", by: "exception" }
        : refused(reason("restart-exception-caught"));
    const top = pause.facts[0];
    if (index === 0 || !top?.dispatchable || !(pause.frames[0] as UserFrame).restart.canBeRestarted)
      return refused(reason("restart-async-top", facts.qualname));
    // A catch of the program's between the top frame's call and this frame would stop the signal.
    pause.catching ??= await this.support<boolean[]>("catchesEach", [
      pause.frames.map((f) => this.framePlace(f.v8)),
    ]);
    const catcher = pause.catching.slice(1, index + 1).findIndex(Boolean);
    if (catcher >= 0) return refused(reason("restart-try-catch", pause.facts[catcher + 1]?.qualname ?? ""));
    return { way: "unwind", by: "signal" };
  }

  /** Does frame `index` of the pause run an older version than its function's newest? (Asked once.) */
  private runsOld(pause: Pause, index: number): Promise<boolean> {
    return (pause.oldCode[index] ??= this.runsOldCode(pause.frames[index] as UserFrame));
  }

  /** Does this frame run an older version than its function's newest (a patch came after it started)? */
  private async runsOldCode(frame: UserFrame): Promise<boolean> {
    const newest = await this.support<{ objectId?: string }>("slot", [this.framePlace(frame.v8)], false);
    if (!newest.objectId) return false;
    const props = await this.inspector.post<{
      internalProperties?: { name: string; value?: { value?: Location } }[];
    }>("Runtime.getProperties", { objectId: newest.objectId, ownProperties: true });
    const location = props.internalProperties?.find((p) => p.name === "[[FunctionLocation]]")?.value?.value;
    return location !== undefined && location.scriptId !== frame.v8.location.scriptId;
  }

  private async restartFrame(frameId: number): Promise<void> {
    const pause = this.paused();
    const frame = this.frame(frameId);
    const restart = await this.restartWay(pause, frameId);
    if (restart.way === "refused") throw new Refusal(restart.why);
    const top = pause.frames[0] as UserFrame;
    if (restart.way === "unwind") {
      // The frame's guard calls the newest version when an exception leaves its body.
      const marked = await this.inspector.post<{ exceptionDetails?: { text: string } }>(
        "Debugger.evaluateOnCallFrame",
        { callFrameId: frame.v8.callFrameId, expression: `${RESTART_MARK}=1`, silent: true },
      );
      if (marked.exceptionDetails) throw new Refusal(reason("internal", marked.exceptionDetails.text));
      if (restart.by === "signal") await this.support("armRestartSignal", [this.framePlace(top.v8)]);
    } else if (restart.exception) await this.termination.replaceException(top.v8.callFrameId);
    this.pause = undefined;
    this.values.reset();
    this.pending = {
      reason: "restart",
      steps: 0,
      ...(restart.way === "unwind" ? { depth: pause.frames.length - frameId } : {}),
    };
    this.event("resumed", { threadId: MAIN_THREAD.id, allThreadsContinued: true });
    // The exception goes on from where it is; stepping follows it into the guard's call.
    if (restart.way === "unwind" && restart.by === "exception")
      await this.inspector.post("Debugger.stepInto");
    else
      // Exactly "StepInto": any other mode crashes V8 (facts-node.md). The signal: the top frame
      // restarts, and its prologue calls the armed slot, which throws.
      await this.inspector
        .post("Debugger.restartFrame", {
          callFrameId: (restart.way === "unwind" ? top : frame).restart.callFrameId,
          mode: "StepInto",
        })
        .catch(async (error: unknown) => {
          // Resuming with the termination still asked for would end the program.
          if (restart.way === "restartFrame" && restart.exception)
            await this.termination.cancel(top.v8.callFrameId);
          throw error;
        });
  }

  private async evaluate(args: DebugCommands["evaluate"]["arguments"]) {
    const pause = this.paused();
    // Paused while idle: the program's globals, in the pause request's own frame.
    const frame =
      args.frameId !== undefined
        ? this.frame(args.frameId).v8
        : (pause.frames[0]?.v8 ?? pause.params.callFrames[0]);
    if (!frame) throw new Refusal(reason("not-paused"));
    return this.values.evaluate(frame, args.expression, args.pretty === true);
  }

  private exceptionInfo(): DebugCommands["exceptionInfo"]["body"] {
    const pause = this.paused();
    const data = pause.params.data;
    if (pause.reason !== "exception" || !data) throw new Refusal(reason("not-paused"));
    const text = data.description ?? String(data.value);
    const firstLine = text.split("\n")[0] ?? "";
    const type = data.className ?? data.type;
    return {
      exceptionId: type,
      description: firstLine.startsWith(`${type}: `) ? firstLine.slice(type.length + 2) : firstLine,
      breakMode: data.uncaught || this.exceptionFilter !== "all" ? "unhandled" : "always",
      ...(text.includes("\n") ? { stackTrace: text } : {}),
    };
  }

  // ---- pauses -------------------------------------------------------------------------------

  private async onPaused(params: PausedParams): Promise<void> {
    const top = params.callFrames[0];
    if (!top) return;
    const flooded = params.hitBreakpoints?.some((id) => this.flood.has(id)) === true;
    if (flooded) params.hitBreakpoints = params.hitBreakpoints?.filter((id) => !this.flood.has(id));
    if (this.scripts.get(top.location.scriptId)?.url === IDLE_URL) {
      await this.pausedInIdleScript(params);
      return;
    }
    const place = await this.place(top);
    // The stop at entry is told where it happens, in hotframe's entryBreak: stepping out of it
    // into the module's code would leave that frame running V8's slower debug code afterwards.
    const entry = this.pending?.reason === "entry" && place === "agent";
    // A pause requested from outside stops wherever V8 checks for interrupts, which can be
    // optimized code (evaluating in it crashed Node 20): one step lands on a plain break position.
    if (this.pending?.reason === "pause" && this.pending.steps === 0 && !isException(params)) {
      this.pending.steps++;
      await this.inspector.post("Debugger.stepInto");
      return;
    }
    if (isException(params) && params.data?.className === RestartSignal.name) {
      // hotframe's own unwinding (restartFrame): on to the restarted call.
      await this.inspector.post("Debugger.stepInto");
      return;
    }
    if (
      !entry &&
      place !== "user" &&
      place !== "other" &&
      params.reason !== "exception" &&
      params.reason !== "promiseRejection"
    ) {
      if (params.hitBreakpoints?.length && !this.pending && this.atGuardClose(top)) {
        // A breakpoint on a function's closing line, resolved into its restart guard (which runs
        // there in a frame an edit replaced, too): not a stop.
        await this.inspector.post("Debugger.resume");
        return;
      }
      // In hotframe's own code or its instrumentation: step on to the program's next line.
      const pending = (this.pending ??= { reason: this.reasonOf(params), steps: 0 });
      if (pending.steps++ < MAX_SETTLE_STEPS) {
        // A pause requested while the program idles lands in Node's timer code, which stepping
        // out of only leaves for the next tick's: stepping in reaches the program's callback.
        // One that lands in Node's code called by the program's steps out to it: stepping in
        // would walk Node's code statement by statement (not blackboxed on Node 26).
        const out =
          place === "agent" &&
          (pending.reason !== "pause" || (await this.calledByProgram(params.callFrames)));
        await this.inspector.post(out ? "Debugger.stepOut" : "Debugger.stepInto");
        return;
      }
      if (pending.reason === "pause") {
        // Still in Node's own code (its start-up, its timers): run on; the request is repeated.
        pending.steps = 0;
        await this.inspector.post("Debugger.resume");
        return;
      }
    }
    for (const frame of params.callFrames) await this.loadSource(frame.location.scriptId);
    const frames = userFrames(params.callFrames, (f) => {
      const where = this.placeOf(f);
      return entry && where === "instrumentation" ? "user" : where; // the module at its preamble
    });
    const pending = this.pending;
    if (
      flooded &&
      !params.hitBreakpoints?.length &&
      pending?.from !== undefined &&
      frames.length >= pending.from
    ) {
      // The caller's function, called again deeper down (recursion): on to the caller's frame.
      await this.inspector.post("Debugger.resume");
      return;
    }
    if (pending?.depth !== undefined && frames.length > pending.depth && pending.steps++ < MAX_SETTLE_STEPS) {
      // A frame the restart drops, running its `finally` block: on to the restarted call.
      await this.inspector.post("Debugger.stepInto");
      return;
    }
    if (
      pending?.until &&
      frames.length === pending.until.depth &&
      top.location.lineNumber + 1 <= pending.until.line
    ) {
      await this.inspector.post("Debugger.stepOver");
      return;
    }
    const facts = await this.support<(FunctionFacts | null)[]>("describe", [
      frames.map((f) => this.framePlace(f.v8)),
    ]);
    if (isException(params) && (await this.caughtByProgram(params, frames, facts))) {
      // Not a stop: the program (or hotframe, or Node) catches it. A step goes on.
      await this.inspector.post(pending?.step ? `Debugger.${pending.step}` : "Debugger.resume");
      return;
    }
    let hit: number[] = [];
    let description: string | undefined;
    // A frame still running code an edit replaced does not stop at breakpoints: their lines are
    // the new code's (its function's next call stops).
    const oldCode: Promise<boolean>[] = [];
    const stale =
      facts[0]?.slotted === true &&
      frames[0] !== undefined &&
      (await (oldCode[0] = this.runsOldCode(frames[0])));
    if (params.hitBreakpoints?.length && pending?.reason !== "restart" && !stale) {
      const decision = await this.breakpoints.decide(params.hitBreakpoints, top, this.values);
      if (!decision.stop && !pending) {
        await this.inspector.post("Debugger.resume");
        return;
      }
      hit = decision.ids;
      description = decision.description;
    } else if (params.hitBreakpoints?.length && !pending && !isException(params)) {
      await this.inspector.post("Debugger.resume");
      return;
    }
    this.pending = undefined;
    await this.flood.clear();
    const reasonNow = isException(params)
      ? "exception"
      : (pending?.reason ?? (hit.length > 0 ? "breakpoint" : this.reasonOf(params)));
    this.pause = {
      params,
      frames,
      facts,
      reason: hit.length > 0 && pending?.reason === "step" ? "breakpoint" : reasonNow,
      uncaught:
        isException(params) && (params.data?.uncaught === true || this.exceptionFilter === "uncaught"),
      oldCode,
    };
    // The stack goes with the event: the controller asks for it at every pause.
    const stack = await this.stackTrace({ threadId: MAIN_THREAD.id }).catch(() => undefined);
    this.event("paused", {
      reason: this.pause.reason,
      threadId: MAIN_THREAD.id,
      threadName: MAIN_THREAD.name,
      allThreadsStopped: this.workers.running().length === 0, // workers run on
      hitBreakpointIds: hit,
      ...(description ? { description } : {}),
      ...(stack ? { stackFrames: stack.stackFrames } : {}),
    });
    await this.breakpoints.afterStop(hit);
    this.onPause();
    this.prepareForEdits(frames);
  }

  /**
   * At a pause, once per file: the main thread builds the running model of each paused frame's
   * file, which an edit saved now would otherwise build first (a program that never idled had
   * nothing prepared: prepare.ts). After the waiting patches (onPause): they come first.
   */
  private prepareForEdits(frames: UserFrame[]): void {
    const files = new Set<string>();
    for (const frame of frames) {
      const file = this.fileOf(frame.v8.location);
      if (file !== undefined && this.instrumented(file) && !this.prepared.has(file)) files.add(file);
    }
    if (files.size === 0) return;
    for (const file of files) this.prepared.add(file);
    void this.support("prepareFor", [[...files]]).catch(() => undefined);
  }

  /**
   * Debugger.pause, and, when the requests so far did not stop the program anywhere (it is idle,
   * or its next callback is not due yet), the script that stops a program idle in its event loop.
   */
  private async requestPause(evenIdle: boolean): Promise<void> {
    await this.inspector.post("Debugger.pause");
    if (evenIdle) this.inspector.send("Runtime.evaluate", { expression: IDLE_CODE });
  }

  /** A pause request met the program idle (the pause has no frames of its), or met it busy (on to its code). */
  private async pausedInIdleScript(params: PausedParams): Promise<void> {
    if (params.callFrames.length > 1 || this.pending?.reason !== "pause") {
      await this.inspector.post(params.callFrames.length > 1 ? "Debugger.stepOut" : "Debugger.resume");
      return;
    }
    this.pending = undefined;
    this.pause = { params, frames: [], facts: [], reason: "pause", uncaught: false, oldCode: [] };
    this.event("paused", {
      reason: "pause",
      threadId: MAIN_THREAD.id,
      threadName: MAIN_THREAD.name,
      allThreadsStopped: true,
      hitBreakpointIds: [],
      description: "the program is idle, waiting for events (timers, I/O): none of its code is running",
      stackFrames: [],
    });
    this.onPause();
  }

  /**
   * Catch uncaught, for an exception V8 predicts caught: it is caught by the program when V8
   * predicts it caught while the program runs on (after its top-level code), or when a frame of
   * the program's own holds a try/catch around where it is, or when it is thrown outside the
   * program's code (Node's and hotframe's code catch their own); else it would reach the top-level
   * code of a module, and nothing catches it there but Node's loader, which ends the program.
   */
  private async caughtByProgram(
    params: PausedParams,
    frames: UserFrame[],
    facts: (FunctionFacts | null)[],
  ): Promise<boolean> {
    if (this.exceptionFilter === "all" || params.data?.uncaught) return false;
    // Thrown in Node's or hotframe's own code (which catch what they throw): trust V8.
    const top = params.callFrames[0];
    if (!top || this.placeOf(top) !== "user") return true;
    const own = frames.flatMap((f, index) => (this.placeOf(f.v8) === "user" ? [index] : []));
    const bottom = own.at(-1);
    if (bottom === undefined || facts[bottom] !== null) return true;
    const places = own.map((index) => this.framePlace((frames[index] as UserFrame).v8));
    return this.support<boolean>("catches", [places]);
  }

  private reasonOf(params: PausedParams): PauseReason {
    if (isException(params)) return "exception";
    return "breakpoint"; // a `debugger` statement of the program's
  }

  /** What code a location is in (the script's source is fetched once, to see hotframe's inserted text). */
  /** Is a frame below the top one the program's own? */
  private async calledByProgram(frames: CallFrame[]): Promise<boolean> {
    for (const frame of frames.slice(1)) if ((await this.place(frame)) === "user") return true;
    return false;
  }

  private async place(frame: CallFrame): Promise<Place> {
    await this.loadSource(frame.location.scriptId);
    return this.placeOf(frame);
  }

  private placeOf(frame: CallFrame): Place {
    const file = this.fileOf(frame.location);
    if (!file) return frame.url.startsWith("node:") || frame.url === "" ? "agent" : "other";
    if (file.startsWith(AGENT_DIR)) return "agent";
    if (!this.instrumented(file)) return "other";
    const line = this.sources.get(frame.location.scriptId)?.[frame.location.lineNumber];
    return line !== undefined && insideInstrumentation(line, frame.location.columnNumber ?? 0)
      ? "instrumentation"
      : "user";
  }

  private atGuardClose(frame: CallFrame): boolean {
    return this.atGuard(frame.location, GUARD_CLOSE_TEXT);
  }

  private atGuardOpen(location: Location): boolean {
    return this.atGuard(location, GUARD_OPEN_TEXT);
  }

  /** Is the location inside this text of the restart guard's? */
  private atGuard(location: Location, text: RegExp): boolean {
    const line = this.sources.get(location.scriptId)?.[location.lineNumber];
    const match = line === undefined ? null : text.exec(line);
    const column = location.columnNumber ?? 0;
    return match !== null && column >= match.index && column < match.index + match[0].length;
  }

  private fileOf(location: Location): string | undefined {
    return this.scripts.get(location.scriptId)?.file;
  }

  /** A file whose code hotframe instrumented: said by the agent (`loaded`), or seen in a script's source. */
  private instrumented(file: string): boolean {
    return this.loaded.has(file) || this.seenInstrumented.has(file);
  }

  /** A script's source, once (its lines tell hotframe's inserted text from the program's). */
  private async loadSource(scriptId: string): Promise<void> {
    if (this.sources.has(scriptId)) return;
    const file = this.scripts.get(scriptId)?.file;
    if (!file || file.startsWith(AGENT_DIR) || file.split(sep).includes("node_modules")) return;
    const { scriptSource } = await this.inspector.post<{ scriptSource: string }>("Debugger.getScriptSource", {
      scriptId,
    });
    // The module's preamble: the pause may come before the agent's `loaded` message does.
    if (scriptSource.includes(PREAMBLE_MARK)) this.seenInstrumented.add(file);
    this.sources.set(scriptId, scriptSource.split("\n"));
  }

  private framePlace(frame: CallFrame): FramePlace {
    return {
      file: this.fileOf(frame.location) ?? frame.url,
      line: frame.location.lineNumber + 1,
      column: frame.location.columnNumber ?? 0,
    };
  }

  private paused(): Pause {
    if (!this.pause) throw new Refusal(reason("not-paused"));
    return this.pause;
  }

  private frame(frameId: number): UserFrame {
    const frame = this.paused().frames[frameId];
    if (!frame) throw new Refusal(reason("not-a-frame", frameId));
    return frame;
  }

  private topFrame(): CallFrame {
    return this.frame(0).v8;
  }

  // ---- patches ------------------------------------------------------------------------------

  /**
   * A patch while the main thread is paused: applied there now (undefined: it is answered later).
   * One call to the main thread brings what comes next too: the paused frames' facts after it,
   * the text it was compiled from, and before a file's first patch the text it ran until then.
   */
  async patchWhilePaused(id: number, file: string, source: string): Promise<PatchResult | undefined> {
    const pause = this.pause;
    const places = pause?.frames.map((f) => this.framePlace(f.v8)) ?? [];
    const first = this.enabled && !this.scriptTexts.knows(file);
    const earlier = this.scriptsOf(file); // every script parsed before the pause is known
    const answer = await this.support<PausedPatch>("patchNow", [id, file, source, places, first]);
    if (answer === "pending") return undefined;
    if (answer.before) this.scriptTexts.beforeFirstPatch(file, answer.before, earlier);
    this.compiledWhilePaused.set(file, answer.compiled);
    const { result } = answer;
    if (result.outcome !== "rejected" && pause && this.pause === pause) {
      pause.facts = answer.facts;
      pause.oldCode = []; // the patch gave functions newer versions
      await this.markRunningOld(pause, result);
    }
    return result;
  }

  /** Functions a paused frame still runs the old code of are "running-old", not "updated". */
  private async markRunningOld(pause: Pause, result: PatchResult): Promise<void> {
    for (const [index, facts] of pause.facts.entries()) {
      if (!facts?.slotted || !(await this.runsOld(pause, index))) continue;
      const outcome = result.functions.find((f) => f.qualname === facts.qualname && f.status === "updated");
      if (!outcome) continue;
      const why = reason("running", 1, false);
      Object.assign(outcome, {
        status: "running-old",
        code: why.code,
        reason: `the paused frame ${index} runs the old code until it returns; new calls run the new code`,
      });
    }
  }

  /** Before the first patch of `file` (applied while the program runs): the text its scripts so far were compiled from. */
  async beforePatch(file: string): Promise<void> {
    // Without Debugger.enable (dormant until attached) V8 tells no scripts: nothing to follow.
    if (!this.enabled || this.scriptTexts.knows(file)) return;
    // The answer comes after the inspector's events so far: every script parsed before is known.
    const text = await this.support<string | null>("runningSource", [file]).catch(() => null);
    if (text !== null) this.scriptTexts.beforeFirstPatch(file, text, this.scriptsOf(file));
  }

  /** The file's breakpoints follow their lines of code into the new source (before the answer is sent). */
  async patched(file: string, source: string, result: PatchResult): Promise<void> {
    const whilePaused = this.compiledWhilePaused.get(file);
    this.compiledWhilePaused.delete(file);
    if (this.scriptTexts.knows(file)) {
      // Answered after the patch's scripts were parsed: the text that runs now (for TypeScript, the
      // type-stripped text; for JavaScript, the patch's own: null).
      const text =
        whilePaused !== undefined
          ? whilePaused
          : await this.support<string | null>("compiledSource", [file]).catch(() => null);
      const compiled = result.outcome === "rejected" ? undefined : (text ?? source);
      this.scriptTexts.afterPatch(file, compiled, this.scriptsOf(file));
    }
    if (result.outcome === "rejected") return;
    const edited = this.edited.get(file) ?? new Set<string>();
    for (const f of result.functions)
      if (f.status !== "refused" && f.status !== "removed") edited.add(f.qualname);
    this.edited.set(file, edited);
    await this.breakpoints.followEdit(file, source);
  }

  // ---- plumbing -----------------------------------------------------------------------------

  private scriptsOf(file: string): string[] {
    return [...this.scripts].flatMap(([id, script]) => (script.file === file ? [id] : []));
  }

  /** Call the main thread's DebugSupport (runs there even while it is paused). */
  private async support<T>(method: string, args: unknown[], byValue = true): Promise<T> {
    const answer = await this.inspector.post<{
      result: RemoteObject;
      exceptionDetails?: { exception?: RemoteObject };
    }>("Runtime.evaluate", {
      expression: `globalThis[Symbol.for(${JSON.stringify(SUPPORT_KEY)})].${method}(...${JSON.stringify(args)})`,
      returnByValue: byValue,
      silent: true,
    });
    if (answer.exceptionDetails)
      throw new Error(answer.exceptionDetails.exception?.description ?? `${method} failed`);
    return (byValue ? answer.result.value : answer.result) as T;
  }

  private event<E extends keyof DebugEvents>(event: E, body: DebugEvents[E]): void {
    this.send({ type: "debugEvent", event, body } as AgentMessage);
  }

  private internal(error: unknown): void {
    this.event("output", {
      category: "important",
      output: `hotframe's debugger: ${String((error as Error)?.stack ?? error)}`,
    });
  }
}

function isException(params: PausedParams): boolean {
  return params.reason === "exception" || params.reason === "promiseRejection";
}
