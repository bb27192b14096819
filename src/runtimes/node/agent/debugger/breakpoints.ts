import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { pathToFileURL } from "node:url";
import type {
  Breakpoint,
  BreakpointState,
  DebugCommands,
  FunctionBreakpoint,
  SourceBreakpoint,
} from "../../../../protocol/messages.js";
import { reason } from "../reasons.js";
import { followLine, type HitTest, hitPasses, logParts, parseHitCondition } from "./hits.js";
import type { CallFrame, Inspector, Location } from "./inspector.js";
import { Refusal } from "./refusal.js";
import type { FunctionPlace } from "./support.js";
import type { Values } from "./values.js";

export interface BreakpointHooks {
  changed(breakpoint: Breakpoint): void;
  output(text: string): void;
  findFunctions(name: string): Promise<FunctionPlace[]>;
  isLoaded(file: string): boolean;
}

/** One breakpoint of the controller's, as placed in V8 (one V8 breakpoint per place). */
interface Placed {
  spec: SourceBreakpoint | FunctionBreakpoint;
  /** Set for a line breakpoint; for a function breakpoint, the file it was found in. */
  file?: string;
  requestedLine?: number;
  line?: number;
  state: BreakpointState;
  message?: string;
  v8Ids: string[];
  hitTest?: HitTest;
  hits: number;
  ignoreLeft: number;
  conditionTold: boolean;
}

/** What the hits of one pause decide: stop (for these breakpoints), or go on. */
export interface HitDecision {
  stop: boolean;
  ids: number[];
  description?: string;
}

/**
 * Line and function breakpoints: V8 breakpoints by URL (so a file not loaded yet gets them when
 * it loads, and the code a patch compiles for the file gets them too), with hotframe's own
 * conditions, hit counts, ignore counts, log points and temporary breakpoints evaluated when one
 * is hit. A breakpoint follows its line of code when a patch moves it.
 */
export class LineBreakpoints {
  private readonly byFile = new Map<string, Placed[]>();
  private functions: Placed[] = [];
  private readonly byV8 = new Map<string, Placed>();
  /** The text of each file with breakpoints, as its breakpoints' lines refer to it. */
  private readonly texts = new Map<string, string>();

  constructor(
    private readonly inspector: Inspector,
    private readonly hooks: BreakpointHooks,
  ) {}

  async setLines(args: DebugCommands["setBreakpoints"]["arguments"]): Promise<{ breakpoints: Breakpoint[] }> {
    const file = args.source;
    const placed = args.breakpoints.map((spec) => this.prepare(spec, this.byFile.get(file)));
    for (const old of this.byFile.get(file) ?? []) await this.unplace(old);
    if (!this.texts.has(file)) {
      try {
        this.texts.set(file, readFileSync(file, "utf8"));
      } catch {
        // not readable: its breakpoints do not follow edits
      }
    }
    for (const p of placed) {
      p.file = file;
      p.requestedLine = (p.spec as SourceBreakpoint).line;
      await this.placeLine(p);
    }
    this.byFile.set(file, placed);
    return { breakpoints: placed.map((p) => this.report(p)) };
  }

  async setFunctions(
    args: DebugCommands["setFunctionBreakpoints"]["arguments"],
  ): Promise<{ breakpoints: Breakpoint[] }> {
    const placed = args.breakpoints.map((spec) => this.prepare(spec, this.functions));
    for (const old of this.functions) await this.unplace(old);
    this.functions = placed;
    for (const p of placed) await this.placeFunction(p);
    return { breakpoints: placed.map((p) => this.report(p)) };
  }

  /** A file was loaded: pending function breakpoints may be found in it now. */
  async fileLoaded(): Promise<void> {
    for (const p of this.functions) {
      if (p.state !== "pending") continue;
      await this.placeFunction(p);
      if (p.state !== "pending") this.hooks.changed(this.report(p));
    }
  }

  /** V8 placed a breakpoint in a script that was parsed after it was set. */
  resolved(v8Id: string, line: number): void {
    const p = this.byV8.get(v8Id);
    if (!p || p.state !== "pending") return;
    this.located(p, line);
    this.hooks.changed(this.report(p));
  }

  /** The breakpoints hit at this pause: which stop, after their conditions and counts. */
  async decide(v8Ids: string[], top: CallFrame, values: Values): Promise<HitDecision> {
    const ids: number[] = [];
    const notes: string[] = [];
    for (const p of new Set(v8Ids.flatMap((id) => this.byV8.get(id) ?? []))) {
      const spec = p.spec;
      if (spec.condition) {
        try {
          const holds = await values.evaluateIn(top, `!!(${spec.condition}\n)`);
          if (holds.value !== true) continue;
        } catch (error) {
          if (!p.conditionTold) {
            p.conditionTold = true;
            notes.push(
              `the condition of breakpoint ${spec.id} raised ${(error as Error).message}: treated as true`,
            );
          }
        }
      }
      p.hits++;
      if (p.hitTest && !hitPasses(p.hitTest, p.hits)) continue;
      if (p.ignoreLeft > 0) {
        p.ignoreLeft--;
        continue;
      }
      if (spec.logMessage !== undefined) {
        this.hooks.output(`${await this.logText(spec.logMessage, top, values)}\n`);
        continue;
      }
      ids.push(spec.id);
    }
    return { stop: ids.length > 0, ids, ...(notes.length > 0 ? { description: notes.join("; ") } : {}) };
  }

  /** A temporary breakpoint goes after its stop. */
  async afterStop(ids: number[]): Promise<void> {
    for (const p of this.all()) {
      if (!ids.includes(p.spec.id) || !p.spec.temporary) continue;
      await this.unplace(p);
      if (p.file && this.byFile.has(p.file) && "line" in p.spec)
        this.byFile.set(
          p.file,
          (this.byFile.get(p.file) ?? []).filter((o) => o !== p),
        );
      this.functions = this.functions.filter((o) => o !== p);
      p.state = "removed";
      this.hooks.changed(this.report(p));
    }
  }

  /** A patch of `file` was applied: its breakpoints follow their lines of code into `text`. */
  async followEdit(file: string, text: string): Promise<void> {
    const before = this.texts.get(file);
    this.texts.set(file, text);
    if (before === undefined) return;
    for (const p of this.byFile.get(file) ?? []) {
      const was = p.requestedLine as number;
      const moved = followLine(before, text, was);
      if (moved.line === was && !moved.edited) continue;
      await this.unplace(p);
      p.requestedLine = moved.line;
      await this.placeLine(p);
      if (p.state === "verified" || p.state === "moved") {
        p.state = "moved";
        p.message = moved.edited
          ? `its line ${was} was edited away: moved to line ${p.line}`
          : `moved with its line of code, from line ${was} to ${p.line}`;
      }
      this.hooks.changed({ ...this.report(p), requestedLine: moved.line });
    }
  }

  async clearAll(): Promise<void> {
    for (const p of this.all()) await this.unplace(p);
    this.byFile.clear();
    this.functions = [];
  }

  // ---- placing ------------------------------------------------------------------------------

  /** Checks a spec (refused before anything changes) and carries over what a re-set keeps. */
  private prepare(spec: SourceBreakpoint | FunctionBreakpoint, previous: Placed[] | undefined): Placed {
    if (spec.condition !== undefined) {
      try {
        new Function(`return (${spec.condition}\n);`);
      } catch (error) {
        throw new Refusal(reason("bad-condition", (error as Error).message));
      }
    }
    const hitTest = spec.hitCondition !== undefined ? parseHitCondition(spec.hitCondition) : undefined;
    if (spec.hitCondition !== undefined && !hitTest)
      throw new Refusal(reason("bad-hit-condition", spec.hitCondition));
    const before = previous?.find((p) => p.spec.id === spec.id);
    // A re-set with the same ignore count keeps what is left of it (pdb's `ignore` counts down).
    const ignoreLeft =
      before && before.spec.ignoreCount === spec.ignoreCount ? before.ignoreLeft : (spec.ignoreCount ?? 0);
    return {
      spec,
      state: "pending",
      v8Ids: [],
      ...(hitTest ? { hitTest } : {}),
      hits: before?.hits ?? 0,
      ignoreLeft,
      conditionTold: before?.conditionTold ?? false,
    };
  }

  private async placeLine(p: Placed): Promise<void> {
    const file = p.file as string;
    const line = p.requestedLine as number;
    const locations = await this.placeAt(p, file, line);
    if (locations.length > 0) this.located(p, newestLine(locations));
    else if (!this.hooks.isLoaded(file)) {
      p.state = "pending";
      p.message = `pending: the program has not loaded ${basename(file)} yet`;
    } else {
      p.state = "pending";
      p.message = `no code at or after line ${line}`;
    }
  }

  private async placeFunction(p: Placed): Promise<void> {
    const name = (p.spec as FunctionBreakpoint).name;
    const places = await this.hooks.findFunctions(name);
    if (places.length === 0) {
      p.state = "pending";
      p.message = `pending: no function ${name} is loaded yet`;
      return;
    }
    for (const place of places) {
      const locations = await this.placeAt(p, place.file, place.line);
      if (p.file === undefined && locations.length > 0) {
        p.file = place.file;
        p.line = newestLine(locations);
      }
    }
    p.state = "verified";
    delete p.message;
  }

  private async placeAt(p: Placed, file: string, line: number): Promise<Location[]> {
    const answer = await this.inspector.post<{ breakpointId: string; locations: Location[] }>(
      "Debugger.setBreakpointByUrl",
      { urlRegex: urlPattern(file), lineNumber: line - 1, columnNumber: 0 },
    );
    p.v8Ids.push(answer.breakpointId);
    this.byV8.set(answer.breakpointId, p);
    return answer.locations;
  }

  private located(p: Placed, line: number): void {
    p.line = line;
    if ("name" in p.spec) {
      p.state = "verified";
      delete p.message;
      return;
    }
    const requested = p.requestedLine as number;
    p.state = line === requested ? "verified" : "moved";
    if (line === requested) delete p.message;
    else p.message = `line ${requested} has no code: moved to line ${line}`;
  }

  private async unplace(p: Placed): Promise<void> {
    for (const id of p.v8Ids) {
      this.byV8.delete(id);
      await this.inspector.post("Debugger.removeBreakpoint", { breakpointId: id });
    }
    p.v8Ids = [];
  }

  private async logText(message: string, top: CallFrame, values: Values): Promise<string> {
    let text = "";
    for (const part of logParts(message)) {
      if ("text" in part) {
        text += part.text;
        continue;
      }
      try {
        const value = await values.evaluateIn(top, `String(${part.expression}\n)`);
        text += String(value.value);
      } catch (error) {
        text += `<${(error as Error).message}>`;
      }
    }
    return text;
  }

  private all(): Placed[] {
    return [...[...this.byFile.values()].flat(), ...this.functions];
  }

  private report(p: Placed): Breakpoint {
    const isFunction = "name" in p.spec;
    return {
      id: p.spec.id,
      verified: p.state === "verified" || p.state === "moved",
      state: p.state,
      ...(p.file ? { source: p.file } : {}),
      ...(p.line !== undefined && p.state !== "pending" ? { line: p.line } : {}),
      ...(!isFunction && p.requestedLine !== undefined ? { requestedLine: p.requestedLine } : {}),
      ...(isFunction ? { function: (p.spec as FunctionBreakpoint).name } : {}),
      ...(p.message ? { message: p.message } : {}),
    };
  }
}

/** Both ways V8 names a file's scripts: its file: URL (ES modules, patched code) and its path (CommonJS). */
function urlPattern(file: string): string {
  const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return `^(?:${escape(pathToFileURL(file).href)}|${escape(file)})$`;
}

/** The line in the newest script (a patched function's code is a later script of the same file). */
function newestLine(locations: Location[]): number {
  const newest = locations.reduce((a, b) => (Number(b.scriptId) > Number(a.scriptId) ? b : a));
  return newest.lineNumber + 1;
}
