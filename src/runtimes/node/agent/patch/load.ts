import type { PatchResult } from "../../../../protocol/messages.js";
import type { ModuleRecord } from "../module-record.js";
import { reason } from "../reasons.js";
import { rejected, thrown } from "./outcomes.js";
import type { Plan } from "./planning.js";

/**
 * Between planning and compiling: load the modules that new import statements import, with the
 * module's own `import()` (resolved from it, through the loader hooks, so a user module is
 * instrumented), as a fresh start would load them. A module that fails to load rejects the patch.
 * (A module loaded for a patch that is not applied after all stays loaded, as `import()` leaves it.)
 */
export async function loadImports(record: ModuleRecord, plan: Plan): Promise<unknown[] | PatchResult> {
  const loaded: unknown[] = [];
  for (const { specifier } of plan.loads) {
    try {
      loaded.push(await (record.scopeEvaluator(`import(${JSON.stringify(specifier)})`) as Promise<unknown>));
    } catch (error) {
      const { message, traceback } = thrown(error);
      return rejected("runtime", reason("import-failed", specifier, message), plan.outcomes, { traceback });
    }
  }
  return loaded;
}
