import type { PatchResult } from "../../../../protocol/messages.js";
import type { FunctionModel } from "../model.js";
import type { ModuleRecord, ScopeEvaluator } from "../module-record.js";
import { reason } from "../reasons.js";
import { ENV } from "../transform.js";
import type { Compiled, Fn } from "./compile.js";
import { rejected, thrown } from "./outcomes.js";
import { type Plan, slotIdOf } from "./planning.js";

/**
 * Step 4 of a patch: install what was compiled, with an undo list, so that top-level code of the
 * patch that throws leaves the program as it was. The apply primitives: slots (read and written by
 * eval where they live, many in one eval: a patch that moves lines can recompile thousands of
 * functions) and class members.
 */

/** A slot and the version that goes into it. */
export interface SlotWrite {
  id: number;
  name: string;
  value: Fn | undefined;
}

export interface Applied {
  /** Every slot written, by the evaluator that reaches it. */
  slots: Map<ScopeEvaluator, SlotWrite[]>;
  /** Puts back what was there before, in reverse order. */
  undo: () => void;
}

export function readVariables(evaluator: ScopeEvaluator, names: string[]): unknown[] {
  return evaluator(`[${names.join(",")}]`) as unknown[];
}

function writeVariables(evaluator: ScopeEvaluator, names: string[], values: unknown[]): void {
  evaluator(names.map((name, i) => `${name}=${ENV}[${i}]`).join(";"), values);
}

/** Set variables (slots) of the evaluator's scope; the step that undoes it. */
function write(evaluator: ScopeEvaluator, names: string[], values: unknown[]): () => void {
  const previous = readVariables(evaluator, names);
  writeVariables(evaluator, names, values);
  return () => writeVariables(evaluator, names, previous);
}

function groupBy<T, K>(items: Iterable<T>, keyOf: (item: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  return groups;
}

function memberTarget(record: ModuleRecord, fn: FunctionModel): object {
  const cls = fn.memberOf ? record.classEvaluators.get(fn.memberOf.key)?.cls : undefined;
  if (!cls) throw new Error(`class ${fn.memberOf?.name} is not available`);
  return fn.isStatic ? (cls as object) : (cls as { prototype: object }).prototype;
}

function defineMember(record: ModuleRecord, fn: FunctionModel, value: Fn): () => void {
  const target = memberTarget(record, fn);
  const previous = Object.getOwnPropertyDescriptor(target, fn.name);
  const base = { enumerable: false, configurable: true };
  if (fn.kind === "get" || fn.kind === "set") {
    const accessors = previous && !("value" in previous) ? previous : {};
    Object.defineProperty(target, fn.name, { ...base, ...accessors, [fn.kind]: value });
  } else Object.defineProperty(target, fn.name, { ...base, writable: true, value });
  return () =>
    previous
      ? Object.defineProperty(target, fn.name, previous)
      : delete (target as Record<string, unknown>)[fn.name];
}

function deleteMember(record: ModuleRecord, fn: FunctionModel): () => void {
  const target = memberTarget(record, fn);
  const previous = Object.getOwnPropertyDescriptor(target, fn.name);
  delete (target as Record<string, unknown>)[fn.name];
  return () => {
    if (previous) Object.defineProperty(target, fn.name, previous);
  };
}

export function applyPatch(record: ModuleRecord, plan: Plan, compiled: Compiled): Applied | PatchResult {
  const steps: (() => void)[] = [];
  const undo = () => {
    for (const step of steps.reverse()) step();
  };
  const idOf = slotIdOf(plan, record);
  const writes = [...plan.slots].map((fn) => ({
    id: idOf(fn),
    name: record.slotName(idOf(fn)),
    value: compiled.versions.get(fn),
  }));
  const slots = groupBy(writes, (write) => compiled.slotEvaluators.get(write.id) ?? compiled.scopeEvaluator);
  try {
    if (plan.run.some((r) => r.again))
      for (const callback of record.hot.disposeCallbacks) callback(record.hot.data);
    for (const fn of plan.addedMembers) steps.push(defineMember(record, fn, compiled.versions.get(fn) as Fn));
    for (const [evaluator, group] of slots)
      steps.push(
        write(
          evaluator,
          group.map((w) => w.name),
          group.map((w) => w.value),
        ),
      );
    if (plan.constructions.length > 0)
      steps.push(
        write(
          compiled.scopeEvaluator,
          plan.constructions.map(({ cls }) => record.classSlotName(cls.key)),
          plan.constructions.map(({ cls }) => compiled.constructions.get(cls.key)),
        ),
      );
    for (const fn of plan.removedMembers) steps.push(deleteMember(record, fn));
    if (compiled.topLevelCode !== undefined) compiled.scopeEvaluator(compiled.topLevelCode);
  } catch (error) {
    undo();
    const { message, traceback } = thrown(error);
    return rejected("runtime", reason("runtime", message), plan.outcomes, { traceback });
  }
  return { slots, undo };
}
