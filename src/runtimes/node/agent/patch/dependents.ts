import { type FunctionModel, readsModuleName } from "../model.js";
import { type Reason, reason } from "../reasons.js";
import type { Side } from "./diff.js";
import type { Declaration, Planning } from "./planning.js";

/**
 * A refusal takes with it everything that depends on it, so that a patch is consistent or
 * nothing: code that reads a module-level name the patch does not define (its declaration was
 * refused) is refused too, instead of going live and failing with a ReferenceError; a changed
 * constant one of whose readers keeps its old code is refused, instead of two values being seen;
 * top-level code that reads it is not run.
 */

/** Module-level names read by the code of [from, to) of the new source. */
function readsWithin(side: Side, from: number, to: number): Set<string> {
  const inside = (at: { headerStart: number; node: { end: number } }) =>
    at.headerStart >= from && at.node.end <= to;
  const reads = new Set<string>();
  for (const fn of side.functions)
    if (inside(fn) && !(fn.parent && inside(fn.parent)))
      for (const name of fn.free.keys()) if (readsModuleName(fn, name)) reads.add(name);
  for (const s of side.statements)
    if (s.node && s.node.start < to && s.node.end > from) for (const name of s.reads) reads.add(name);
  return reads;
}

function refuseDeclaration(planning: Planning, declaration: Declaration, why: Reason): void {
  const { plan, diff } = planning;
  plan.declarations.splice(plan.declarations.indexOf(declaration), 1);
  planning.replace(declaration.entry, {
    ...declaration.entry,
    status: "refused",
    code: why.code,
    reason: why.text,
  });
  // Functions nested in a new declaration were said to be added with it.
  const nested = new Set(
    diff.new.functions
      .filter((fn) => fn.parent && fn.headerStart >= declaration.from && fn.node.end <= declaration.to)
      .map((fn) => fn.qualname),
  );
  plan.outcomes = plan.outcomes.filter(
    (o) => !(o.kind === "function" && o.status === "added" && nested.has(o.qualname)),
  );
  const kept = declaration.ifRefused;
  if (kept.kind === "function") plan.kept.functions.set(kept.key, null);
  else if (kept.kind === "class") plan.kept.classes.set(kept.key, null);
  else plan.kept.declarations.set(declaration.name, kept.before);
}

/** Refuse what reads a name whose new declaration is refused (and so on, transitively). */
export function refuseDependents(planning: Planning): void {
  const { plan, diff } = planning;
  const missing = new Set<string>();
  for (const [name, before] of plan.kept.declarations) if (before === null) missing.add(name);
  if (missing.size === 0) return;
  const needs = (names: Iterable<string>, fn?: FunctionModel) =>
    [...names].filter((name) => missing.has(name) && (!fn || readsModuleName(fn, name))).sort();
  for (let more = true; more;) {
    more = false;
    for (const declaration of [...plan.declarations]) {
      const names = needs(readsWithin(diff.new, declaration.from, declaration.to));
      if (names.length === 0) continue;
      refuseDeclaration(planning, declaration, reason("depends-on-refused", names));
      const isNew = declaration.ifRefused.kind !== "constant" || declaration.ifRefused.before === null;
      if (isNew) {
        for (const name of declaration.names) missing.add(name);
        more = true;
      }
    }
  }
  for (const fn of [...plan.slots, ...plan.addedMembers]) {
    const names = needs(fn.free.keys(), fn);
    if (names.length > 0) planning.withdraw(fn, reason("depends-on-refused", names));
  }
  // (A statement run again reads no new name here: in an accepting module none is refused.)
  for (const run of plan.run.filter((r) => !r.again)) {
    const names = needs(readsWithin(diff.new, run.from, run.to));
    if (names.length === 0) continue;
    plan.run.splice(plan.run.indexOf(run), 1);
    const why = reason("depends-on-refused", names);
    planning.replace(run.entry, { ...run.entry, status: "refused", code: why.code, reason: why.text });
    plan.kept.othersNotRun.push(run.statement.normalized);
  }
}

/** A changed constant is applied to all its readers or to none. */
export function refuseConstantsWithWithdrawnReaders(planning: Planning): void {
  const { plan } = planning;
  for (const declaration of [...plan.declarations]) {
    const withdrawn = declaration.readers.find((fn) => !plan.slots.has(fn));
    if (withdrawn) refuseDeclaration(planning, declaration, reason("reader-refused", withdrawn.qualname));
  }
}
