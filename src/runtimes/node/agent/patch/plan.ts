import type { FunctionOutcome } from "../../../../protocol/messages.js";
import { type FunctionModel, type ModuleModel, readsModuleName, type StatementModel } from "../model.js";
import { type Reason, type ReasonCode, reason } from "../reasons.js";
import type { AnyNode } from "../model/ast.js";
import { closureScope, dispatchable, ENV, forwardedCount } from "../transform.js";
import { type Diff, diffOf } from "./diff.js";
import { refuseConstantsWithWithdrawnReaders, refuseDependents } from "./dependents.js";
import { classEntry, functionEntry, statementEntry } from "./outcomes.js";
import { planConstructions, planShapeGuards, privateNamesOf } from "./plan-construction.js";
import { declaration, newExport, planStatements, statementOf } from "./plan-statements.js";
import { type Plan, type PlanContext, Planning } from "./planning.js";
import {
  calledOnce,
  capturedBy,
  directlyCompilable,
  enclosingCalledOnce,
  recompilableAncestor,
} from "./updatable.js";

/**
 * Step 2 of a patch, the planner: every decision about the edit, as data. For each function,
 * class and top-level statement that changed: applied and how, or refused and why; and whether
 * the patch is applied at all. Nothing of the program changes here, and none of its code runs.
 */

/** Plan the patch of the running module (`old`) to the new `model` of `text`. */
export function planPatch(context: PlanContext, text: string, old: ModuleModel, model: ModuleModel): Plan {
  const planning = new Planning(context, old, model, diffOf(old, model, context.kept));
  const plan = planning.plan;
  if (text.trim() === "") {
    plan.rejection = reason("empty-file");
    return plan;
  }
  planImports(planning);
  const frozen = planClasses(planning);
  const built = planConstructions(planning, frozen);
  planFunctions(planning, frozen, built);
  planRemovals(planning);
  planStatements(planning);
  refuseDependents(planning);
  refusePrivateWithPatchNames(planning);
  refuseNewPrivateNames(planning);
  refuseConstantsWithWithdrawnReaders(planning);
  planShapeGuards(planning);
  const refused = plan.outcomes.filter((o) => o.status === "refused");
  if (refused.length > 0 && refused.length === plan.outcomes.length) {
    // Nothing the user changed can be applied: the program stays exactly as it was.
    plan.rejection = reasonOf(refused[0] as FunctionOutcome);
  }
  return plan;
}

/** The reason an entry was given (entries are made from the catalogue's reasons). */
function reasonOf(entry: FunctionOutcome): Reason {
  return { code: entry.code as ReasonCode, text: entry.reason ?? "" };
}

/** How the binding of an import specifier reads the loaded module namespace. */
function importedValue(specifier: AnyNode): string {
  if (specifier.type === "ImportNamespaceSpecifier") return "";
  const name = specifier.type === "ImportDefaultSpecifier" ? "default" : moduleExportName(specifier.imported);
  return `[${JSON.stringify(name)}]`;
}

function moduleExportName(node: AnyNode): string {
  return node.type === "Identifier" ? node.name : String(node.value);
}

/**
 * Import statements (ES modules): one gone from the source leaves its names bound (said); a new
 * one is loaded before the patch compiles, and the names it binds that the module does not have
 * yet are declared in the patch's new scope, where new code sees them. Reordered imports, or a
 * TypeScript `type` specifier (blanked), are the same statements.
 */
function planImports(planning: Planning): void {
  const { diff, old, model, plan, context } = planning;
  const imports = (side: Diff["old"]) => side.statements.filter((s) => s.kind === "import");
  const unmatched = (these: StatementModel[], those: StatementModel[]) => {
    const left = new Map<string, number>();
    for (const s of those) left.set(s.normalized, (left.get(s.normalized) ?? 0) + 1);
    return these.filter((s) => {
      const n = left.get(s.normalized) ?? 0;
      left.set(s.normalized, n - 1);
      return n <= 0;
    });
  };
  const before = imports(diff.old);
  const after = imports(diff.new);
  for (const s of unmatched(before, after)) {
    const names = s.node.specifiers.map((spec: AnyNode) => spec.local.name as string);
    if (names.some((name: string) => !model.moduleNames.has(name)))
      planning.report(statementEntry(old.source, s, "removed", reason("import-removed")));
  }
  for (const s of unmatched(after, before)) {
    const fresh = s.node.specifiers.filter(
      (spec: AnyNode) => !old.moduleNames.has(spec.local.name) && !context.scopeNames.has(spec.local.name),
    );
    if (fresh.length === 0 && s.node.specifiers.length > 0) continue; // the same names, written otherwise
    const specifier = String(s.node.source.value);
    const at = plan.loads.length;
    plan.loads.push({ specifier });
    const names = fresh.map((spec: AnyNode) => spec.local.name as string);
    const entry = statementEntry(model.source, s, "added", reason("import-loaded", specifier));
    if (names.length === 0) {
      planning.report(entry);
      continue;
    }
    const replacement = `const ${fresh.map((spec: AnyNode) => `${spec.local.name}=${ENV}[${at}]${importedValue(spec)}`).join(",")}`;
    planning.declare(
      { from: s.node.start, to: s.node.end, prefix: "", replacement, name: names.join(", "), names },
      entry,
      { kind: "constant", before: null },
    );
  }
}

/** Classes: a changed heritage freezes the class; changed static fields or static blocks are refused. */
function planClasses(planning: Planning): Set<string> {
  const { diff, old, model, plan, context } = planning;
  const frozen = new Set<string>();
  for (const cls of diff.new.classes) {
    const before = context.kept.classes.has(cls.key)
      ? (context.kept.classes.get(cls.key) ?? undefined)
      : diff.old.classByKey.get(cls.key);
    if (before === cls) continue; // from a statement the edit did not touch (model/pieces.ts)
    if (!before) {
      if (
        cls.topLevel &&
        cls.binding &&
        (!old.moduleNames.has(cls.binding) || context.kept.classes.has(cls.key))
      ) {
        planning.declare(
          declaration(
            cls.node.start,
            cls.node.end,
            cls.binding,
            cls.node.type === "ClassExpression" ? statementOf(model, cls.node) : undefined,
          ),
          classEntry(cls, "added", newExport(planning, cls.binding)),
          { kind: "class", key: cls.key },
        );
      }
      continue;
    }
    if (before.heritageText !== cls.heritageText) {
      frozen.add(cls.key);
      plan.kept.classes.set(cls.key, before);
      planning.report(
        classEntry(cls, "refused", reason("class-heritage-changed", before.heritageText, cls.heritageText)),
      );
    } else if (before.shellText.replace(/\s+/g, " ") !== cls.shellText.replace(/\s+/g, " ")) {
      plan.kept.classes.set(cls.key, before);
      planning.report(classEntry(cls, "refused", reason("class-fields-changed")));
    }
  }
  return frozen;
}

function moved(before: FunctionModel, fn: FunctionModel): boolean {
  return before.line !== fn.line || before.column !== fn.column || before.endLine !== fn.endLine;
}

/** The functions of the new source: new, changed, or moved. */
function planFunctions(planning: Planning, frozen: Set<string>, built: Set<string>): void {
  const { diff, old, model, plan, context } = planning;
  const kept = context.kept;
  const newClassMember = (fn: FunctionModel) =>
    fn.memberOf !== undefined && !diff.old.classByKey.has(fn.memberOf.key);
  const ancestorsToRecompile = new Set<FunctionModel>();
  for (const fn of diff.new.functions) {
    // Objects made from the new text forward what it declares: the fewest count.
    const count = forwardedCount(fn);
    if (count !== undefined) plan.forwarded.set(fn.key, Math.min(count, plan.forwarded.get(fn.key) ?? count));
    const before = kept.functions.has(fn.key)
      ? (kept.functions.get(fn.key) ?? undefined)
      : diff.old.byKey.get(fn.key);
    /** A refusal: `fn` keeps running as `before` (or does not run at all). */
    const refuse = (why: Reason) => {
      plan.kept.functions.set(fn.key, before ?? null);
      planning.report(functionEntry(fn, "refused", why));
    };
    if (fn.kind === "constructor" && fn.memberOf?.topLevel) {
      // How instances are built: planned with the class's fields (plan-construction.ts).
      const id = context.slotIds.get(fn.key);
      if (id !== undefined) plan.slotIds.set(fn.key, id);
      continue;
    }
    if (!before) {
      plan.slotIds.set(fn.key, planning.freshSlot(fn));
      if (fn.memberOf && !newClassMember(fn)) {
        if (frozen.has(fn.memberOf.key)) continue;
        if (!fn.memberOf.topLevel) continue; // created by the recompiled enclosing function
        if (fn.node.type === "ArrowFunctionExpression" || fn.kind === "function") {
          // A field: new instances get it, when they are built by a new construction.
          if (built.has(fn.memberOf.key)) planning.report(functionEntry(fn, "added"));
          else refuse(reason("new-class-field"));
          continue;
        }
        if (fn.name.startsWith("#")) {
          refuse(reason("new-private-member", fn.name));
          continue;
        }
        plan.addedMembers.add(fn);
        planning.report(functionEntry(fn, "added"));
      } else if (
        !fn.parent &&
        !fn.memberOf &&
        fn.binding &&
        (!old.moduleNames.has(fn.binding) || kept.functions.has(fn.key))
      ) {
        planning.declare(
          declaration(
            fn.headerStart,
            fn.node.end,
            fn.binding,
            fn.node.type === "FunctionDeclaration" ? undefined : statementOf(model, fn.node),
          ),
          functionEntry(fn, "added", newExport(planning, fn.binding)),
          { kind: "function", key: fn.key },
        );
      } else if (fn.parent) {
        // Created when its enclosing function runs again: one that ran once never does.
        const once = enclosingCalledOnce(model, fn);
        if (once) refuse(reason("ran-once", once.qualname));
        else planning.report(functionEntry(fn, "added"));
      }
      continue;
    }
    const id = context.slotIds.get(fn.key) ?? planning.freshSlot(fn);
    plan.slotIds.set(fn.key, id);
    if (before === fn) continue; // from a statement the edit did not touch (model/pieces.ts)
    if (before.ownText === fn.ownText) {
      // Same code at another place (lines added above or inside a nested function): recompiled,
      // unreported, so that stack traces keep pointing at the right lines.
      if (moved(before, fn) && directlyCompilable(fn)) plan.slots.add(fn);
      continue;
    }
    if (fn.memberOf && frozen.has(fn.memberOf.key)) {
      refuse(reason("class-frozen", fn.memberOf.name));
      continue;
    }
    if (before.generator !== fn.generator || (before.async !== fn.async && fn.generator)) {
      refuse(reason("generator-changed"));
      continue;
    }
    if (calledOnce(model, fn)) {
      refuse(reason("ran-once", fn.qualname));
      continue;
    }
    const captured = capturedBy(fn);
    // An existing arrow object passes on its named parameters and the rest (transform.ts forwardedCount).
    const forwarded = context.forwarded.get(fn.key) ?? forwardedCount(before);
    const forwardsAll =
      forwarded === undefined ||
      (fn.node.params.length <= forwarded && fn.node.params.at(-1)?.type !== "RestElement");
    // Closures that exist hand a new version the variables they captured (transform.ts
    // `closureScope`): it reaches them if it reads no others.
    const scope = context.scopes.get(id);
    const reads = closureScope(fn);
    const reached = scope !== undefined && reads?.every((name) => scope.includes(name)) === true;
    const unreached = scope !== undefined && reads ? reads.filter((name) => !scope.includes(name)) : [];
    if ((captured && !reached) || !dispatchable(fn) || !forwardsAll) {
      const parent = recompilableAncestor(model, fn);
      if (!parent) {
        refuse(reason("references-not-updatable", captured));
        continue;
      }
      ancestorsToRecompile.add(parent);
      plan.slotIds.set(fn.key, planning.freshSlot(fn)); // old closures keep their slot (and code); new ones get their own
      planning.report(
        functionEntry(
          fn,
          "running-old",
          reason("old-closures-keep-old-code", parent.qualname, captured, unreached),
        ),
      );
      continue;
    }
    plan.slots.add(fn);
    const suspended = fn.async || fn.generator ? context.activations(id) : 0;
    planning.report(
      functionEntry(
        fn,
        suspended > 0 ? "running-old" : "updated",
        suspended > 0 ? reason("running", suspended, fn.generator) : undefined,
      ),
    );
  }
  for (const fn of ancestorsToRecompile) {
    if (!plan.slots.has(fn)) {
      plan.slots.add(fn);
      planning.report(functionEntry(fn, "updated", reason("recompiled-for-closures")));
    }
  }
}

/**
 * Where the new source still reads the module-level `name` it no longer declares (the first such
 * function or top-level statement), if anywhere.
 */
function stillReading(model: ModuleModel, name: string): { what: string; line: number } | undefined {
  if (model.moduleNames.has(name)) return undefined;
  const fn = model.functions.find((f) => readsModuleName(f, name));
  if (fn) return { what: fn.qualname, line: fn.line };
  const statement = model.statements.find((s) => s.reads.has(name));
  return statement ? { what: "top-level code", line: statement.line } : undefined;
}

/**
 * Functions gone from the source. A top-level function that the new source still calls keeps
 * running (its binding cannot be deleted): that removal is refused, not said to be done.
 */
function planRemovals(planning: Planning): void {
  const { diff, model, plan, context } = planning;
  // A removal refused by an earlier patch is said again (the running model no longer has it).
  const refusedBefore = [...context.kept.functions.values()].filter(
    (fn): fn is FunctionModel => fn !== null && !diff.old.byKey.has(fn.key),
  );
  for (const fn of [...diff.old.functions, ...refusedBefore]) {
    if (diff.new.byKey.has(fn.key) || context.kept.functions.get(fn.key) === null) continue;
    if (
      fn.memberOf?.topLevel &&
      diff.new.classByKey.has(fn.memberOf.key) &&
      fn.kind !== "constructor" &&
      fn.node.type === "FunctionExpression" &&
      fn.kind !== "function"
    ) {
      plan.removedMembers.push(fn);
      planning.report(functionEntry(fn, "removed"));
    } else if (fn.binding && !fn.parent) {
      const reader = stillReading(model, fn.binding);
      if (reader) {
        plan.kept.functions.set(fn.key, fn);
        const id = context.slotIds.get(fn.key);
        if (id !== undefined) plan.slotIds.set(fn.key, id);
        planning.report(
          functionEntry(fn, "refused", reason("removed-still-called", reader.what, reader.line)),
        );
      } else planning.report(functionEntry(fn, "removed", reason("binding-stays")));
    }
  }
}

/**
 * A version that uses #private names compiles in its class's scope, where names a patch declares
 * (in a scope of its own) are not visible: such a function keeps running its old code.
 */
function refusePrivateWithPatchNames(planning: Planning): void {
  const { plan, context } = planning;
  const patchNames = new Set([...context.scopeNames, ...plan.declarations.flatMap((d) => d.names)]);
  for (const fn of [...plan.slots, ...plan.addedMembers]) {
    if (!fn.usesPrivate) continue;
    const names = [...fn.free.keys()].filter((n) => readsModuleName(fn, n) && patchNames.has(n));
    if (names.length > 0) planning.withdraw(fn, reason("private-and-patch-names", fn.qualname, names));
  }
}

/**
 * A running class cannot gain #private names (they are fixed when the class is created): a version
 * that uses one the class does not have (a new `#field` or `#method`, refused) keeps its old code,
 * instead of failing to compile.
 */
function refuseNewPrivateNames(planning: Planning): void {
  const { plan, context, old } = planning;
  for (const fn of [...plan.slots, ...plan.addedMembers]) {
    const cls = fn.usesPrivate ? fn.withinClass : undefined;
    if (!cls) continue;
    const running = context.kept.classes.has(cls.key)
      ? context.kept.classes.get(cls.key)
      : old.classes.get(cls.key);
    if (!running) continue;
    const declared = privateNamesOf(running);
    const missing = [...new Set(fn.ownText.match(/#[A-Za-z_$][\w$]*/g) ?? [])].filter(
      (n) => !declared.has(n),
    );
    if (missing.length > 0) planning.withdraw(fn, reason("depends-on-refused", missing));
  }
}
