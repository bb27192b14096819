import type { PatchResult } from "../../../../protocol/messages.js";
import { buildModel, type ModuleModel, ParseError } from "../model.js";
import type { ModuleRecord } from "../module-record.js";
import { reason } from "../reasons.js";
import { reparse } from "../reparse.js";
import { stripTypes, TypeScriptError } from "../typescript.js";
import { decoratorOptions } from "../typescript-config.js";
import { stripTypesOffThread } from "../typescript-thread.js";
import { rejected } from "./outcomes.js";

/** Step 1 of a patch: the model of the new text, built on the running one (model/pieces.ts). */

export interface Parsed {
  old: ModuleModel;
  model: ModuleModel;
  /** Moves the running model's parse back where it was (when the patch is not applied). */
  restore: () => void;
}

/** A text that does not parse, or TypeScript that cannot be erased, rejects the patch. */
function rejection(error: unknown): PatchResult {
  const at = { line: (error as ParseError).line, column: (error as ParseError).column };
  if (error instanceof ParseError) return rejected("syntax", reason("syntax", error.message), [], at);
  if (error instanceof TypeScriptError)
    return rejected("refused", reason("typescript-not-erasable", error.message), [], at);
  throw error;
}

/**
 * The model of `text`: synchronous for JavaScript; TypeScript's types are stripped through
 * typescript-thread.ts (which decides where), except while `paused`: the program's thread is
 * stopped in the debugger, where no promise settles, so they are stripped here (blocking only a
 * paused program).
 */
export function parseEdit(
  record: ModuleRecord,
  text: string,
  paused = false,
): Parsed | PatchResult | Promise<Parsed | PatchResult> {
  if (!record.typescript) return modelOf(record, text);
  const decorators = decoratorOptions(record.file);
  if (paused) {
    let js: string;
    try {
      js = stripTypes(text, decorators);
    } catch (error) {
      return rejection(error);
    }
    return modelOf(record, js);
  }
  return stripTypesOffThread(text, decorators).then((js) => modelOf(record, js), rejection);
}

/** The model of JavaScript text, built on the running one. */
function modelOf(record: ModuleRecord, js: string): Parsed | PatchResult {
  const old = record.runningModel(buildModel);
  let restore = () => {};
  try {
    const parsed = reparse(old.source, old.program, js, record.esm);
    restore = parsed.restore;
    const model = buildModel(js, record.esm, parsed.program, { previous: old, tailMoved: parsed.tailMoved });
    return { old, model, restore };
  } catch (error) {
    restore();
    return rejection(error);
  }
}
