import { type LineIndex, layout, type Placed } from "./layout.js";
import type { ClassModel, FunctionModel, ModuleModel } from "./model.js";
import { type AnyNode, children, hasUseStrict } from "./model/ast.js";
import { referencesLeaving } from "./model/scope.js";
import { hasSideEffects } from "./model/statements.js";
import { classSlotName, CODE, counterName, EARLY_MARK, ENV, PLACEHOLDER, slotName, TABLE } from "./names.js";
import { preamblePosition } from "./preamble-position.js";
import { guardClose, guardOpen, hasGuard } from "./restart-guard.js";

/**
 * Instrumentation as text edits on the user's source, never a reprint: every line and column of
 * user code stays where it was (only text after an inserted prologue on the same line moves), so
 * stack traces and breakpoints need no source map and Error.prepareStackTrace is left alone.
 *
 * Each function gets a prologue `if ($hf$m3$s7 !== void 0) return $hf$m3$s7.apply(this, arguments)`,
 * where `$hf$m3$s7` (its slot) is a non-enumerable, non-configurable, writable property of
 * globalThis, read by its bare name: TurboFan embeds a global property cell's value with a code
 * dependency, so an empty slot costs nothing in optimized code (no load, no compare; a module
 * `var` cost ~1.10× plain node's instructions on fib; the forms measured are in docs/node.md). Its
 * name is unique per load (names.ts); the preamble defines the module's slots before its first
 * statement. A patch assigns the slot through the module's eval hook (the bare name reaches the
 * global) and every existing reference to the function (bound copies, listeners, instances) runs
 * the new version from its next call. Async functions and generators
 * also count their live activations in `$hf$n7` (to report calls still running old code).
 * The module gets a preamble that registers a direct-eval hook (module scope, live bindings); each
 * top-level class gets a static block that registers a class-scope eval hook (#private names). The
 * preamble is on one line where it moves no user code (see preamble-position.ts).
 */

export { classSlotName, CODE, counterName, ENV, slotName, TABLE } from "./names.js";
/** The key of a class's constructor (also when it has none: its construction's key). */
export const constructorKey = (cls: ClassModel) => `${cls.key}.constructor`;

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

/**
 * What the running module's slots are like, which instrumented code must follow: the base of
 * their names (names.ts), which classes have a construction slot, and which slots are closures'
 * whose prologues hand a new version the closure's scope (see `closureScope`). At load, the base
 * is the placeholder each load replaces, and the rest follows from the code itself.
 */
export interface SlotShapes {
  base: string;
  hooked(cls: ClassModel): boolean;
  scopeOf(fn: FunctionModel, id: number): readonly string[] | undefined;
}

export const loadShapes: SlotShapes = {
  base: PLACEHOLDER,
  hooked: (cls) => constructionHooked(cls),
  scopeOf: (fn) => closureScope(fn),
};

/** The parameter through which a closure's new version reaches the closure's variables. */
export const SCOPE = "$hf$v";

/** The names a function reads that an enclosing function declares (`arguments` and `eval` aside). */
export function capturedNames(fn: FunctionModel): string[] {
  return capturedFrom(fn)
    .map(([name]) => name)
    .sort();
}

/** Those names, each with the function that declares it. */
function capturedFrom(fn: FunctionModel): [string, FunctionModel][] {
  return [...fn.free].filter(
    (entry): entry is [string, FunctionModel] =>
      typeof entry[1] === "object" && entry[0] !== "arguments" && entry[0] !== "eval",
  );
}

/**
 * A closure of a factory (`makeCounter()`, `tagger("api")`): its new version, compiled in the
 * module's scope, cannot see the variables a running closure captured. So its prologue hands the
 * version, as its first argument, an object whose accessors read and write those variables in the
 * closure's own scope — made only when the slot is set (nothing is made while it is empty). The
 * names the closure reads are those. Not for closures whose own nested functions read variables
 * from outside it (their prologues would need the scope too), whose body declares again a name
 * they read (the prologue would see that one), nor in a class declared in a function that uses
 * #private names or super.
 */
export function closureScope(fn: FunctionModel): string[] | undefined {
  if (!fn.parent || !dispatchable(fn) || fn.kind === "get" || fn.kind === "set" || fn.bodyRedeclares)
    return undefined;
  if (fn.withinClass && !fn.withinClass.topLevel && (fn.usesPrivate || fn.usesSuper)) return undefined;
  const names = capturedNames(fn);
  if (names.length === 0) return undefined;
  const inner = (f: FunctionModel): FunctionModel[] => f.children.flatMap((c) => [c, ...inner(c)]);
  // (What a nested function reads from outside `fn` is read from the same scope as `fn` reads it.)
  for (const nested of inner(fn))
    for (const [name, origin] of capturedFrom(nested)) if (fn.free.get(name) === origin) return undefined;
  return names;
}

/** The scope object of a closure's prologue: an accessor per captured variable. */
function scopeObject(names: readonly string[]): string {
  return `{${names.map((n) => `get ${n}(){return ${n}},set ${n}(${SCOPE}){${n}=${SCOPE}}`).join(",")}}`;
}

/**
 * A dispatch that constructs: `Reflect.construct` reached as a property of the module's class
 * registrar (agent-state.ts sets it), a module binding: `globalThis.Reflect` would cost a global
 * lookup — a call, not a deoptimization, in optimized code that never took the branch, which keeps
 * an inlined `new`'s half-built object in memory — and four more bytes of bytecode.
 */
const construct = (slot: string, args: string) => `${TABLE}.c(${slot},${args},new.target)`;

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
function bodyInsertPoint(source: string, fn: { node: AnyNode }): { at: number; separator: string } {
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
export function functionEdits(
  model: ModuleModel,
  fn: FunctionModel,
  id: number,
  scope: readonly string[] | undefined,
  base: string,
): Edit[] {
  const source = model.source;
  const slot = slotName(base, id);
  const count = counterName(id);
  const edits: Edit[] = [];
  const counted = fn.async || fn.generator;
  const countStart = `${count}=(${count}|0)+1;try{`;
  const countEnd = `}finally{${count}--}`;
  if (!dispatchable(fn)) return edits; // (a constructor: its class's construction dispatches, see classEdits)
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
    const args = scope ? `[${scopeObject(scope)},...arguments]` : "arguments";
    const call = constructible
      ? `new.target===void 0?${slot}.apply(this,${args}):${construct(slot, args)}`
      : `${slot}.apply(this,${args})`;
    const { at, separator } = bodyInsertPoint(source, fn);
    const dispatchCall = `${fn.generator ? "yield*" : ""}${call}`;
    if (separator) edits.push(insert(at, separator));
    edits.push(insert(at, `if(${slot}!==void 0)return ${dispatchCall};`, fn.key));
    if (counted) edits.push(insert(at, countStart));
    if (hasGuard(fn))
      edits.push(insert(at, guardOpen()), insert(fn.node.body.end - 1, guardClose(dispatchCall)));
    if (counted) edits.push(insert(fn.node.body.end - 1, countEnd));
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
  const pads = padded(fn) ? [`...${REST}`] : [];
  if (pads.length > 0) edits.push(...padEdits(source, fn));
  const forwarded = [...(scope ? [scopeObject(scope)] : []), ...names, ...pads];
  const dispatchCall = `${slot}.call(this${forwarded.map((n: string) => `,${n}`).join("")})`;
  const block = fn.node.body.type === "BlockStatement";
  // A concise body becomes a block.
  const { at, separator } = block
    ? bodyInsertPoint(source, fn)
    : { at: arrowPosition(source, fn) + 2, separator: "{" };
  if (separator) edits.push(insert(at, separator));
  edits.push(insert(at, `if(${slot}!==void 0)return ${dispatchCall};`, fn.key));
  // `return(`: the expression may start on a later line, where a bare `return` would end the statement.
  const open = (counted ? countStart : "") + (hasGuard(fn) ? guardOpen() : "");
  edits.push(insert(at, unpack + open + (block ? "" : "return(")));
  const end = block ? fn.node.body.end - 1 : fn.node.end;
  if (!block) edits.push(insert(end, ")"));
  if (hasGuard(fn)) edits.push(insert(end, guardClose(dispatchCall)));
  if (counted) edits.push(insert(end, countEnd));
  if (!block) edits.push(insert(end, "}"));
  return edits;
}

/**
 * An arrow has no `arguments`: its prologue can pass on only parameters it declares. So that a
 * patch can give it more, it declares a rest parameter after its own, `...$hf$a` (not counted in
 * its `length`), forwarded with the others: one bytecode at entry, where default-valued padding
 * parameters took seven each (every byte of a prologue counts against V8's inlining budgets, and
 * three of them made an arrow of a few bytes too big for TurboFan's small-function inlining). Not
 * for an arrow with a rest parameter of its own (it forwards every argument already), nor for one
 * whose body says "use strict" (not allowed with a rest parameter).
 */
export const REST = "$hf$a";

export function padded(fn: FunctionModel): boolean {
  if (fn.kind !== "arrow" || !dispatchable(fn)) return false;
  if (fn.node.params.at(-1)?.type === "RestElement") return false;
  return fn.node.body.type !== "BlockStatement" || !hasUseStrict(fn.node.body.body);
}

/**
 * How many arguments the prologue of this function passes on to a new version (undefined: all, as
 * called). An arrow passes on its named parameters, given or not, and the rest parameter every
 * argument after them: a new version may declare any number of parameters (infinity), but no rest
 * parameter of its own (it would hold an `undefined` for each named one the caller left out).
 * An arrow whose body says "use strict" passes on only its named parameters.
 */
export function forwardedCount(fn: FunctionModel): number | undefined {
  if (fn.kind !== "arrow" || fn.node.params.at(-1)?.type === "RestElement") return undefined;
  return padded(fn) ? Number.POSITIVE_INFINITY : fn.node.params.length;
}

/** The rest parameter (see REST), and parentheses around a lone `x =>`. */
function padEdits(source: string, fn: FunctionModel): Edit[] {
  const params = fn.node.params;
  const last = params.at(-1);
  const rest = `...${REST}`;
  if (last && paramsStart(source, fn) === last.start)
    return [insert(last.start, "(", fn.key), insert(last.end, `,${rest})`, fn.key)];
  const { close, comma } = closingParen(source, last ? last.end : paramsStart(source, fn) + 1);
  return [insert(close, `${last && !comma ? "," : ""}${rest}`, fn.key)];
}

/** The `)` of a parameter list, from after its last parameter (only a `,`, space and comments between). */
function closingParen(source: string, from: number): { close: number; comma: boolean } {
  let comma = false;
  for (let at = from; at < source.length; at++) {
    const c = source[at];
    if (c === ")") return { close: at, comma };
    if (c === ",") comma = true;
    else if (source.startsWith("//", at)) at = source.indexOf("\n", at);
    else if (source.startsWith("/*", at)) at = source.indexOf("*/", at) + 1;
  }
  throw new Error("hotframe bug: no ) after the parameters");
}

/**
 * Can a patch change how new instances of this class are built? A top-level class whose
 * constructor starts with a construction prologue: its own constructor, or for a class that extends
 * nothing and has none, an empty one added (what it has implicitly). A derived class without a
 * constructor gets none: one added would spread its arguments on every `new`.
 */
export function constructionHooked(cls: ClassModel): boolean {
  return cls.topLevel && (!cls.node.superClass || constructorOf(cls) !== undefined);
}

function constructorOf(cls: ClassModel): AnyNode | undefined {
  return cls.node.body.body.find((m: AnyNode) => m.type === "MethodDefinition" && m.kind === "constructor");
}

/**
 * The construction prologue of a hooked class: once a patch set the class's construction slot, a
 * `new` (of the class or of a subclass, through `super()`) is built by the new construction with
 * the same `new.target` (so the instance has the class's prototype). An extends-nothing class runs
 * its field initializers before its constructor's first statement: those with side effects are
 * skipped once the slot is set (`id = nextId++` runs once per instance).
 */
function classEdits(source: string, cls: ClassModel, base: string): Edit[] {
  const slot = classSlotName(base, cls.key);
  const owner = constructorKey(cls);
  const dispatch = `if(${slot}!==void 0)return ${construct(slot, "arguments")};`;
  const edits: Edit[] = [];
  const constructor = constructorOf(cls);
  if (constructor) {
    const { at, separator } = bodyInsertPoint(source, { node: constructor.value });
    if (separator) edits.push(insert(at, separator));
    edits.push(insert(at, dispatch, owner));
  } else edits.push(insert(cls.node.body.end - 1, `;constructor(){${dispatch}}`, owner));
  if (cls.node.superClass) return edits;
  for (const member of cls.node.body.body) {
    const value = member.type === "PropertyDefinition" && !member.static ? member.value : undefined;
    if (!value || !hasSideEffects(value)) continue;
    edits.push(insert(value.start, `${slot}!==void 0?void 0:(`, owner));
    edits.push(insert(value.end, ")", owner));
  }
  return edits;
}

/**
 * Edits for every function of the model, plus class hooks for top-level classes, in the order
 * `render` wants them. A patch renders only some ranges of the file: edits elsewhere would be
 * computed for nothing. `shapes`: what the running slots are like (a class a patch adds has no
 * construction slot; a closure's prologue hands over the scope its slot was made with).
 */
export function moduleEdits(
  model: ModuleModel,
  idOf: IdOf,
  within?: { from: number; to: number }[],
  shapes: SlotShapes = loadShapes,
): Edit[] {
  const wanted = within ? inRanges(within) : () => true;
  const edits: Edit[] = [];
  for (const fn of model.functions) {
    if (!wanted(fn.headerStart, fn.node.end)) continue;
    const id = idOf(fn);
    edits.push(...functionEdits(model, fn, id, shapes.scopeOf(fn, id), shapes.base));
  }
  for (const cls of model.classList) {
    if (!cls.topLevel || !wanted(cls.node.start, cls.node.end)) continue;
    if (shapes.hooked(cls)) edits.push(...classEdits(model.source, cls, shapes.base));
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

export function sortEdits(edits: Edit[]): Edit[] {
  return edits.sort((a, b) => a.start - b.start || a.seq - b.seq);
}

function hook(): string {
  return `(${CODE},${ENV})=>eval(${CODE})`;
}

/**
 * The one-line preamble: registers the slot table and the module-scope eval hook, and defines the
 * module's slots (the base of their names, how many functions, the classes' construction slots).
 * Built-ins are reached through globalThis: a module may declare its own `Symbol` (lodash's
 * `var Symbol = root.Symbol`, hoisted, so still undefined when the preamble runs).
 */
export function preamble(file: string, esm: boolean, functions: number, classSlots: string[]): string {
  const target = esm ? "import.meta.hot" : "module.hot";
  return (
    `${target}=globalThis[globalThis.Symbol.for("hotframe")].register(${JSON.stringify(file)},${TABLE},${hook()}` +
    `,${esm ? "import.meta" : "module"},"${PLACEHOLDER}",${functions},${JSON.stringify(classSlots)});function ${TABLE}(){}`
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

/** `let` declarations of the slots and counters a patch adds (in a scope of the patch's own). */
export function slotDeclarations(base: string, ids: number[]): string {
  return ids.length === 0
    ? ""
    : `let ${ids.flatMap((id) => [slotName(base, id), counterName(id)]).join(",")};`;
}

/**
 * The functions that can run before their module's preamble: in an ES module that imports, one
 * that imports it back may run first and call its hoisted function declarations (and what they
 * make). Their slots must exist before the module's first statement: defined at load when the
 * program's thread instruments the module, else (Node 20's loader thread) declared as `var`s of
 * the module, the slot form that needs no definition (and costs one load and compare).
 */
export function earlySlots(model: ModuleModel): FunctionModel[] {
  const imports = model.program.body.some(
    (s: AnyNode) =>
      s.type === "ImportDeclaration" ||
      s.type === "ExportAllDeclaration" ||
      (s.type === "ExportNamedDeclaration" && s.source),
  );
  if (!model.esm || !imports) return [];
  const hoisted = (fn: FunctionModel): boolean =>
    fn.parent ? hoisted(fn.parent) : fn.node.type === "FunctionDeclaration" && !fn.memberOf;
  return model.functions.filter(hoisted);
}

/**
 * The whole module, instrumented, with the placeholder base (names.ts). The activation counters
 * are `var`s declared on a new last line, where the early slots' mark follows them.
 */
export function instrumentModule(model: ModuleModel, file: string, idOf: IdOf): string {
  if (model.source.includes(PLACEHOLDER)) throw new Error(`the source holds hotframe's name ${PLACEHOLDER}`);
  const edits = moduleEdits(model, idOf);
  const classSlots = model.classList
    .filter(constructionHooked)
    .map((cls) => classSlotName(PLACEHOLDER, cls.key));
  const functions = Math.max(0, ...model.functions.map(idOf));
  const start = preamblePosition(model.source, model.program);
  edits.push(insert(start, preamble(file, model.esm, functions, classSlots)));
  sortEdits(edits);
  const counters = model.functions.map((fn) => counterName(idOf(fn)));
  const early = earlySlots(model).map((fn) => slotName(PLACEHOLDER, idOf(fn)));
  const tail =
    (counters.length > 0 ? `\nvar ${counters.join(",")};` : "\n") +
    (early.length > 0 ? `${EARLY_MARK}${early.join(",")}*/` : "");
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
function versionPiece(
  model: ModuleModel,
  fn: FunctionModel,
  edits: Edit[],
  selfDispatch = false,
  scoped = false,
): Placed {
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
    if (scoped) params = `(${SCOPE},${params.slice(1)}`;
    body = render(source, edits, arrow + 2, node.end, skip);
  } else {
    params = "";
    body = render(source, edits, start, node.end, skip);
    if (scoped) body = `(${SCOPE},${body.slice(1)}`;
  }
  const prefix = fn.kind === "get" || fn.kind === "set" ? `${fn.kind} ` : "";
  const modifiers = `${fn.async ? "async " : ""}${fn.generator ? "*" : ""}`;
  // Plain functions stay functions (constructible; anonymous, so their own name inside the body
  // still means the original object, except a named function expression's: that name is the
  // function's own, so the version has it); methods and arrows become methods (a home object for super).
  const ownName = node.type === "FunctionExpression" && node.id ? ` ${node.id.name}` : "";
  const header =
    fn.kind === "function"
      ? `({${JSON.stringify(fn.name)}:${fn.async ? "async " : ""}function${fn.generator ? "*" : ""}${ownName}`
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
  scoped = false,
): string {
  const strict = fns[0]?.strict ? '"use strict";' : "";
  const pieces = fns.map((fn) => versionPiece(model, fn, edits, selfDispatch(fn), scoped));
  const head = `${strict}${wrap?.head ?? ""}[`;
  return `${layout(index, pieces, head, `]${wrap?.tail ?? ""}`, ",")}\n//# sourceURL=${url}`;
}

/**
 * Code for a direct eval that evaluates to the construction of `cls` (patch/compile.ts): a class
 * of the new constructor and instance fields (methods stay on the running class: an instance gets
 * the running class's prototype from `new.target`), extending `${ENV}[0]`, the running class's
 * parent, when it extends one. Laid out so that each member sits at its line and column in the file.
 */
export function constructionSource(
  model: ModuleModel,
  index: LineIndex,
  cls: ClassModel,
  edits: Edit[],
  url: string,
): string {
  const source = model.source;
  const owner = constructorKey(cls);
  const pieces: Placed[] = cls.node.body.body
    .filter(
      (m: AnyNode) =>
        (m.type === "PropertyDefinition" && !m.static) ||
        (m.type === "MethodDefinition" && m.kind === "constructor"),
    )
    .map((m: AnyNode) => ({
      at: m.start,
      lead: 0,
      text: render(source, edits, m.start, m.end, (e) => e.dispatchOf === owner),
      anchor: m,
    }));
  const head = `(class${cls.node.superClass ? ` extends ${ENV}[0]` : ""}{`;
  return `${layout(index, pieces, head, "})", ";")}\n//# sourceURL=${url}`;
}

/**
 * The edits that make a closure's new version read and write the variables it captured through
 * its scope parameter (`n` → `$hf$v.n`; `{ n }` → `{ n: $hf$v.n }`): each reference to one of
 * `names` in `fn` (of `source`) that names the variable outside it, not one a scope in it declares.
 */
export function scopeEdits(source: string, fn: FunctionModel, names: readonly string[]): Edit[] {
  const edits: Edit[] = [];
  const wanted = new Set(names);
  const leaving = new Set(
    [...referencesLeaving(source, fn.strict, fn.node)].filter((node) => wanted.has(node.name)),
  );
  if (leaving.size === 0) return edits;
  const replace = (start: number, end: number, text: string) => edits.push({ start, end, text, seq: seq++ });
  const visit = (node: AnyNode) => {
    if (node.type === "Identifier") {
      if (leaving.has(node)) replace(node.start, node.end, `${SCOPE}.${node.name}`);
      return;
    }
    if (node.type === "Property" && node.shorthand && !node.computed) {
      const target = node.value.type === "AssignmentPattern" ? node.value.left : node.value;
      if (leaving.has(target)) {
        replace(node.key.start, node.key.end, `${target.name}:${SCOPE}.${target.name}`);
        if (node.value.type === "AssignmentPattern") visit(node.value.right);
        return;
      }
    }
    for (const child of children(node)) visit(child);
  };
  visit(fn.node);
  return edits;
}
