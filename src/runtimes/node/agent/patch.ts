import type { PatchResult } from "../../../protocol/messages.js";
import { buildModel } from "./model.js";
import type { ModuleRecord } from "./module-record.js";
import { applyPatch } from "./patch/apply.js";
import { commitPatch } from "./patch/commit.js";
import { compilePatch } from "./patch/compile.js";
import { loadImports } from "./patch/load.js";
import { rejected } from "./patch/outcomes.js";
import { modelOf, type Parsed, parseEdit } from "./patch/parse.js";
import { planPatch } from "./patch/plan.js";
import type { Plan } from "./patch/planning.js";
import { verifyPatch } from "./patch/verify.js";
import { reason } from "./reasons.js";
import { stripTypesOffThread } from "./typescript-thread.js";

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
    const compiled = compilePatch(record, model, plan, loaded);
    if ("outcome" in compiled) return notApplied(compiled);
    const applied = applyPatch(record, plan, compiled);
    if ("outcome" in applied) return notApplied(applied);
    const wrong = verifyPatch(applied, plan.outcomes);
    if (wrong) return notApplied(wrong);
    return commitPatch(record, model, plan, compiled);
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
 * A patch that is never applied, for preparing in idle time (prepare.ts): a body edit of one of
 * the module's functions is type-stripped (TypeScript), parsed, planned and compiled, then put
 * back, so that V8 has compiled the patcher's code before the first save, which then costs what a
 * later one does. Nothing of the program runs or changes: no top-level statement, declaration or
 * import is in the edit, and compiling only creates the new versions. Run where patches are
 * queued (preload.ts): the parse is undone before anything else touches the record.
 */
export async function rehearsePatch(record: ModuleRecord): Promise<void> {
  const running = record.runningModel(buildModel);
  const fn = running.functions.find(
    (f) => !f.parent && f.kind !== "constructor" && f.node.body.type === "BlockStatement",
  );
  if (!fn) return;
  const at = (fn.node.body.start as number) + 1;
  const text = `${running.source.slice(0, at)}void 0;${running.source.slice(at)}`;
  const js = record.typescript ? await stripTypesOffThread(text) : text;
  const parsed = modelOf(record, js);
  if ("outcome" in parsed) return;
  try {
    const plan = planPatch(record, js, parsed.old, parsed.model);
    const compiles = plan.declarations.length === 0 && plan.freshSlots.length === 0 && plan.run.length === 0;
    if (!plan.rejection && plan.loads.length === 0 && compiles) compilePatch(record, parsed.model, plan);
  } finally {
    parsed.restore();
  }
}
