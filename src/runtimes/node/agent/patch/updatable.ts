import type { FunctionModel, ModuleModel, Origin } from "../model.js";
import type { AnyNode } from "../model/ast.js";
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
export function recompilableAncestor(model: ModuleModel, fn: FunctionModel): FunctionModel | undefined {
  let parent = fn.parent;
  while (parent && !directlyCompilable(parent)) parent = parent.parent;
  // Recompiled, one that ran once would never create closures again.
  return parent && !calledOnce(model, parent) ? parent : undefined;
}

/**
 * `fn` is called right where it is defined by a top-level statement (`(function () {…})()`, a
 * TypeScript namespace's `(function Util(Util) {…})(Util || …)`): it ran once, when the module
 * loaded, and never runs again — a new version of its own code would never run.
 */
export function calledOnce(model: ModuleModel, fn: FunctionModel): boolean {
  if (fn.parent || fn.memberOf) return false;
  const statement = model.program.body.find((s: AnyNode) => s.start <= fn.node.start && fn.node.end <= s.end);
  let call = statement?.type === "ExpressionStatement" ? statement.expression : undefined;
  if (call?.type === "UnaryExpression") call = call.argument;
  if (call?.type !== "CallExpression") return false;
  const callee = call.callee;
  return (
    callee === fn.node ||
    (callee.type === "MemberExpression" &&
      callee.object === fn.node &&
      ["call", "apply"].includes(callee.property.name))
  );
}

/** The function around `fn` that ran once where it is defined (see `calledOnce`), if any. */
export function enclosingCalledOnce(model: ModuleModel, fn: FunctionModel): FunctionModel | undefined {
  let top = fn;
  while (top.parent) top = top.parent;
  return top !== fn && calledOnce(model, top) ? top : undefined;
}
