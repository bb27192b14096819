import type { ClassModel, FunctionModel, ModuleModel, Region } from "../model.js";
import type { Kept } from "../module-record.js";

/** One side of what a patch compares, with its functions and classes by key. */
export interface Side extends Region {
  byKey: ReadonlyMap<string, FunctionModel>;
  classByKey: ReadonlyMap<string, ClassModel>;
}

export interface Diff {
  old: Side;
  new: Side;
  /** Only the statements an edit replaced are compared: the others are the same objects. */
  spliced: boolean;
}

function anythingKept(kept: Kept): boolean {
  return kept.functions.size + kept.classes.size + kept.declarations.size + kept.othersNotRun.length > 0;
}

/**
 * What a patch compares: the whole running and new models, or, when the new model was spliced
 * from the running one (model/pieces.ts), only the statements the edit replaced. (A refusal kept
 * from an earlier patch can be anywhere: then the whole models.) The splice names the previous
 * model: once used, it is dropped, or every running model would keep all the ones before it alive.
 */
export function diffOf(old: ModuleModel, model: ModuleModel, kept: Kept): Diff {
  const splice = model.splice;
  model.splice = undefined;
  if (splice?.previous === old && !anythingKept(kept)) {
    const side = (region: Region): Side => ({
      ...region,
      byKey: new Map(region.functions.map((fn) => [fn.key, fn])),
      classByKey: new Map(region.classes.map((cls) => [cls.key, cls])),
    });
    return { old: side(splice.removed), new: side(splice.added), spliced: true };
  }
  const whole = (m: ModuleModel): Side => ({
    functions: m.functions,
    classes: m.classList,
    statements: m.statements,
    byKey: m.byKey,
    classByKey: m.classes,
  });
  return { old: whole(old), new: whole(model), spliced: false };
}
