import { pathToFileURL } from "node:url";
import type { HotApi } from "./hot-api.js";
// Types only: the parser is loaded with the patcher, at the first patch (start-up stays cheap).
import type { ClassModel, FunctionModel, ModuleModel, StatementModel } from "./model.js";
import { loadTransform } from "./lazy-modules.js";
import { classSlotName, counterName, slotName } from "./names.js";
import type { SlotShapes } from "./transform.js";

/** Compiles code by direct eval in some scope (module, class, or a scope added by a patch). */
export type ScopeEvaluator = (code: string, env?: unknown) => unknown;

/** The evaluator a top-level class's static block registers, and the class itself. */
export interface ClassEvaluator {
  evaluator: ScopeEvaluator;
  cls: unknown;
}

export interface LoadedSource {
  /** The JavaScript that was instrumented (type-stripped for TypeScript). */
  source: string;
  esm: boolean;
  typescript: boolean;
  /** The TypeScript it was stripped from (a patch strips only the lines it changed of it). */
  typed?: string;
}

/**
 * What the program still runs where an edit of the saved source was refused. The next patch is
 * compared with it, not with the saved text, so a refusal is reported again on every patch of the
 * file until the source matches what runs (or the change can be applied). `null`: not run at all.
 */
export interface Kept {
  functions: Map<string, FunctionModel | null>;
  classes: Map<string, ClassModel | null>;
  declarations: Map<string, StatementModel | null>;
  /** Top-level statements (normalized text) in the saved source that never ran … */
  othersNotRun: string[];
  /** … and those that ran and are no longer in it. */
  othersRun: string[];
}

export function nothingKept(): Kept {
  return {
    functions: new Map(),
    classes: new Map(),
    declarations: new Map(),
    othersNotRun: [],
    othersRun: [],
  };
}

/** Slot ids at load: functions numbered in model order, the same on the loader's side. */
export function loadIds(model: ModuleModel): (fn: { key: string }) => number {
  const ids = new Map(model.functions.map((fn, i) => [fn.key, i + 1]));
  return (fn) => ids.get(fn.key) ?? 0;
}

/** What an applied patch changes in its module's record (see `ModuleRecord.commit`). */
export interface CommittedPatch {
  model: ModuleModel;
  /** The TypeScript the model's source was stripped from. */
  typed: string | undefined;
  /** Slot ids of the functions the patch compared (all of them unless `spliced`). */
  slotIds: Map<string, number>;
  spliced: boolean;
  nextSlot: number;
  scopeEvaluator: ScopeEvaluator;
  scopeNames: Set<string>;
  slotEvaluators: Map<number, ScopeEvaluator>;
  kept: Kept;
  lacking: Map<string, Set<string>>;
  forwarded: Map<string, number>;
  scopes: Map<number, readonly string[]>;
}

/**
 * Everything hotframe keeps about one instrumented module of the running program. It changes
 * only through its methods: at load (`registerClass`, `addSource`) and by an applied patch
 * (`commit`).
 */
export class ModuleRecord {
  private fileUrl: string | undefined;
  private typescriptSource: boolean;
  /** The running source and its model (built on the first patch: load stays cheap). */
  private runningSource: string;
  private runningTyped: string | undefined;
  private running: ModuleModel | undefined;
  private ids = new Map<string, number>();
  private next = 1;
  private inModule = 0;
  private newest: ScopeEvaluator;
  private patchNames = new Set<string>();
  private slotScopes = new Map<number, ScopeEvaluator>();
  private readonly classScopes = new Map<string, ClassEvaluator>();
  private readonly hooked = new Set<string>();
  private keptSoFar = nothingKept();
  private lackingSoFar = new Map<string, Set<string>>();
  private forwardedSoFar = new Map<string, number>();
  private closureScopes = new Map<number, readonly string[]>();

  constructor(
    readonly file: string,
    readonly esm: boolean,
    loaded: LoadedSource | undefined,
    moduleEvaluator: ScopeEvaluator,
    readonly hot: HotApi,
    /** `import.meta` (ES module) or `module` (CommonJS). */
    readonly moduleObject: unknown,
    /** The base of this load's slot names (names.ts). */
    readonly slotBase: string,
  ) {
    this.typescriptSource = loaded?.typescript ?? false;
    this.runningSource = loaded?.source ?? "";
    this.runningTyped = loaded?.typed;
    this.newest = moduleEvaluator;
  }

  /** The text the running code was compiled from (type-stripped, for TypeScript). */
  get source(): string {
    return this.runningSource;
  }

  /** The module's URL, as its stack frames name it (made on the first patch: load stays cheap). */
  get url(): string {
    this.fileUrl ??= pathToFileURL(this.file).href;
    return this.fileUrl;
  }

  get typescript(): boolean {
    return this.typescriptSource;
  }

  /** The TypeScript the running source was stripped from, when it is known. */
  get typed(): string | undefined {
    return this.runningTyped;
  }

  /** Newest scope for new code: the module's evaluator, or a scope a patch added on top of it. */
  get scopeEvaluator(): ScopeEvaluator {
    return this.newest;
  }

  /** Names a patch declared in the newest scope (added functions, classes, new constant values). */
  get scopeNames(): ReadonlySet<string> {
    return this.patchNames;
  }

  /** Slots declared in a class-scope version (see patch/compile.ts): where to reach them. */
  get slotEvaluators(): ReadonlyMap<number, ScopeEvaluator> {
    return this.slotScopes;
  }

  get classEvaluators(): ReadonlyMap<string, ClassEvaluator> {
    return this.classScopes;
  }

  /** Slot ids by function key. */
  get slotIds(): ReadonlyMap<string, number> {
    return this.ids;
  }

  /** The id the next new slot gets. */
  get nextSlot(): number {
    return this.next;
  }

  /** Slots 1..moduleSlots are variables of the module itself; later ones belong to a patch. */
  get moduleSlots(): number {
    return this.inModule;
  }

  /** Classes loaded with a construction prologue (a class a patch adds has none). */
  get hookedClasses(): ReadonlySet<string> {
    return this.hooked;
  }

  get kept(): Kept {
    return this.keptSoFar;
  }

  /** Per slot of a closure, the variables its prologues hand a new version (transform.ts `closureScope`). */
  get scopes(): ReadonlyMap<number, readonly string[]> {
    return this.closureScopes;
  }

  /** What the running slots are like, for instrumenting code of a patch. */
  get shapes(): SlotShapes {
    return {
      base: this.slotBase,
      hooked: (cls) => this.hooked.has(cls.key),
      scopeOf: (_, id) => this.closureScopes.get(id),
    };
  }

  /** The name of slot `id` (reached by `slotEvaluator(id)`). */
  slotName(id: number): string {
    return slotName(this.slotBase, id);
  }

  /** The name of a top-level class's construction slot. */
  classSlotName(key: string): string {
    return classSlotName(this.slotBase, key);
  }

  /** Per arrow, how many arguments the prologues of its existing objects pass on (at least). */
  get forwarded(): ReadonlyMap<string, number> {
    return this.forwardedSoFar;
  }

  /** Per class, the properties instances built before a patch's new construction lack. */
  get lacking(): ReadonlyMap<string, ReadonlySet<string>> {
    return this.lackingSoFar;
  }

  /**
   * The model of the running source, with slot ids as the loader assigned them (model order);
   * built with `build` the first time it is asked for.
   */
  runningModel(build: (source: string, esm: boolean) => ModuleModel): ModuleModel {
    if (!this.running) {
      this.running = build(this.runningSource, this.esm);
      const idOf = loadIds(this.running);
      for (const fn of this.running.functions) this.ids.set(fn.key, idOf(fn));
      this.next = this.running.functions.length + 1;
      this.inModule = this.next - 1;
      // (the transform is loaded lazily: a start with every module cached never needs it)
      const { closureScope, constructionHooked, forwardedCount } = loadTransform();
      for (const cls of this.running.classList) if (constructionHooked(cls)) this.hooked.add(cls.key);
      for (const fn of this.running.functions) {
        const count = forwardedCount(fn);
        if (count !== undefined) this.forwardedSoFar.set(fn.key, count);
        const scope = closureScope(fn);
        if (scope) this.closureScopes.set(idOf(fn), scope);
      }
    }
    return this.running;
  }

  /** Where slot `id` can be reached. */
  slotEvaluator(id: number): ScopeEvaluator {
    return this.slotScopes.get(id) ?? this.newest;
  }

  /** Calls of an async function or generator still running (its activation counter). */
  activations(id: number): number {
    return Number(this.slotEvaluator(id)(counterName(id)) ?? 0);
  }

  /** A top-level class's static block registers its scope. */
  registerClass(key: string, evaluator: ScopeEvaluator, cls: unknown): void {
    this.classScopes.set(key, { evaluator, cls });
  }

  /** The source arrives from the loader thread after the module registered (Node 20 ESM). */
  addSource(loaded: LoadedSource): void {
    if (this.runningSource !== "") return;
    this.runningSource = loaded.source;
    this.runningTyped = loaded.typed;
    this.typescriptSource = loaded.typescript;
  }

  /** An applied patch: its model and scopes are what runs from now on. */
  commit(patch: CommittedPatch): void {
    this.running = patch.model;
    this.runningSource = patch.model.source;
    this.runningTyped = patch.typed;
    if (patch.spliced) for (const [key, id] of patch.slotIds) this.ids.set(key, id);
    else this.ids = patch.slotIds;
    this.next = patch.nextSlot;
    this.newest = patch.scopeEvaluator;
    this.patchNames = patch.scopeNames;
    this.slotScopes = patch.slotEvaluators;
    this.keptSoFar = patch.kept;
    this.lackingSoFar = patch.lacking;
    this.forwardedSoFar = patch.forwarded;
    this.closureScopes = patch.scopes;
  }
}
