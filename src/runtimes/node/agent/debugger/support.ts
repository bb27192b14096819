import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import type * as Util from "node:util";
import type { PatchResult } from "../../../../protocol/messages.js";
import type { AgentState } from "../agent-state.js";
import type { ModuleRecord } from "../module-record.js";
import { hasGuard, RestartSignal } from "../restart-guard.js";
import { dispatchable, ENV } from "../transform.js";
import { LineIndex } from "../layout.js";
import type { FunctionModel, ModuleModel } from "../model.js";
import { type AnyNode, children, isFunction } from "../model/ast.js";
import type * as ModelModule from "../model.js";

const { inspect } = createRequire(import.meta.url)("node:util") as typeof Util;

/** Where a frame is, as the worker asks about it: a file and a 1-based line, 0-based column. */
export interface FramePlace {
  file: string;
  line: number;
  column: number;
}

/** What the agent knows of the function a frame runs (null: module code, or no record). */
export interface FunctionFacts {
  qualname: string;
  startLine: number;
  endLine: number;
  /** Parameter names as written (patterns left out). */
  params: string[];
  async: boolean;
  generator: boolean;
  /** A patch gave it a newer version (its slot is set). */
  slotted: boolean;
  /** Its calls go through its prologue (not a class constructor): a slot can redirect them. */
  dispatchable: boolean;
  /** Its code has the restart guard (restart-guard.ts): a frame of it can restart by unwinding. */
  guarded: boolean;
}

/** A patch applied while paused (patchNow), or "pending": it waits for the event loop. */
export type PausedPatch =
  | "pending"
  | { result: PatchResult; before?: string | null; facts: (FunctionFacts | null)[]; compiled: string | null };

/** Where a function breakpoint stops: the first line of the function's body. */
export interface FunctionPlace {
  file: string;
  line: number;
  qualname: string;
}

/** The key under which the main thread's support object is reachable from the inspector. */
export const SUPPORT_KEY = "hotframe.debugger";

/**
 * The debugger's helpers on the program's main thread, called by the debugger worker through
 * the inspector (Runtime.evaluate), which runs them even while the thread is paused: what the
 * worker cannot know from V8 (qualified names, definitions, slots) and the patches applied while
 * paused. Reached as globalThis[Symbol.for("hotframe.debugger")] (not enumerable).
 */
export class DebugSupport {
  /** Patch request ids already taken (by the main thread's queue or by a paused patch): each is applied once. */
  private readonly claimed = new Set<number>();

  constructor(
    private readonly state: AgentState,
    private readonly models: typeof ModelModule,
    private readonly patch: (
      file: string,
      source: string,
      paused: boolean,
    ) => PatchResult | Promise<PatchResult>,
    /** Answers a patch that had to wait (for the event loop) after all. */
    private readonly answerLater: (id: number, file: string, result: Promise<PatchResult>) => void,
  ) {}

  install(): void {
    Object.defineProperty(globalThis, Symbol.for(SUPPORT_KEY), { value: this, configurable: true });
  }

  /** Take patch `id` for applying; false when it was taken already. */
  claim(id: number): boolean {
    if (this.claimed.has(id)) return false;
    this.claimed.add(id);
    return true;
  }

  /**
   * A patch while the main thread is paused, with what the debugger asks next in the same call
   * (each call is a round trip through the inspector): the text the file ran before it when
   * `before` (see runningSource), and after it the facts of the paused frames at `places` and the
   * text its new code was compiled from (see compiledSource). Or "pending": answered later.
   */
  patchNow(id: number, file: string, source: string, places: FramePlace[], before: boolean): PausedPatch {
    if (!this.claim(id)) return "pending";
    const earlier = before ? this.runningSource(file) : undefined;
    const result = this.patch(file, source, true);
    if (result instanceof Promise) {
      this.answerLater(id, file, result);
      return "pending";
    }
    return {
      result,
      ...(earlier !== undefined ? { before: earlier } : {}),
      facts: this.describe(places),
      compiled: this.compiledSource(file),
    };
  }

  /** While paused: the running model of each file (a cache of hotframe's; the program is untouched). */
  prepareFor(files: string[]): void {
    for (const file of files)
      if (this.runningSource(file) !== null)
        this.state.modules.get(file)?.runningModel(this.models.buildModel);
  }

  /** The text the file's running code was compiled from (type-stripped, for TypeScript); null: not loaded. */
  runningSource(file: string): string | null {
    return this.state.modules.get(file)?.source || null; // "" until Node 20's loader thread sends it
  }

  /** After a patch: the text its code was compiled from when it is not the patch's own (TypeScript's
   * type-stripped text); null for JavaScript. */
  compiledSource(file: string): string | null {
    return this.state.modules.get(file)?.typescript ? this.runningSource(file) : null;
  }

  describe(places: FramePlace[]): (FunctionFacts | null)[] {
    return places.map((place) => {
      const found = this.functionAt(place);
      if (!found) return null;
      const { fn, slotted } = found;
      return {
        qualname: fn.qualname,
        startLine: fn.line,
        endLine: fn.endLine,
        params: parameterNames(fn),
        async: fn.async,
        generator: fn.generator,
        slotted,
        dispatchable: dispatchable(fn),
        guarded: hasGuard(fn) && dispatchable(fn),
      };
    });
  }

  /** The newest version of the function at `place` (its slot), if a patch made one. */
  slot(place: FramePlace): unknown {
    return this.functionAt(place)?.version;
  }

  /**
   * The next call of the function at `place` throws a RestartSignal (once; its slot is then as
   * it was): the frame the debugger restarts there unwinds the frames below it down to the one
   * restarting (restart-guard.ts).
   */
  armRestartSignal(place: FramePlace): boolean {
    const found = this.functionAt(place);
    if (!found || found.id === undefined || !found.record) return false;
    const { id, record, version } = found;
    const assign = (value: unknown) => record.slotEvaluator(id)(`${record.slotName(id)}=${ENV}`, value);
    assign(() => {
      assign(version);
      throw new RestartSignal();
    });
    return true;
  }

  /** Functions whose qualified name is `name` or ends with `.name`. */
  findFunctions(name: string): FunctionPlace[] {
    const out: FunctionPlace[] = [];
    for (const record of this.state.modules.values()) {
      const model = this.model(record.file);
      if (!model) continue;
      const lines = new LineIndex(model.source);
      for (const fn of model.functions) {
        if (fn.qualname !== name && !fn.qualname.endsWith(`.${name}`)) continue;
        const body = fn.node.body as { type: string; start: number; body?: { start: number }[] };
        const first = body.type === "BlockStatement" ? (body.body?.[0]?.start ?? body.start) : body.start;
        out.push({ file: record.file, line: lines.locate(first).line, qualname: fn.qualname });
      }
    }
    return out;
  }

  /**
   * Is the place inside the block of a `try` that has a `catch`, within the function (or module
   * code) running there? (The program's own catch, for exceptions V8 predicts caught only because
   * Node's module loader awaits the module's evaluation.)
   */
  catches(places: FramePlace[]): boolean {
    return this.catchesEach(places).some(Boolean);
  }

  /** For each place: is it inside the block of a `try` with a `catch` of its own function (see catches)? */
  catchesEach(places: FramePlace[]): boolean[] {
    return places.map((place) => {
      const file = place.file.startsWith("file:") ? fileURLToPath(place.file) : place.file;
      const model = this.model(file);
      if (!model) return false;
      const offset = offsetOf(model.source, place.line, place.column);
      const innermost = this.functionAt(place)?.fn.node;
      const inside = (node: AnyNode): boolean => {
        if (node.start > offset || node.end <= offset) return false;
        if (node !== innermost && isFunction(node)) return false; // a try around a function's definition does not catch its calls
        if (
          node.type === "TryStatement" &&
          node.handler &&
          node.block.start <= offset &&
          offset < node.block.end
        )
          return true;
        return children(node).some(inside);
      };
      return inside(innermost ?? model.program);
    });
  }

  /** A value as the debugger shows it (util.inspect, one line unless pretty). */
  show(value: unknown, pretty: boolean): string {
    return typeof value === "string" && !pretty
      ? JSON.stringify(value)
      : inspect(
          value,
          pretty
            ? { depth: 4 }
            : { depth: 1, breakLength: Infinity, maxArrayLength: 20, maxStringLength: 200 },
        );
  }

  private model(file: string): ModuleModel | undefined {
    const record = this.state.modules.get(file);
    return record?.runningModel((source, esm) => this.models.buildModel(source, esm));
  }

  private functionAt(
    place: FramePlace,
  ):
    | { fn: FunctionModel; slotted: boolean; version: unknown; id: number | undefined; record: ModuleRecord }
    | undefined {
    const file = place.file.startsWith("file:") ? fileURLToPath(place.file) : place.file;
    const record = this.state.modules.get(file);
    const model = this.model(file);
    if (!record || !model) return undefined;
    let found: FunctionModel | undefined;
    for (const fn of model.functions) {
      if (fn.line > place.line) break;
      const inside = place.line <= fn.endLine && (fn.line < place.line || fn.column <= place.column);
      if (inside) found = fn; // source order: a nested function comes after its parent
    }
    if (!found) return undefined;
    const id = record.slotIds.get(found.key);
    const version = id === undefined ? undefined : record.slotEvaluator(id)(record.slotName(id));
    return { fn: found, slotted: version !== undefined, version, id, record };
  }
}

function offsetOf(source: string, line: number, column: number): number {
  let at = 0;
  for (let l = 1; l < line && at >= 0; l++) at = source.indexOf("\n", at) + 1;
  return at + column;
}

function parameterNames(fn: FunctionModel): string[] {
  return (
    fn.node.params as { type: string; name?: string; left?: { type: string; name?: string } }[]
  ).flatMap((p) => {
    const target = p.type === "AssignmentPattern" ? p.left : p;
    return target?.type === "Identifier" && target.name ? [target.name] : [];
  });
}
