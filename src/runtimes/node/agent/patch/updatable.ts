import type { FunctionModel, Origin } from "../model.js";
import { dispatchable } from "../transform.js";

/** Whether the existing references to a function can run a new version of it. */

/** The nearest scope that hides the names `fn` reads from the module scope, if any. */
export function capturedBy(fn: FunctionModel): string | undefined {
  if (fn.withinClass && !fn.withinClass.topLevel && (fn.usesPrivate || fn.usesSuper))
    return `class ${fn.withinClass.name}`;
  const from = (origin: Origin) => [...fn.free].filter(([, o]) => o === origin).map(([name]) => name);
  for (let outer = fn.parent; outer; outer = outer.parent) {
    const names = from(outer);
    if (names.length > 0) return `${outer.qualname} (${names.slice(0, 3).join(", ")})`;
  }
  const block = from("top-level block");
  if (block.length > 0) return `a top-level block (${block.slice(0, 3).join(", ")})`;
  return undefined;
}

/** A new version of `fn` can be compiled on its own and go into its slot. */
export function directlyCompilable(fn: FunctionModel): boolean {
  return dispatchable(fn) && !capturedBy(fn);
}

/** The nearest enclosing function whose new version can go into its slot. */
export function recompilableAncestor(fn: FunctionModel): FunctionModel | undefined {
  let parent = fn.parent;
  while (parent && !directlyCompilable(parent)) parent = parent.parent;
  return parent;
}
