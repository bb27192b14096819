import type { FunctionOutcome } from "../../../../protocol/messages.js";
import type { ClassModel, FunctionModel, ModuleModel, StatementModel } from "../model.js";
import { type Kept, nothingKept } from "../module-record.js";
import { type Reason, reason } from "../reasons.js";
import type { Diff } from "./diff.js";
import { closureScope } from "../transform.js";
import { functionEntry } from "./outcomes.js";

/** The plan of a patch (every decision, as data), and the planner's work in progress on it. */

/** What the planner reads of the running module (a ModuleRecord). */
export interface PlanContext {
  readonly esm: boolean;
  readonly hot: { readonly accepted: boolean };
  readonly kept: Kept;
  readonly slotIds: ReadonlyMap<string, number>;
  /** Classes (keys) whose constructor starts with a construction prologue (transform.ts). */
  readonly hookedClasses: ReadonlySet<string>;
  /** Per class (key), the properties its instances built before a patch's construction lack. */
  readonly lacking: ReadonlyMap<string, ReadonlySet<string>>;
  /** Per arrow (key), how many arguments the prologues of its existing objects pass on, at least. */
  readonly forwarded: ReadonlyMap<string, number>;
  /** Per slot of a closure, the variables its prologues hand a new version. */
  readonly scopes: ReadonlyMap<number, readonly string[]>;
  readonly nextSlot: number;
  /** Names earlier patches declared in the scope new code compiles in. */
  readonly scopeNames: ReadonlySet<string>;
  /** Calls of slot `id`'s function that are suspended (async) or unfinished (generators). */
  activations(id: number): number;
}

/** A range of the new source compiled by the patch, after `prefix` (`const x = `). */
export interface Part {
  from: number;
  to: number;
  prefix: string;
  /** After the range (closes what `prefix` opened). */
  suffix?: string;
  /** Compiled instead of the range (an import: what it binds, from the module loaded for it). */
  replacement?: string;
}

/** A module a new import statement loads before the patch compiles (see patch/load.ts). */
export interface ImportLoad {
  specifier: string;
}

/** Top-level code the patch runs: a new statement, or (`again`) one that ran and changed. */
export interface StatementRun extends Part {
  statement: StatementModel;
  again: boolean;
  entry: FunctionOutcome;
}

/** What the program keeps of a declaration that is refused after all. */
export type KeptDeclaration =
  | { kind: "function"; key: string }
  | { kind: "class"; key: string }
  | { kind: "constant"; before: StatementModel | null };

/** A top-level declaration evaluated in the patch's new scope. */
export interface Declaration extends Part {
  name: string;
  /** Every name it binds (`name` alone, but for an import). */
  names: string[];
  /** Its entry in the outcomes. */
  entry: FunctionOutcome;
  /** For a changed constant: the functions recompiled to read its new value. */
  readers: FunctionModel[];
  /** What runs if it is refused (see dependents.ts). */
  ifRefused: KeptDeclaration;
}

/** A class whose new instances the patch builds with its new constructor and fields. */
export interface Construction {
  /** In the new model. */
  cls: ClassModel;
  /** Properties the new construction gives that the old one did not (instances built before lack them). */
  missing: string[];
  entry: FunctionOutcome;
}

/** A changed method that uses what only new instances have: on older ones it runs `before`. */
export interface ShapeGuard {
  fn: FunctionModel;
  /** What it ran before (in the running model). */
  before: FunctionModel;
  /** The properties it uses that instances built before lack. */
  needs: string[];
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
  /** Classes whose construction slot gets a new construction (patch/plan-construction.ts). */
  constructions: Construction[];
  /** Methods that run their old code on instances built before a construction. */
  guards: ShapeGuard[];
  /** What instances built before lack, per class (the record's next `lacking`). */
  lacking: Map<string, Set<string>>;
  /** The record's next `forwarded`. */
  forwarded: Map<string, number>;
  /** The record's next `scopes` (with those of the slots new with this patch). */
  scopes: Map<number, readonly string[]>;
  /** Top-level declarations evaluated in a new scope on top of the module's (see ModuleRecord). */
  declarations: Declaration[];
  /** Modules new imports load, in order: `${ENV}[i]` in a declaration's replacement is the i-th. */
  loads: ImportLoad[];
  /** Top-level statements run by the patch, in source order. */
  run: StatementRun[];
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
      constructions: [],
      guards: [],
      lacking: new Map([...context.lacking].map(([key, names]) => [key, new Set(names)])),
      forwarded: new Map(context.forwarded),
      scopes: new Map(context.scopes),
      declarations: [],
      run: [],
      loads: [],
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
    part: Omit<Declaration, "entry" | "readers" | "ifRefused" | "names"> & { names?: string[] },
    entry: FunctionOutcome,
    ifRefused: KeptDeclaration,
    readers: FunctionModel[] = [],
  ): void {
    this.plan.declarations.push({ ...part, names: part.names ?? [part.name], entry, readers, ifRefused });
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

  /** A slot id for a function new to the module (or a new generation of closures), made for `fn`. */
  freshSlot(fn: FunctionModel): number {
    const id = this.plan.nextSlot++;
    this.plan.freshSlots.push(id);
    const scope = closureScope(fn);
    if (scope) this.plan.scopes.set(id, scope);
    return id;
  }
}
