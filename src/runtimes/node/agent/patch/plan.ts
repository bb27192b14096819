import type { FunctionOutcome } from "../../../../protocol/messages.js";
import type { FunctionModel, ModuleModel, StatementModel } from "../model.js";
import { type Kept, nothingKept } from "../module-record.js";
import { type Reason, type ReasonCode, reason } from "../reasons.js";
import { dispatchable } from "../transform.js";
import { type Diff, diffOf } from "./diff.js";
import { classEntry, functionEntry, statementEntry } from "./outcomes.js";
import { declaration, isExported, planStatements, statementOf } from "./plan-statements.js";
import { refuseConstantsWithWithdrawnReaders, refuseDependents } from "./dependents.js";
import { capturedBy, directlyCompilable, recompilableAncestor } from "./updatable.js";

/**
 * Step 2 of a patch, the planner: every decision about the edit, as data. For each function,
 * class and top-level statement that changed: applied and how, or refused and why; and whether
 * the patch is applied at all. Nothing of the program changes here, and none of its code runs.
 */

/** What the planner reads of the running module (a ModuleRecord). */
export interface PlanContext {
  readonly esm: boolean;
  readonly hot: { readonly accepted: boolean };
  readonly kept: Kept;
  readonly slotIds: ReadonlyMap<string, number>;
  readonly nextSlot: number;
  /** Names earlier patches declared in the scope new code compiles in. */
  readonly scopeNames: ReadonlySet<string>;
  /** Calls of slot `id`'s function that are suspended (async) or unfinished (generators). */
  activations(id: number): number;
}

/** A range of the new source compiled by the patch, with text around it. */
export interface Part {
  from: number;
  to: number;
  prefix: string;
  suffix: string;
}

/** What the program keeps of a declaration that is refused after all. */
export type KeptDeclaration =
  | { kind: "function"; key: string }
  | { kind: "class"; key: string }
  | { kind: "constant"; before: StatementModel | null };

/** A top-level declaration evaluated in the patch's new scope. */
export interface Declaration extends Part {
  name: string;
  /** Its entry in the outcomes. */
  entry: FunctionOutcome;
  /** For a changed constant: the functions recompiled to read its new value. */
  readers: FunctionModel[];
  /** What runs if it is refused (see dependents.ts). */
  ifRefused: KeptDeclaration;
}

export interface Plan {
  /** Set when the patch changes nothing: why (the answer's error). */
  rejection: Reason | undefined;
  outcomes: FunctionOutcome[];
  /** Functions whose new version goes into their slot (existing objects run it from now on). */
  slots: Set<FunctionModel>;
  /** Methods new to an existing class, defined on the live class. */
  addedMembers: Set<FunctionModel>;
  /** Members gone from an existing class, deleted from the live class. */
  removedMembers: FunctionModel[];
  /** Top-level declarations evaluated in a new scope on top of the module's (see ModuleRecord). */
  declarations: Declaration[];
  /** Top-level statements re-run (accepting modules only). */
  rerun: Part[];
  /** What keeps running where this patch refuses a change (the record's next `kept`). */
  kept: Kept;
  /** Slot ids of the functions compared (with `spliced`, the others keep theirs). */
  slotIds: Map<string, number>;
  spliced: boolean;
  /** Slots new with this patch, and the id the next new one gets. */
  freshSlots: number[];
  nextSlot: number;
}

/** The slot id of a function of the new model. */
export function slotIdOf(plan: Plan, context: PlanContext): (fn: FunctionModel) => number {
  return (fn) => plan.slotIds.get(fn.key) ?? (plan.spliced ? context.slotIds.get(fn.key) : undefined) ?? 0;
}

/** The planner's work in progress: the plan, and how entries are added to it. */
export class Planning {
  readonly plan: Plan;
  private readonly reported = new Set<string>();

  constructor(
    readonly context: PlanContext,
    readonly old: ModuleModel,
    readonly model: ModuleModel,
    readonly diff: Diff,
  ) {
    this.plan = {
      rejection: undefined,
      outcomes: [],
      slots: new Set(),
      addedMembers: new Set(),
      removedMembers: [],
      declarations: [],
      rerun: [],
      kept: nothingKept(),
      slotIds: new Map(),
      spliced: diff.spliced,
      freshSlots: [],
      nextSlot: context.nextSlot,
    };
  }

  /** Add an entry (a function or class once, even when two decisions name it). */
  report(entry: FunctionOutcome): void {
    if (entry.kind !== "statement") {
      if (this.reported.has(entry.qualname)) return;
      this.reported.add(entry.qualname);
    }
    this.plan.outcomes.push(entry);
  }

  /** Declare `name` in the patch's new scope, and say so with `entry`. */
  declare(
    part: Omit<Declaration, "entry" | "readers" | "ifRefused">,
    entry: FunctionOutcome,
    ifRefused: KeptDeclaration,
    readers: FunctionModel[] = [],
  ): void {
    this.plan.declarations.push({ ...part, entry, readers, ifRefused });
    this.report(entry);
  }

  /**
   * Refuse, after all, a function the plan compiles: it keeps running what it ran. Closures it
   * was recompiled for (to create them with their new code) are refused with it.
   */
  withdraw(fn: FunctionModel, why: Reason): void {
    const { plan, diff } = this;
    plan.slots.delete(fn);
    plan.addedMembers.delete(fn);
    if (!this.refuseEntry(fn, why)) return; // moved, not changed: keeps its old code (and lines)
    for (const inner of diff.new.functions) {
      let creator = inner.parent;
      while (creator && creator !== fn) creator = creator.parent;
      const entry = creator && this.entryOf(inner);
      if (entry?.code === "old-closures-keep-old-code")
        this.refuseEntry(inner, reason("creator-refused", fn.qualname));
    }
  }

  private entryOf(fn: FunctionModel): FunctionOutcome | undefined {
    return this.plan.outcomes[this.entryIndex(fn)];
  }

  private entryIndex(fn: FunctionModel): number {
    return this.plan.outcomes.findIndex((o) => o.kind === "function" && o.qualname === fn.qualname);
  }

  /** Turn `fn`'s entry into a refusal; false if it has none. */
  private refuseEntry(fn: FunctionModel, why: Reason): boolean {
    const { plan, context, diff } = this;
    const at = this.entryIndex(fn);
    if (at < 0) return false;
    const before = context.kept.functions.has(fn.key)
      ? (context.kept.functions.get(fn.key) ?? null)
      : (diff.old.byKey.get(fn.key) ?? null);
    plan.kept.functions.set(fn.key, before);
    plan.outcomes[at] = functionEntry(fn, "refused", why);
    return true;
  }

  /** Replace an entry (made by `report`) with `replacement`. */
  replace(entry: FunctionOutcome, replacement: FunctionOutcome): void {
    const at = this.plan.outcomes.indexOf(entry);
    if (at >= 0) this.plan.outcomes[at] = replacement;
  }

  /** A slot id for a function new to the module (or a new generation of closures). */
  freshSlot(): number {
    this.plan.freshSlots.push(this.plan.nextSlot);
    return this.plan.nextSlot++;
  }
}

/** Plan the patch of the running module (`old`) to the new `model` of `text`. */
export function planPatch(context: PlanContext, text: string, old: ModuleModel, model: ModuleModel): Plan {
  const planning = new Planning(context, old, model, diffOf(old, model, context.kept));
  const plan = planning.plan;
  if (text.trim() === "") {
    plan.rejection = reason("empty-file");
    return plan;
  }
  if (planImports(planning)) return plan;
  const frozen = planClasses(planning);
  planFunctions(planning, frozen);
  planRemovals(planning);
  planStatements(planning);
  refuseDependents(planning);
  refusePrivateWithPatchNames(planning);
  refuseConstantsWithWithdrawnReaders(planning);
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

/** A running ES module cannot gain or lose imports: a changed import list rejects the patch. */
function planImports(planning: Planning): boolean {
  const { diff, old, model, plan } = planning;
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
  const added = unmatched(after, before);
  const removed = unmatched(before, after);
  if (added.length + removed.length === 0) return false;
  const why = reason("import-list-changed");
  for (const s of added) planning.report(statementEntry(model.source, s, "refused", why));
  for (const s of removed) planning.report(statementEntry(old.source, s, "refused", why));
  plan.rejection = why;
  return true;
}

/** Classes: a changed heritage freezes the class; changed fields or static blocks are refused. */
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
          classEntry(cls, "added"),
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
function planFunctions(planning: Planning, frozen: Set<string>): void {
  const { diff, old, model, plan, context } = planning;
  const kept = context.kept;
  const newClassMember = (fn: FunctionModel) =>
    fn.memberOf !== undefined && !diff.old.classByKey.has(fn.memberOf.key);
  const ancestorsToRecompile = new Set<FunctionModel>();
  for (const fn of diff.new.functions) {
    const before = kept.functions.has(fn.key)
      ? (kept.functions.get(fn.key) ?? undefined)
      : diff.old.byKey.get(fn.key);
    /** A refusal: `fn` keeps running as `before` (or does not run at all). */
    const refuse = (why: Reason) => {
      plan.kept.functions.set(fn.key, before ?? null);
      planning.report(functionEntry(fn, "refused", why));
    };
    if (!before) {
      plan.slotIds.set(fn.key, planning.freshSlot());
      if (fn.memberOf && !newClassMember(fn)) {
        if (frozen.has(fn.memberOf.key)) continue;
        if (!fn.memberOf.topLevel) continue; // created by the recompiled enclosing function
        if (fn.node.type === "ArrowFunctionExpression" || fn.kind === "function") {
          refuse(reason("new-class-field"));
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
        const invisible = context.esm && isExported(model, fn.binding);
        planning.declare(
          declaration(
            fn.headerStart,
            fn.node.end,
            fn.binding,
            fn.node.type === "FunctionDeclaration" ? undefined : statementOf(model, fn.node),
          ),
          functionEntry(fn, "added", invisible ? reason("new-export-invisible") : undefined),
          { kind: "function", key: fn.key },
        );
      } else if (fn.parent) {
        planning.report(functionEntry(fn, "added"));
      }
      continue;
    }
    const id = context.slotIds.get(fn.key) ?? planning.freshSlot();
    plan.slotIds.set(fn.key, id);
    if (before === fn) continue; // from a statement the edit did not touch (model/pieces.ts)
    if (before.ownText === fn.ownText) {
      // Same code at another place (lines added above or inside a nested function): recompiled,
      // unreported, so that stack traces keep pointing at the right lines.
      if (moved(before, fn) && directlyCompilable(model, fn)) plan.slots.add(fn);
      continue;
    }
    if (fn.memberOf && frozen.has(fn.memberOf.key)) {
      refuse(reason("class-frozen", fn.memberOf.name));
      continue;
    }
    if (fn.kind === "constructor") {
      // (Whether instances exist is not tracked: a mark in every constructor call cost 1-2% on
      // code that creates many small objects, and the answer would be the same.)
      refuse(reason("constructor-changed"));
      continue;
    }
    if (before.generator !== fn.generator || (before.async !== fn.async && fn.generator)) {
      refuse(reason("generator-changed"));
      continue;
    }
    const captured = capturedBy(model, fn);
    const forwardsAll =
      fn.kind !== "arrow" || before.kind !== "arrow" || fn.node.params.length <= before.node.params.length;
    if (captured || !dispatchable(fn) || !forwardsAll) {
      const parent = recompilableAncestor(model, fn);
      if (!parent) {
        refuse(reason("references-not-updatable", captured));
        continue;
      }
      ancestorsToRecompile.add(parent);
      plan.slotIds.set(fn.key, planning.freshSlot()); // old closures keep their slot (and code); new ones get their own
      planning.report(
        functionEntry(fn, "running-old", reason("old-closures-keep-old-code", parent.qualname, captured)),
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

/** Functions gone from the source. */
function planRemovals(planning: Planning): void {
  const { diff, plan, context } = planning;
  for (const fn of diff.old.functions) {
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
      planning.report(functionEntry(fn, "removed", reason("binding-stays")));
    }
  }
}

/**
 * A version that uses #private names compiles in its class's scope, where names a patch declares
 * (in a scope of its own) are not visible: such a function keeps running its old code.
 */
function refusePrivateWithPatchNames(planning: Planning): void {
  const { plan, context } = planning;
  const patchNames = new Set([...context.scopeNames, ...plan.declarations.map((d) => d.name)]);
  for (const fn of [...plan.slots, ...plan.addedMembers]) {
    if (!fn.usesPrivate) continue;
    const names = [...fn.free].filter((n) => patchNames.has(n));
    if (names.length > 0) planning.withdraw(fn, reason("private-and-patch-names", fn.qualname, names));
  }
}
