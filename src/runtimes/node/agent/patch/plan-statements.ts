import { type FunctionModel, type ModuleModel, readsModuleName, type StatementModel } from "../model.js";
import { type AnyNode, patternNames } from "../model/ast.js";
import { type Reason, reason } from "../reasons.js";
import { dispatchable } from "../transform.js";
import { statementEntry } from "./outcomes.js";
import type { Part, Planning } from "./planning.js";
import { capturedBy } from "./updatable.js";

/** The planner's part for module-level constants, variables and other top-level statements. */

const DECLARATION_KINDS = new Set(["const", "let", "var"]);

/** `name` is exported by the module (a declaration, or a local name in an `export { … }` list). */
export function isExported(model: ModuleModel, name: string): boolean {
  return model.statements.some(
    (s) =>
      (s.exported && s.name === name) ||
      (s.node?.type === "ExportNamedDeclaration" &&
        !s.node.source &&
        s.node.specifiers.some(
          (spec: AnyNode) => spec.local.type === "Identifier" && spec.local.name === name,
        )) ||
      // `export default name` exports the value it had then: importers keep that one.
      (s.node?.type === "ExportDefaultDeclaration" &&
        s.node.declaration.type === "Identifier" &&
        s.node.declaration.name === name),
  );
}

/** What is said of a new declaration of `name`: an ES module's importers do not see a new export. */
export function newExport(planning: Planning, name: string): Reason | undefined {
  return planning.context.esm && isExported(planning.model, name)
    ? reason("new-export-invisible")
    : undefined;
}

/** The `const f = ` before an initializer, to declare it again in a patch's scope. */
export function statementOf(model: ModuleModel, init: { start: number }): string {
  const line = model.source.lastIndexOf("\n", init.start) + 1;
  const head = model.source.slice(line, init.start).match(/(const|let|var)\s+([\w$]+)\s*=\s*$/);
  return head ? `${head[1]} ${head[2]} = ` : "";
}

/** The part of a declaration: the range of the new source, declared as `prefix` says. */
export function declaration(
  from: number,
  to: number,
  name: string,
  prefix: string | undefined,
): Part & { name: string } {
  return { from, to, name, prefix: prefix ?? "" };
}

export function planStatements(planning: Planning): void {
  const { diff, old, model, plan, context } = planning;
  const accepted = context.hot.accepted;
  const kept = context.kept;
  const entry = (s: StatementModel, status: "added" | "updated" | "refused", why?: Reason) =>
    planning.report(statementEntry(model.source, s, status, why));
  const oldDecls = new Map(
    diff.old.statements
      .filter((s) => s.name && DECLARATION_KINDS.has(s.kind))
      .map((s) => [s.name as string, s]),
  );
  // Top-level statements that ran, as a multiset of their texts (they have no names).
  const ran = new Map<string, number>();
  const count = (text: string, n: number) => ran.set(text, (ran.get(text) ?? 0) + n);
  for (const s of diff.old.statements) if (s.kind === "other") count(s.normalized, 1);
  for (const text of kept.othersNotRun) count(text, -1);
  for (const text of kept.othersRun) count(text, 1);
  const changedConsts: { s: StatementModel; before: StatementModel }[] = [];
  const unmatched: StatementModel[] = [];
  for (const s of diff.new.statements) {
    if (s.kind === "other") {
      const key = s.normalized;
      const left = ran.get(key) ?? 0;
      if (left > 0) ran.set(key, left - 1);
      else unmatched.push(s);
      continue;
    }
    if (!s.name || !DECLARATION_KINDS.has(s.kind)) continue;
    const name = s.name;
    const isKept = kept.declarations.has(name);
    const before = isKept ? (kept.declarations.get(name) ?? undefined) : oldDecls.get(name);
    /** A refusal: the program keeps `before` (or never declared it). */
    const refuse = (why: Reason) => {
      plan.kept.declarations.set(name, before ?? null);
      entry(s, "refused", why);
    };
    if (!before) {
      if (old.moduleNames.has(name) && !isKept) continue;
      if (s.sideEffects && !accepted) refuse(reason("new-binding-side-effects"));
      else
        planning.declare(
          declaration(s.node.start, s.node.end, name, `${s.kind} ${name} = `),
          statementEntry(model.source, s, "added", newExport(planning, name)),
          { kind: "constant", before: null },
        );
      continue;
    }
    if (before.text === s.text && before.kind === s.kind) continue;
    if (s.kind !== before.kind) refuse(reason("binding-kind-changed", before.kind, s.kind));
    else if (s.kind === "const") changedConsts.push({ s, before });
    // (An initializer removed, `let x;`, has nothing to re-assign: the value stays.)
    else if (!accepted || !s.node) refuse(reason("variable-keeps-value", s.kind));
    else {
      const reassigned = statementEntry(model.source, s, "updated", reason("reassigned"));
      plan.run.push({
        from: s.node.start,
        to: s.node.end,
        prefix: `${name} = `,
        statement: s,
        again: true,
        entry: reassigned,
      });
      planning.report(reassigned);
    }
  }
  planTopLevelCode(planning, unmatched, ran);
  for (const { s, before } of changedConsts) planConstant(planning, s, before);
}

/** The text of a statement up to its first `(`, `=` or template: what it calls or assigns. */
function headOf(text: string): string {
  return text.split(/[(=`]/, 1)[0]?.trim() ?? "";
}

function similarity(a: string, b: string): number {
  let prefix = 0;
  while (prefix < a.length && a[prefix] === b[prefix]) prefix++;
  let suffix = 0;
  while (suffix < a.length - prefix && a[a.length - 1 - suffix] === b[b.length - 1 - suffix]) suffix++;
  return prefix + suffix;
}

/**
 * Pair each statement that ran and is gone from the source with the unmatched new statement it
 * most likely became (the same head, the most text in common): that one is a changed statement;
 * an unmatched statement left unpaired is new.
 */
function pairChanged(unmatched: StatementModel[], gone: Map<string, number>): Map<StatementModel, string> {
  const changed = new Map<StatementModel, string>();
  for (const [text, left] of gone)
    for (let i = 0; i < left; i++) {
      let best: StatementModel | undefined;
      for (const s of unmatched)
        if (
          !changed.has(s) &&
          headOf(s.normalized) === headOf(text) &&
          (!best || similarity(s.normalized, text) > similarity(best.normalized, text))
        )
          best = s;
      if (best) changed.set(best, text);
    }
  return changed;
}

/** `X.use(handler)` with no path: middleware that sees every request that reaches it. */
function catchAllOf(node: AnyNode): string | undefined {
  const call = node.type === "ExpressionStatement" ? node.expression : undefined;
  if (call?.type !== "CallExpression" || call.callee.type !== "MemberExpression") return undefined;
  const { object, property } = call.callee;
  if (object.type !== "Identifier" || property.name !== "use") return undefined;
  const first = call.arguments[0];
  return first && !(first.type === "Literal" && typeof first.value === "string") ? object.name : undefined;
}

/**
 * Middleware (`app.use(notFound)`) below the statement `s` run now on the same object that ran at
 * start-up: what `s` registers now comes after it, where a fresh run has it before.
 */
function catchAllBelow(planning: Planning, s: StatementModel): StatementModel | undefined {
  const receiver = headOf(s.normalized).split(".")[0];
  if (!receiver) return undefined;
  return planning.model.statements.find(
    (t) =>
      t.kind === "other" &&
      t.node.start > s.node.end &&
      catchAllOf(t.node) === receiver &&
      !planning.plan.run.some((r) => r.statement === t),
  );
}

/**
 * A new destructuring declaration (`const { readFileSync } = require("node:fs")`): declared in the
 * patch's new scope like a new constant (code run by eval would keep its names to itself).
 */
function declarePattern(planning: Planning, s: StatementModel): void {
  const { model, plan } = planning;
  const bound = new Set<string>();
  patternNames(s.node.id, bound);
  const names = [...bound];
  const name = names.join(", ");
  if (s.sideEffects && !planning.context.hot.accepted) {
    for (const n of names) plan.kept.declarations.set(n, null);
    planning.report(statementEntry(model.source, s, "refused", reason("new-binding-side-effects")));
    return;
  }
  const kind = model.source.slice(0, s.node.start).match(/(const|let|var)\s*$/)?.[1] ?? "const";
  planning.declare(
    { ...declaration(s.node.start, s.node.end, name, `${kind} `), names },
    statementEntry(model.source, s, "added"),
    { kind: "constant", before: null },
  );
}

/**
 * `module.exports = { … }` run again (CommonJS) as `Object.assign(module.exports, { … })`: the
 * modules that required it hold the exports object it had, and see what it gains (a new export);
 * a name no longer listed stays on it.
 */
function exportsObject(node: AnyNode): Part | undefined {
  const assignment = node.type === "ExpressionStatement" ? node.expression : undefined;
  if (assignment?.type !== "AssignmentExpression" || assignment.operator !== "=") return undefined;
  const { left, right } = assignment;
  const exportsOfModule =
    left.type === "MemberExpression" &&
    !left.computed &&
    left.object.type === "Identifier" &&
    left.object.name === "module" &&
    left.property.name === "exports";
  if (!exportsOfModule || right.type !== "ObjectExpression") return undefined;
  return { from: right.start, to: right.end, prefix: "Object.assign(module.exports, ", suffix: ")" };
}

/**
 * Top-level code that is not what ran (`unmatched`): a new statement runs once, as a fresh run
 * would run it; a changed one runs again only when that gives what a fresh run gives (an
 * assignment), or when the module accepts updates; otherwise it is refused and what ran stays.
 */
function planTopLevelCode(planning: Planning, unmatched: StatementModel[], ran: Map<string, number>): void {
  const { model, plan, context } = planning;
  const changed = pairChanged(unmatched, ran);
  const run = (s: StatementModel, again: boolean, status: "updated" | "running-old", why: Reason) => {
    const entry = statementEntry(model.source, s, status, why);
    const part = (again && !context.esm && exportsObject(s.node)) || {
      from: s.node.start,
      to: s.node.end,
      prefix: "",
    };
    plan.run.push({ ...part, statement: s, again, entry });
    planning.report(entry);
  };
  for (const s of unmatched) {
    const before = changed.get(s);
    if (s.node.type === "VariableDeclarator" && before === undefined) {
      declarePattern(planning, s);
      continue;
    }
    // A route run now, new or (in a module that accepts) run again, comes after a catch-all.
    const below = before === undefined || context.hot.accepted ? catchAllBelow(planning, s) : undefined;
    if (below) {
      const why = reason("run-after", statementEntry(model.source, below, "updated").name, below.line);
      run(s, context.hot.accepted, "running-old", why);
    } else if (context.hot.accepted) run(s, true, "updated", reason("rerun"));
    else if (before === undefined) run(s, false, "updated", reason("new-statement-run"));
    else if (s.rerunnable) run(s, true, "updated", reason("reassigned-statement"));
    else {
      plan.kept.othersNotRun.push(s.normalized);
      planning.report(statementEntry(model.source, s, "refused", reason("top-level-not-rerun")));
      continue;
    }
    if (before !== undefined) ran.set(before, (ran.get(before) ?? 1) - 1);
  }
  // A changed statement is refused: the texts that ran and are gone from the source stay running.
  if (plan.kept.othersNotRun.length > 0)
    for (const [text, left] of ran) for (let i = 0; i < left; i++) plan.kept.othersRun.push(text);
}

/** Why a changed constant cannot be applied consistently, if it cannot. */
function constantRefusal(
  planning: Planning,
  s: StatementModel,
  readers: FunctionModel[],
): Reason | undefined {
  const { model, context } = planning;
  const name = s.name as string;
  if (context.esm && (s.exported || isExported(model, name))) return reason("exported-constant");
  if (s.sideEffects && !context.hot.accepted) return reason("initializer-side-effects");
  const statement = model.statements.find((t) => t !== s && t.kind !== "function" && t.reads.has(name));
  if (statement) return reason("read-by-top-level", statement.line);
  for (const fn of readers) {
    if (fn.usesPrivate) return reason("reader-uses-private", fn.qualname);
    const captured = capturedBy(fn);
    if (captured || !dispatchable(fn))
      return reason("reader-not-updatable", fn.qualname, fn.kind === "constructor", captured);
  }
  return undefined;
}

/** A changed constant: re-bound in a new scope, and every function reading it recompiled there. */
function planConstant(planning: Planning, s: StatementModel, before: StatementModel): void {
  const { model, plan } = planning;
  const name = s.name as string;
  const readers = model.functions.filter((fn) => readsModuleName(fn, name));
  const refusal = constantRefusal(planning, s, readers);
  if (refusal) {
    plan.kept.declarations.set(name, before);
    planning.report(statementEntry(model.source, s, "refused", refusal));
    return;
  }
  const why = reason(
    "constant-readers",
    readers.map((f) => f.qualname),
  );
  planning.declare(
    declaration(s.node.start, s.node.end, name, `const ${name} = `),
    statementEntry(model.source, s, "updated", why),
    { kind: "constant", before },
    readers,
  );
  for (const fn of readers) plan.slots.add(fn);
}
