import { statSync } from "node:fs";
import { performance } from "node:perf_hooks";
import type * as ModelModule from "./model.js";
import type * as TypeScriptThread from "./typescript-thread.js";
import type { ModuleRecord } from "./module-record.js";

/**
 * The first save of a file costs what a later save costs: what a patch needs is prepared while
 * the program is idle after start-up, not on the first patch — the patcher with its parser;
 * for a program with TypeScript modules, TypeScript on hotframe's own thread
 * (typescript-thread.ts: it takes 0.5–1 s to load on Node 20, which would block the program),
 * warmed up on a sample; then the parser, warmed up on copies of a sample parsed one at a time with
 * the event loop running between them (on code V8 has not optimized yet, a model of 1,000 lines
 * took ~250 ms, blocking the program that long; warm, ~50 ms); then the running model of each
 * loaded module (a first patch would parse the whole running file), the first few of them each
 * followed by a rehearsed patch (patch.ts: compiled, never applied), so that the first save does
 * not run the patcher's own code cold. One step at a time, each only after the event loop was busy
 * less than `IDLE_LOAD` of the last `CHECK_MS`: start-up is never slowed, and the program waits for a step only when it had nothing
 * else to do. The timer is unref'd (it never keeps the program alive). A patch that comes first
 * prepares what it needs itself.
 */

/** How often the event loop's load is looked at. */
const CHECK_MS = 250;
/** The event loop utilization below which the program counts as idle. */
const IDLE_LOAD = 0.2;
/**
 * Running models are kept for modules of this much source in all (a model holds about 60 times
 * its source's size: ~1 MB for 1,000 lines); larger programs have their first patch of a file
 * parse it then.
 */
const MODEL_BUDGET_BYTES = 512 * 1024;

/**
 * Parsed when preparing (type-stripped too, for a TypeScript program: JavaScript is TypeScript),
 * so that V8 has compiled the parsers' code before the first patch.
 */
const SAMPLE = `export class Sample {
  items = [];
  add(item, times = 1) {
    for (let i = 0; i < times; i++) this.items.push(item);
    return this;
  }
  get size() {
    return this.items.length;
  }
}
export function total(values, scale = 2) {
  let sum = 0;
  for (const v of values) if (v % 3 === 0) sum += v * scale;
  return sum;
}
export const double = (x) => x * 2;
`;

/** Copies of the sample parsed: about 400 lines in all (V8 optimizes a function after many calls). */
const WARM_UP_COPIES = 24;

/**
 * Patches rehearsed (patch.ts `rehearsePatch`), each of another module, right after its running
 * model: V8 compiles the patcher's functions when they first run, and optimizes them after a few runs.
 */
const REHEARSALS = 2;

/** The next turn of the event loop: what the program has to do runs first. */
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

export interface Preparation {
  /** Loads the patcher (patch.js and what it imports) and gives its parser and type stripping. */
  patcher: () => Promise<{ models: typeof ModelModule; typescript: typeof TypeScriptThread }>;
  /** The modules the program loaded so far. */
  modules: () => Iterable<ModuleRecord>;
  /** Rehearses a patch of the module (patch.ts `rehearsePatch`), queued with the patches; none
   * under the debugger. */
  rehearse: ((record: ModuleRecord) => Promise<void>) | undefined;
}

export function prepareWhenIdle(preparation: Preparation): void {
  const steps = preparationSteps(preparation);
  let last = performance.eventLoopUtilization();
  const check = async () => {
    const now = performance.eventLoopUtilization();
    const load = performance.eventLoopUtilization(now, last).utilization;
    if (load < IDLE_LOAD) {
      try {
        if ((await steps.next()).done) return;
      } catch {
        return; // met again, and answered, by the patch that needs it
      }
    }
    last = performance.eventLoopUtilization();
    setTimeout(check, CHECK_MS).unref();
  };
  setTimeout(check, CHECK_MS).unref();
}

/** The steps, in order: each `next()` takes one. */
async function* preparationSteps(preparation: Preparation): AsyncGenerator<void> {
  const { models, typescript } = await preparation.patcher();
  yield;
  const copies = Array.from({ length: WARM_UP_COPIES }, (_, i) =>
    SAMPLE.replace(/Sample|total|double/g, `$&${i}`),
  );
  if ([...preparation.modules()].some((record) => record.typescript))
    typescript.prepareTypeScript(copies.join(""));
  for (const copy of copies) {
    models.buildModel(copy, true);
    await nextTurn();
  }
  yield;
  let budget = MODEL_BUDGET_BYTES;
  const records = [...preparation.modules()];
  // TypeScript first where there is some: its rehearsals warm up the stripping of a save's lines too.
  const typescriptProgram = records.some((record) => record.typescript);
  let rehearsals = 0;
  for (const record of records) {
    const size = statSync(record.file, { throwIfNoEntry: false })?.size ?? Number.POSITIVE_INFINITY;
    if (size > budget) continue;
    budget -= size;
    record.runningModel(models.buildModel);
    yield;
    if (!preparation.rehearse || rehearsals >= REHEARSALS || record.typescript !== typescriptProgram)
      continue;
    await preparation.rehearse(record);
    rehearsals++;
    yield;
  }
}
