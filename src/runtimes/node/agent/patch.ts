import type { PatchResult } from "../../../protocol/messages.js";
import { buildModel } from "./model.js";
import type { ModuleRecord } from "./module-record.js";
import { applyPatch } from "./patch/apply.js";
import { commitPatch } from "./patch/commit.js";
import { compilePatch } from "./patch/compile.js";
import { loadImports } from "./patch/load.js";
import { rejected } from "./patch/outcomes.js";
import { type Parsed, parseEdit } from "./patch/parse.js";
import { planPatch } from "./patch/plan.js";
import type { Plan } from "./patch/planning.js";
import { verifyPatch } from "./patch/verify.js";
import { reason } from "./reasons.js";

/**
 * One patch of one file: parse → plan → load (new imports) → compile → apply → verify → commit (a module each, in
 * ./patch/). The planner decides everything; compiling changes nothing of the program; applying
 * is undone if anything after it fails, so a patch is applied whole or not at all. The program's
 * own code runs only for what the user asked for (dispose/accept callbacks, re-run top-level
 * statements of an accepting module).
 *
 * Synchronous unless the edit imports a module (or an ES module accepts updates) or its TypeScript
 * is stripped on hotframe's own thread (not while paused): the debugger
 * applies patches while the program is paused, when no promise can settle. `paused` refuses,
 * before anything changes, an edit that would have to wait for one.
 */
export function patchModule(
  record: ModuleRecord,
  text: string,
  paused = false,
): PatchResult | Promise<PatchResult> {
  const parsed = parseEdit(record, text, paused);
  return parsed instanceof Promise
    ? parsed.then((p) => patchParsed(record, text, p, paused))
    : patchParsed(record, text, parsed, paused);
}

/** The rest of a patch once its text is parsed. */
function patchParsed(
  record: ModuleRecord,
  text: string,
  parsed: Parsed | PatchResult,
  paused: boolean,
): PatchResult | Promise<PatchResult> {
  if ("outcome" in parsed) return parsed;
  const { old, model, restore } = parsed;
  // Not applied: the running model keeps its parse, moved back where it was.
  const notApplied = (result: PatchResult) => {
    restore();
    return result;
  };
  const rest = (plan: Plan, loaded: unknown[]) => {
    const compiled = compilePatch(record, old, model, plan, loaded);
    if ("outcome" in compiled) return notApplied(compiled);
    const applied = applyPatch(record, plan, compiled);
    if ("outcome" in applied) return notApplied(applied);
    const wrong = verifyPatch(applied, plan.outcomes);
    if (wrong) return notApplied(wrong);
    return commitPatch(record, model, plan, compiled, record.typescript ? text : undefined);
  };
  try {
    const plan = planPatch(record, text, old, model);
    if (plan.rejection) return notApplied(rejected("refused", plan.rejection, plan.outcomes));
    if (plan.loads.length === 0) return rest(plan, []);
    if (paused) return notApplied(rejected("refused", reason("paused-import"), plan.outcomes));
    return loadImports(record, plan).then(
      (loaded) => ("outcome" in loaded ? notApplied(loaded) : rest(plan, loaded)),
      (error: unknown) => {
        restore();
        throw error;
      },
    );
  } catch (error) {
    restore(); // a bug of hotframe (preload.ts answers it as internal)
    throw error;
  }
}

/**
 * A patch that is never applied, rehearsed in idle time (prepare.ts) so that V8 has compiled the
 * patcher's code before the first save, which then costs what a later one does: a body edit of one
 * of the module's top-level functions goes through the steps of a save up to compiling its new
 * version (for TypeScript: stripping the edited lines on hotframe's thread), and is then put back
 * as a refused patch is. Nothing of the program runs or changes: the edit declares, runs and
 * imports nothing, and compiling only creates the new version. Run where patches are queued
 * (preload.ts): no patch meets the record while a rehearsal has its running model.
 */
export function rehearsePatch(record: ModuleRecord): void | Promise<void> {
  const text = rehearsalText(record);
  if (text === undefined) return;
  const parsed = parseEdit(record, text);
  return parsed instanceof Promise
    ? parsed.then((p) => compileOnly(record, text, p))
    : compileOnly(record, text, parsed);
}

/**
 * The module's text with `void 0;` first in the body of its middle top-level function, if it has
 * one: in the middle, as a save's edit often is, so that finding what it changed
 * (typescript-edit.ts, reparse.ts) runs as far into the file as a save's (its first run there
 * took 4-6 ms more on Node 24 after a rehearsal at the top).
 */
function rehearsalText(record: ModuleRecord): string | undefined {
  const running = record.runningModel(buildModel);
  const candidates = running.functions.filter(
    (f) => !f.parent && !f.memberOf && f.kind !== "constructor" && f.node.body.type === "BlockStatement",
  );
  const fn = candidates[Math.floor(candidates.length / 2)];
  const text = record.typescript ? record.typed : running.source;
  if (!fn || text === undefined) return undefined;
  // TypeScript keeps its offsets in the JavaScript unless a rewrite moved them (typescript-rewrite.ts).
  const at = (fn.node.body.start as number) + 1;
  if (text[at - 1] !== "{") return undefined;
  return `${text.slice(0, at)}void 0;${text.slice(at)}`;
}

/** Plans and compiles a parsed rehearsal, then puts the running model back. */
function compileOnly(record: ModuleRecord, text: string, parsed: Parsed | PatchResult): void {
  if ("outcome" in parsed) return;
  try {
    const plan = planPatch(record, text, parsed.old, parsed.model);
    const runsNothing =
      plan.declarations.length === 0 && plan.freshSlots.length === 0 && plan.run.length === 0;
    if (!plan.rejection && plan.loads.length === 0 && runsNothing)
      compilePatch(record, parsed.old, parsed.model, plan);
  } finally {
    parsed.restore();
  }
}
