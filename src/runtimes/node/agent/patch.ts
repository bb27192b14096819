import type { PatchResult } from "../../../protocol/messages.js";
import type { ModuleRecord } from "./module-record.js";
import { applyPatch } from "./patch/apply.js";
import { commitPatch } from "./patch/commit.js";
import { compilePatch } from "./patch/compile.js";
import { loadImports } from "./patch/load.js";
import { rejected } from "./patch/outcomes.js";
import { parseEdit } from "./patch/parse.js";
import { planPatch } from "./patch/plan.js";
import { verifyPatch } from "./patch/verify.js";

/**
 * One patch of one file: parse → plan → load (new imports) → compile → apply → verify → commit (a module each, in
 * ./patch/). The planner decides everything; compiling changes nothing of the program; applying
 * is undone if anything after it fails, so a patch is applied whole or not at all. The program's
 * own code runs only for what the user asked for (dispose/accept callbacks, re-run top-level
 * statements of an accepting module).
 */
export async function patchModule(record: ModuleRecord, text: string): Promise<PatchResult> {
  const parsed = await parseEdit(record, text);
  if ("outcome" in parsed) return parsed;
  const { old, model, restore } = parsed;
  // Not applied: the running model keeps its parse, moved back where it was.
  const notApplied = (result: PatchResult) => {
    restore();
    return result;
  };
  try {
    const plan = planPatch(record, text, old, model);
    if (plan.rejection) return notApplied(rejected("refused", plan.rejection, plan.outcomes));
    const loaded = await loadImports(record, plan);
    if ("outcome" in loaded) return notApplied(loaded);
    const compiled = compilePatch(record, model, plan, loaded);
    if ("outcome" in compiled) return notApplied(compiled);
    const applied = applyPatch(record, plan, compiled);
    if ("outcome" in applied) return notApplied(applied);
    const wrong = verifyPatch(applied, plan.outcomes);
    if (wrong) return notApplied(wrong);
    return commitPatch(record, model, plan, compiled);
  } catch (error) {
    restore(); // a bug of hotframe (preload.ts answers it as internal)
    throw error;
  }
}
