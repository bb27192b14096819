import type { PatchResult } from "../../../../protocol/messages.js";
import { reason } from "../reasons.js";
import { type Applied, readVariables } from "./apply.js";
import { rejected } from "./outcomes.js";

/** Step 5 of a patch: every slot holds its new version (read back where it lives). */
export function verifyPatch(applied: Applied, entries: PatchResult["functions"]): PatchResult | undefined {
  for (const [evaluator, writes] of applied.slots) {
    const now = readVariables(
      evaluator,
      writes.map((write) => write.name),
    );
    const wrong = writes.find((write, i) => now[i] !== write.value);
    if (wrong) {
      applied.undo();
      return rejected("internal", reason("internal", `slot ${wrong.id} not set`), entries);
    }
  }
  return undefined;
}
