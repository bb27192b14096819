import type { PatchResult } from "../../../../protocol/messages.js";
import { LineIndex, layout, type Placed } from "../layout.js";
import type { FunctionModel, ModuleModel } from "../model.js";
import type { ModuleRecord, ScopeEvaluator } from "../module-record.js";
import { reason } from "../reasons.js";
import {
  CODE,
  capturedNames,
  constructionSource,
  type Edit,
  ENV,
  moduleEdits,
  render,
  scopeEdits,
  type SlotShapes,
  slotDeclarations,
  sortEdits,
  versionsSource,
} from "../transform.js";
import { rejected, thrown } from "./outcomes.js";
import { type Part, type Plan, slotIdOf } from "./planning.js";

/**
 * Step 3 of a patch: compile everything the plan applies, in the scopes it belongs to. Nothing of
 * the program changes yet. New slots and declarations live in a new scope on top of the module's
 * (a running module cannot gain bindings); later code compiles there.
 */

export type Fn = (...args: unknown[]) => unknown;

export interface Compiled {
  /** The new version of each function of the plan's slots and added members. */
  versions: Map<FunctionModel, Fn>;
  /** The class that builds new instances, for each of the plan's constructions (by class key). */
  constructions: Map<string, Fn>;
  /** Where new code compiles from now on, and the names declared there. */
  scopeEvaluator: ScopeEvaluator;
  scopeNames: Set<string>;
  /** Where each slot variable can be reached, when not in the newest scope. */
  slotEvaluators: Map<number, ScopeEvaluator>;
  /** The top-level statements to run, laid out as in the file. */
  topLevelCode: string | undefined;
}

function sourceUrl(record: ModuleRecord): string {
  return `\n//# sourceURL=${record.url}`;
}

/** A declaration or statement of the new source, rendered, to lay out at its place. */
function placed(model: ModuleModel, edits: Edit[], part: Part): Placed {
  if (part.replacement !== undefined) return { at: part.from, lead: 0, text: part.replacement };
  return {
    at: part.from,
    lead: part.prefix.length,
    text: part.prefix + render(model.source, edits, part.from, part.to) + (part.suffix ?? ""),
  };
}

/** `old`: the running model; `loaded`: the modules of the plan's `loads`, in order (patch/load.ts). */
export function compilePatch(
  record: ModuleRecord,
  old: ModuleModel,
  model: ModuleModel,
  plan: Plan,
  loaded: unknown[] = [],
): Compiled | PatchResult {
  const idOf = slotIdOf(plan, record);
  const compiled = [...plan.slots, ...plan.addedMembers];
  const ranges = [
    ...compiled.map((fn) => ({ from: fn.headerStart, to: fn.node.end })),
    ...plan.constructions.map(({ cls }) => ({ from: cls.node.start, to: cls.node.end })),
    ...plan.declarations,
    ...plan.run,
  ];
  // What the patch's code must follow: the record's classes, and the closure scopes of the plan's slots.
  const shapes: SlotShapes = { ...record.shapes, scopeOf: (_, id) => plan.scopes.get(id) };
  const edits = moduleEdits(model, idOf, ranges, shapes);
  const lines = new LineIndex(model.source);
  let scopeEvaluator = record.scopeEvaluator;
  const scopeNames = new Set(record.scopeNames);
  const slotEvaluators = new Map(record.slotEvaluators);
  try {
    if (plan.declarations.length > 0 || plan.freshSlots.length > 0) {
      const parts = plan.declarations.map((d) => placed(model, edits, d));
      const head = `(()=>{${slotDeclarations(record.slotBase, plan.freshSlots)}`;
      const code = layout(lines, parts, head, `return (${CODE},${ENV})=>eval(${CODE})})()`, ";");
      scopeEvaluator = record.scopeEvaluator(code + sourceUrl(record), loaded) as ScopeEvaluator;
      for (const d of plan.declarations) for (const name of d.names) scopeNames.add(name);
    }
    const versions = compileVersions(
      {
        record,
        model,
        lines,
        edits,
        scopeEvaluator,
        freshIds: new Set(plan.freshSlots),
        idOf,
        scopeOf: (id) => plan.scopes.get(id),
        slotEvaluators,
      },
      compiled,
      (fn) => plan.addedMembers.has(fn),
    );
    for (const guard of plan.guards) {
      const version = versions.get(guard.fn);
      // Instances built before run what they ran: what the slot holds, or else the running code.
      const id = idOf(guard.fn);
      const previous = record.slotIds.has(guard.fn.key)
        ? (record.slotEvaluator(id)(record.slotName(id)) as Fn | undefined)
        : undefined;
      if (version)
        versions.set(
          guard.fn,
          shapeGuarded(guard.needs, version, previous ?? oldVersion(record, old, guard.before)),
        );
    }
    const constructions = new Map<string, Fn>();
    for (const { cls } of plan.constructions) {
      const running = record.classEvaluators.get(cls.key)?.cls as object | undefined;
      if (!running) throw new Error(`class ${cls.name} is not available`);
      const code = constructionSource(model, lines, cls, edits, record.url);
      constructions.set(cls.key, scopeEvaluator(code, [Object.getPrototypeOf(running)]) as Fn);
    }
    const topLevelCode =
      plan.run.length > 0
        ? layout(
            lines,
            [...plan.run].sort((a, b) => a.from - b.from).map((r) => placed(model, edits, r)),
            "",
            "",
            ";",
          ) + sourceUrl(record)
        : undefined;
    return { versions, constructions, scopeEvaluator, scopeNames, slotEvaluators, topLevelCode };
  } catch (error) {
    const { message, traceback } = thrown(error);
    const kind =
      error instanceof SyntaxError
        ? "syntax"
        : error instanceof ReferenceError || error instanceof TypeError
          ? "runtime"
          : "internal";
    return rejected(kind, reason(kind, message), plan.outcomes, { traceback });
  }
}

/** What compiling new versions needs to know. */
interface CompileContext {
  record: ModuleRecord;
  model: ModuleModel;
  lines: LineIndex;
  edits: Edit[];
  scopeEvaluator: ScopeEvaluator;
  freshIds: Set<number>;
  idOf: (fn: FunctionModel) => number;
  /** The variables a closure slot's prologues hand its versions (transform.ts `closureScope`). */
  scopeOf: (id: number) => readonly string[] | undefined;
  /** Where each slot variable can be reached, when not in the newest scope (filled here). */
  slotEvaluators: Map<number, ScopeEvaluator>;
}

/**
 * Compile the new versions of `fns`, each in the scope it belongs to. Versions that share a scope
 * and strictness are compiled by one eval (a patch that moves lines recompiles every function
 * below the edit, so that stack traces keep their lines: one eval each would cost seconds in a
 * large module); a function and one nested in it go to separate evals, since their texts overlap.
 */
function compileVersions(
  context: CompileContext,
  fns: FunctionModel[],
  isNewMember: (fn: FunctionModel) => boolean,
): Map<FunctionModel, Fn> {
  const { record, model, lines, edits, scopeEvaluator, freshIds, idOf, scopeOf, slotEvaluators } = context;
  const versions = new Map<FunctionModel, Fn>();
  const batches = new Map<
    string,
    { evaluator: ScopeEvaluator; layers: { end: number; fns: FunctionModel[] }[] }
  >();
  const evaluatorIds = new Map<ScopeEvaluator, number>();
  for (const fn of [...fns].sort((a, b) => a.headerStart - b.headerStart)) {
    let evaluator = scopeEvaluator;
    if (fn.usesPrivate) {
      // (The planner leaves out versions that would need names a patch declared: see plan.ts.)
      const cls = fn.withinClass?.topLevel ? record.classEvaluators.get(fn.withinClass.key) : undefined;
      if (!cls)
        throw new Error(`${fn.qualname}: the class scope of ${fn.withinClass?.name} is not available`);
      evaluator = cls.evaluator;
    }
    // Slots a patch adds live in its new scope, which a class-scope evaluator cannot see: a version
    // compiled in class scope declares them itself and hands back an evaluator to reach them.
    const inner = (f: FunctionModel): FunctionModel[] => f.children.flatMap((c) => [c, ...inner(c)]);
    const own =
      evaluator === scopeEvaluator
        ? []
        : [...(isNewMember(fn) ? [fn] : []), ...inner(fn)]
            .map(idOf)
            .filter((id) => freshIds.has(id) || id > record.moduleSlots);
    // A closure's version takes the closure's scope first and reaches its variables through it.
    const scope = scopeOf(idOf(fn));
    if (own.length > 0 || scope) {
      const fnEdits = scope
        ? sortEdits([
            ...edits,
            ...scopeEdits(
              model.source,
              fn,
              capturedNames(fn).filter((n) => scope.includes(n)),
            ),
          ])
        : edits;
      const wrap = own.length > 0 && {
        head: `(()=>{${slotDeclarations(record.slotBase, own)}return[`,
        tail: `,(${CODE},${ENV})=>eval(${CODE})]})()`,
      };
      const code = versionsSource(
        model,
        lines,
        [fn],
        fnEdits,
        record.url,
        isNewMember,
        wrap || undefined,
        !!scope,
      );
      const [homes, slotEvaluator] = wrap
        ? (evaluator(code) as [object[], ScopeEvaluator])
        : [evaluator(code) as object[], undefined];
      if (slotEvaluator) for (const id of own) slotEvaluators.set(id, slotEvaluator);
      versions.set(fn, versionOf(record, fn, homes[0] as object));
      continue;
    }
    if (!evaluatorIds.has(evaluator)) evaluatorIds.set(evaluator, evaluatorIds.size);
    const key = `${evaluatorIds.get(evaluator)} ${fn.strict}`;
    let batch = batches.get(key);
    if (!batch) batches.set(key, (batch = { evaluator, layers: [] }));
    let layer = batch.layers.find((l) => l.end <= fn.headerStart);
    if (!layer) batch.layers.push((layer = { end: 0, fns: [] }));
    layer.fns.push(fn);
    layer.end = fn.node.end;
  }
  for (const { evaluator, layers } of batches.values()) {
    for (const layer of layers) {
      const homes = evaluator(
        versionsSource(model, lines, layer.fns, edits, record.url, isNewMember),
      ) as object[];
      layer.fns.forEach((fn, i) => versions.set(fn, versionOf(record, fn, homes[i] as object)));
    }
  }
  return versions;
}

/** The function in a compiled version's home object (given the home object's class, if any). */
function versionOf(record: ModuleRecord, fn: FunctionModel, home: object): Fn {
  const cls = fn.withinClass?.topLevel ? record.classEvaluators.get(fn.withinClass.key) : undefined;
  if (cls && fn.withinClass) {
    const target = fn.isStatic ? cls.cls : (cls.cls as { prototype: object }).prototype;
    Object.setPrototypeOf(home, Object.getPrototypeOf(target));
  }
  const descriptor = Object.getOwnPropertyDescriptor(home, fn.name);
  const value = fn.kind === "get" ? descriptor?.get : fn.kind === "set" ? descriptor?.set : descriptor?.value;
  if (typeof value !== "function") throw new Error(`${fn.qualname}: compiled version is not a function`);
  return value as Fn;
}

/** The code `before` (a method of the running model) runs now, compiled again without its prologue. */
function oldVersion(record: ModuleRecord, old: ModuleModel, before: FunctionModel): Fn {
  const idOf = (fn: FunctionModel) => record.slotIds.get(fn.key) ?? 0;
  const edits = moduleEdits(old, idOf, [{ from: before.headerStart, to: before.node.end }], record.shapes);
  const code = versionsSource(old, new LineIndex(old.source), [before], edits, record.url, () => false);
  return versionOf(record, before, (record.scopeEvaluator(code) as object[])[0] as object);
}

/**
 * A method's new version for instances that have every property of `needs` (built by the new
 * construction), its old one for those built before (see patch/plan-construction.ts).
 */
function shapeGuarded(needs: string[], version: Fn, before: Fn): Fn {
  // (Called on something that is not an object, it runs the new version: no instance to judge.)
  const isNew = (target: unknown) =>
    (typeof target !== "object" && typeof target !== "function") ||
    target === null ||
    needs.every((name) => name in target);
  return function (this: unknown, ...args: unknown[]) {
    return isNew(this) ? version.apply(this, args) : before.apply(this, args);
  };
}
