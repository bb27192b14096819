import type { PatchResult } from "../../../../protocol/messages.js";
import { buildModel, type ModuleModel, ParseError } from "../model.js";
import type { ModuleRecord } from "../module-record.js";
import { reason } from "../reasons.js";
import { reparse } from "../reparse.js";
import { stripTypes, TypeScriptError } from "../typescript.js";
import { decoratorOptions } from "../typescript-config.js";
import { editRegion, type Region } from "../typescript-edit.js";
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
 * paused program). Only the lines the edit changed are stripped (typescript-edit.ts); a region
 * that does not parse is stripped whole, so that an error is the one the whole file has.
 */
export function parseEdit(
  record: ModuleRecord,
  text: string,
  paused = false,
): Parsed | PatchResult | Promise<Parsed | PatchResult> {
  if (!record.typescript) return modelOf(record, text);
  const decorators = decoratorOptions(record.file);
  const old = record.runningModel(buildModel);
  const region =
    record.typed === undefined ? undefined : editRegion(record.typed, old.source, old.program, text);
  if (paused) {
    let js: string;
    try {
      js = strippedHere(region, text, (part) => stripTypes(part, decorators));
    } catch (error) {
      return rejection(error);
    }
    return modelOf(record, js);
  }
  const whole = () => stripTypesOffThread(text, decorators);
  const stripped = region
    ? stripTypesOffThread(region.text, decorators).then(region.assemble, (error: unknown) =>
        error instanceof ParseError ? whole() : Promise.reject(error),
      )
    : whole();
  return stripped.then((js) => modelOf(record, js), rejection);
}

/** `stripTypesOffThread` of the edit, as `parseEdit` does it, on this thread. */
function strippedHere(region: Region | undefined, text: string, strip: (part: string) => string): string {
  if (region)
    try {
      return region.assemble(strip(region.text));
    } catch (error) {
      if (!(error instanceof ParseError)) throw error;
    }
  return strip(text);
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
