import type { PatchResult } from "../../../../protocol/messages.js";
import type { ModuleModel } from "../model.js";
import type { ModuleRecord } from "../module-record.js";
import { reason } from "../reasons.js";
import type { Compiled } from "./compile.js";
import { thrown } from "./outcomes.js";
import type { Plan } from "./planning.js";

/**
 * Step 6 of a patch: what was applied is what runs from now on (the record's model, slots and
 * scopes), and a module that accepts updates hears of it (an ES module's namespace comes from
 * `import()`: only then is the answer a promise).
 */
export function commitPatch(
  record: ModuleRecord,
  model: ModuleModel,
  plan: Plan,
  compiled: Compiled,
  /** The TypeScript `model` was stripped from. */
  typed: string | undefined,
): PatchResult | Promise<PatchResult> {
  record.commit({
    model,
    typed,
    slotIds: plan.slotIds,
    spliced: plan.spliced,
    nextSlot: plan.nextSlot,
    scopeEvaluator: compiled.scopeEvaluator,
    scopeNames: compiled.scopeNames,
    slotEvaluators: compiled.slotEvaluators,
    kept: plan.kept,
    lacking: plan.lacking,
    forwarded: plan.forwarded,
    scopes: plan.scopes,
  });
  const outcome = plan.outcomes.some((o) => o.status === "refused") ? "partial" : "applied";
  if (!record.hot.accepted || !plan.outcomes.some((o) => o.status !== "refused"))
    return { outcome, functions: plan.outcomes };
  const accept = (namespace: unknown): PatchResult => {
    try {
      for (const callback of record.hot.acceptCallbacks) callback(namespace);
    } catch (error) {
      // The patch is live; the program's own callback failed after it.
      const { message, traceback } = thrown(error);
      const why = reason("accept-callback-raised", message);
      return {
        outcome,
        functions: plan.outcomes,
        error: { kind: "runtime", code: why.code, message: why.text, traceback },
      };
    }
    return { outcome, functions: plan.outcomes };
  };
  return record.esm
    ? import(record.url).then(accept)
    : accept((record.moduleObject as { exports?: unknown })?.exports);
}
