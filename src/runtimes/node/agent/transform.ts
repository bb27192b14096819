import { type LineIndex, layout, type Placed } from "./layout.js";
import type { FunctionModel, ModuleModel } from "./model.js";
import { CODE, counterName, ENV, slotName, TABLE } from "./names.js";
import { preamblePosition } from "./preamble-position.js";

/**
 * Instrumentation as text edits on the user's source, never a reprint: every line and column of
 * user code stays where it was (only text after an inserted prologue on the same line moves), so
 * stack traces and breakpoints need no source map and Error.prepareStackTrace is left alone.
 *
 * Each function gets a prologue `if ($hf$s7 !== void 0) return $hf$s7.apply(this, arguments)`,
 * where `$hf$s7` is a module-level `var` (declared on a line appended at the end): an empty slot
 * costs one context load and compare (measured: no difference on fib(30)); a patch assigns the slot
 * through the module's eval hook and every existing reference to the function (bound copies,
 * listeners, instances) runs the new version from its next call. Async functions and generators
 * also count their live activations in `$hf$n7` (to report calls still running old code).
 * The module gets a preamble that registers a direct-eval hook (module scope, live bindings); each
 * top-level class gets a static block that registers a class-scope eval hook (#private names). The
 * preamble is on one line where it moves no user code (see preamble-position.ts).
 */

export { CODE, counterName, ENV, slotName, TABLE } from "./names.js";

export interface Edit {
  start: number;
  /** > start for a replacement. */
  end: number;
  text: string;
  /** Key of the function whose dispatch prologue this is: left out when compiling that function. */
  dispatchOf?: string;
  /** Order among edits at the same position. */
  seq: number;
}

export type IdOf = (fn: FunctionModel) => number;

let seq = 0;
const insert = (at: number, text: string, dispatchOf?: string): Edit => ({
  start: at,
  end: at,
  text,
  dispatchOf,
  seq: seq++,
});

/**
 * Where the body's statements start: after `{` and after directives ("use strict" stays first).
 * A directive written without its `;` gets one (`"use strict"if(…)` would not parse).
 */
function bodyInsertPoint(source: string, fn: FunctionModel): { at: number; separator: string } {
  const body = fn.node.body;
  let at = body.start + 1;
  for (const statement of body.body) {
    if (statement.type !== "ExpressionStatement" || typeof statement.directive !== "string") break;
    at = statement.end;
  }
  return { at, separator: at === body.start + 1 || source[at - 1] === ";" ? "" : ";" };
}

/** Position of the `=>` of an arrow function. */
export function arrowPosition(source: string, fn: FunctionModel): number {
  const last = fn.node.params.at(-1);
  return source.indexOf("=>", last ? last.end : fn.node.start);
}

/** A pattern parameter of an arrow (`({ a }) =>`) has no name to forward; it gets one. */
function patternParams(fn: FunctionModel): { node: { start: number; end: number }; name: string }[] {
  const out: { node: { start: number; end: number }; name: string }[] = [];
  fn.node.params.forEach((p: { type: string; left?: { type: string } }, i: number) => {
    const target = p.type === "AssignmentPattern" ? p.left : p;
    if (target && target.type !== "Identifier" && p.type !== "RestElement")
      out.push({ node: target as never, name: `$hf$p${i}` });
  });
  return out;
}

/** Can an existing function object of this kind be pointed at a new version? */
export function dispatchable(fn: FunctionModel): boolean {
  if (fn.kind === "constructor") return false;
  if (fn.kind !== "arrow" || fn.arrowParams) return true;
  // Pattern parameters are renamed and destructured in the body; patterns holding functions or
  // rest patterns (`...{ a }`) would need their own edits moved along, so they are left alone.
  return fn.node.params.every(
    (p: { type: string; start: number; end: number }) =>
      p.type !== "RestElement" && !fn.children.some((c) => c.node.start >= p.start && c.node.end <= p.end),
  );
}

/** The edits of one function (prologue, activation counter) — not of its nested functions. */
export function functionEdits(model: ModuleModel, fn: FunctionModel, id: number): Edit[] {
  const source = model.source;
  const slot = slotName(id);
  const count = counterName(id);
  const edits: Edit[] = [];
  const counted = fn.async || fn.generator;
  const countStart = `${count}=(${count}|0)+1;try{`;
  const countEnd = `}finally{${count}--}`;
  if (!dispatchable(fn)) return edits; // (a constructor: never swapped, so no prologue and no cost)
  // A default parameter runs before the prologue can: once the slot is set, this (old) version
  // skips it and the new version evaluates its own, so that it runs once per call (`id = next++`).
  // A default that creates a function has nothing to repeat, and its edits would interleave.
  for (const p of fn.node.params) {
    if (p.type !== "AssignmentPattern") continue;
    if (fn.children.some((c) => c.node.start >= p.right.start && c.node.end <= p.right.end)) continue;
    edits.push(insert(p.right.start, `${slot}!==void 0?void 0:(`, fn.key));
    edits.push(insert(p.right.end, ")", fn.key));
  }
  if (fn.kind !== "arrow") {
    // A plain function may be called with `new`: the new version is constructed the same way.
    const constructible = fn.kind === "function" && !fn.async && !fn.generator;
    const call = constructible
      ? `new.target===void 0?${slot}.apply(this,arguments):globalThis.Reflect.construct(${slot},arguments,new.target)`
      : `${slot}.apply(this,arguments)`;
    const { at, separator } = bodyInsertPoint(source, fn);
    if (separator) edits.push(insert(at, separator));
    edits.push(insert(at, `if(${slot}!==void 0)return ${fn.generator ? "yield*" : ""}${call};`, fn.key));
    if (counted) {
      edits.push(insert(at, countStart));
      edits.push(insert(fn.node.body.end - 1, countEnd));
    }
    return edits;
  }
  const patterns = fn.arrowParams ? [] : patternParams(fn);
  const names =
    fn.arrowParams ??
    fn.node.params.map((p: { type: string; left?: { name: string }; name?: string }, i: number) => {
      const target = p.type === "AssignmentPattern" ? p.left : p;
      return target && (target as { type?: string }).type === "Identifier"
        ? (target as { name: string }).name
        : `$hf$p${i}`;
    });
  for (const p of patterns)
    edits.push({
      start: p.node.start,
      end: p.node.end,
      text: p.name,
      seq: seq++,
    });
  const unpack = patterns.map((p) => `var ${source.slice(p.node.start, p.node.end)}=${p.name};`).join("");
  const dispatch = `if(${slot}!==void 0)return ${slot}.call(this${names.map((n: string) => `,${n}`).join("")});`;
  const block = fn.node.body.type === "BlockStatement";
  // A concise body becomes a block.
  const { at, separator } = block
    ? bodyInsertPoint(source, fn)
    : { at: arrowPosition(source, fn) + 2, separator: "{" };
  if (separator) edits.push(insert(at, separator));
  edits.push(insert(at, dispatch, fn.key));
  // `return(`: the expression may start on a later line, where a bare `return` would end the statement.
  edits.push(insert(at, unpack + (counted ? countStart : "") + (block ? "" : "return(")));
  const end = block ? fn.node.body.end - 1 : fn.node.end;
  if (!block) edits.push(insert(end, ")"));
  if (counted) edits.push(insert(end, countEnd));
  if (!block) edits.push(insert(end, "}"));
  return edits;
}

/**
 * Edits for every function of the model, plus class hooks for top-level classes, in the order
 * `render` wants them. A patch renders only some ranges of the file: edits elsewhere would be
 * computed for nothing.
 */
export function moduleEdits(model: ModuleModel, idOf: IdOf, within?: { from: number; to: number }[]): Edit[] {
  const wanted = within ? inRanges(within) : () => true;
  const edits: Edit[] = [];
  for (const fn of model.functions) {
    if (wanted(fn.headerStart, fn.node.end)) edits.push(...functionEdits(model, fn, idOf(fn)));
  }
  for (const cls of model.classList) {
    if (!cls.topLevel || !wanted(cls.node.start, cls.node.end)) continue;
    edits.push(
      // `;` first: the last member may be a field written without one (`class A{x}`).
      insert(cls.node.body.end - 1, `;static{${TABLE}.k(${JSON.stringify(cls.key)},${hook()},this)}`),
    );
  }
  return sortEdits(edits);
}

/** Is [start, end) inside the union of the ranges? (A binary search: a patch can have thousands.) */
function inRanges(ranges: { from: number; to: number }[]): (start: number, end: number) => boolean {
  const merged: { from: number; to: number }[] = [];
  for (const range of [...ranges].sort((a, b) => a.from - b.from)) {
    const last = merged.at(-1);
    if (last && range.from <= last.to) last.to = Math.max(last.to, range.to);
    else merged.push({ ...range });
  }
  return (start, end) => {
    let low = 0;
    let high = merged.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if ((merged[mid] as { from: number }).from <= start) low = mid;
      else high = mid - 1;
    }
    const range = merged[low];
    return range !== undefined && range.from <= start && end <= range.to;
  };
}

function sortEdits(edits: Edit[]): Edit[] {
  return edits.sort((a, b) => a.start - b.start || a.seq - b.seq);
}

function hook(): string {
  return `(${CODE},${ENV})=>eval(${CODE})`;
}

/**
 * The one-line preamble: registers the slot table, counters and the module-scope eval hook.
 * Built-ins are reached through globalThis: a module may declare its own `Symbol` (lodash's
 * `var Symbol = root.Symbol`, hoisted, so still undefined when the preamble runs).
 */
export function preamble(file: string, esm: boolean): string {
  const target = esm ? "import.meta.hot" : "module.hot";
  return (
    `${target}=globalThis[globalThis.Symbol.for("hotframe")].register(${JSON.stringify(file)},${TABLE},${hook()}` +
    `,${esm ? "import.meta" : "module"});function ${TABLE}(){}`
  );
}

/**
 * Apply edits (sorted as moduleEdits returns them) to source[from, to), leaving out those `skip`
 * names and those inside replacements.
 */
export function render(
  source: string,
  edits: Edit[],
  from: number,
  to: number,
  skip?: (edit: Edit) => boolean,
): string {
  let low = 0;
  let high = edits.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if ((edits[mid] as Edit).start < from) low = mid + 1;
    else high = mid;
  }
  let out = "";
  let at = from;
  for (let i = low; i < edits.length; i++) {
    const edit = edits[i] as Edit;
    if (edit.start > to) break;
    if (edit.end > to || edit.start < at || skip?.(edit)) continue; // (inside a replaced range)
    out += source.slice(at, edit.start) + edit.text;
    at = edit.end;
  }
  return out + source.slice(at, to);
}

/** `var` declarations of the slots and counters of these ids (hoisted: usable before they run). */
export function slotDeclarations(ids: number[], keyword = "var"): string {
  return ids.length === 0
    ? ""
    : `${keyword} ${ids.flatMap((id) => [slotName(id), counterName(id)]).join(",")};`;
}

/** The whole module, instrumented; slot variables are declared on a new last line. */
export function instrumentModule(model: ModuleModel, file: string, idOf: IdOf): string {
  const edits = moduleEdits(model, idOf);
  edits.push(insert(preamblePosition(model.source, model.program), preamble(file, model.esm)));
  sortEdits(edits);
  const tail = `\n${slotDeclarations(model.functions.map(idOf))}`;
  return render(model.source, edits, 0, model.source.length) + tail;
}

/** Where a function's parameter list starts (`(`, or the lone parameter of `x => …`). */
function paramsStart(source: string, fn: FunctionModel): number {
  const node = fn.node;
  if (fn.kind === "arrow") {
    const first = node.params[0];
    const open = source.indexOf("(", node.start);
    const arrow = arrowPosition(source, fn);
    return open >= 0 && open < arrow && (!first || open < first.start) ? open : (first?.start ?? arrow);
  }
  return source.indexOf("(", node.id ? node.id.end : node.start);
}

/**
 * A new version of `fn`, to compile by direct eval: an object literal whose one method is the
 * function (a method has a home object, so `super` works once the object's prototype is set), with
 * `fn`'s nested functions instrumented but not its own prologue (the version must not dispatch to
 * itself, unless it is a new member with a slot of its own). Placed (layout.ts) so that its
 * parameters sit at their line and column in the file.
 */
function versionPiece(model: ModuleModel, fn: FunctionModel, edits: Edit[], selfDispatch = false): Placed {
  const source = model.source;
  const node = fn.node;
  const start = paramsStart(source, fn);
  const skip = (e: Edit) => !selfDispatch && e.dispatchOf === fn.key;
  let params: string;
  let body: string;
  if (fn.kind === "arrow") {
    const arrow = arrowPosition(source, fn);
    params = render(source, edits, start, arrow, skip).trimEnd();
    if (!params.startsWith("(")) params = `(${params})`;
    body = render(source, edits, arrow + 2, node.end, skip);
  } else {
    params = "";
    body = render(source, edits, start, node.end, skip);
  }
  const prefix = fn.kind === "get" || fn.kind === "set" ? `${fn.kind} ` : "";
  const modifiers = `${fn.async ? "async " : ""}${fn.generator ? "*" : ""}`;
  // Plain functions stay functions (constructible; anonymous, so their own name inside the body
  // still means the original object); methods and arrows become methods (a home object for super).
  const header =
    fn.kind === "function"
      ? `({${JSON.stringify(fn.name)}:${fn.async ? "async " : ""}function${fn.generator ? "*" : ""}`
      : `({${modifiers}${prefix}${JSON.stringify(fn.name)}`;
  return { at: start, lead: header.length, text: `${header}${params}${body}})`, anchor: node };
}

/**
 * Code for a direct eval that evaluates to the home objects of new versions of `fns` (all strict
 * or all sloppy, none nested in another), in source order: one compile for many functions.
 * Named with sourceURL, so their stack frames read as the user's file.
 */
export function versionsSource(
  model: ModuleModel,
  index: LineIndex,
  fns: FunctionModel[],
  edits: Edit[],
  url: string,
  selfDispatch: (fn: FunctionModel) => boolean,
  wrap?: { head: string; tail: string },
): string {
  const strict = fns[0]?.strict ? '"use strict";' : "";
  const pieces = fns.map((fn) => versionPiece(model, fn, edits, selfDispatch(fn)));
  const head = `${strict}${wrap?.head ?? ""}[`;
  return `${layout(index, pieces, head, `]${wrap?.tail ?? ""}`, ",")}\n//# sourceURL=${url}`;
}
