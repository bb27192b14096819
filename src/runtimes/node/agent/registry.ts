import { pathToFileURL } from "node:url";
import { HotApi } from "./hot-api.js";
// Types only: the parser is loaded with the patcher, at the first patch (start-up stays cheap).
import type { ClassModel, FunctionModel, ModuleModel, StatementModel } from "./model.js";

/** Compiles code by direct eval in some scope (module, class, or a scope added by a patch). */
export type EvalHook = (code: string, env?: unknown) => unknown;

/** A hoisted function of the module on which its classes' static blocks register their hooks. */
export type ClassRegistrar = ((...args: unknown[]) => unknown) & {
  k?: (key: string, hook: EvalHook, cls: unknown) => void;
};

export interface LoadedSource {
  /** The JavaScript that was instrumented (type-stripped for TypeScript). */
  source: string;
  esm: boolean;
  typescript: boolean;
}

/**
 * What the program still runs where an edit of the saved source was refused. The next patch is
 * compared with it, not with the saved text, so a refusal is reported again on every patch of the
 * file until the source matches what runs (or the change can be applied). `null`: not run at all.
 */
export interface Kept {
  functions: Map<string, FunctionModel | null>;
  classes: Map<string, ClassModel>;
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

/** Everything hotframe keeps about one instrumented module of the running program. */
export interface ModuleRecord {
  file: string;
  url: string;
  esm: boolean;
  typescript: boolean;
  moduleHook: EvalHook;
  /** Newest scope for new code: the module hook, or a scope a patch added on top of it. */
  scopeHook: EvalHook;
  /** Names a patch declared in scopeHook (added functions, classes, new constant values). */
  scopeNames: Set<string>;
  /** Slots declared in a class-scope version (see patcher.ts): where to reach them. */
  slotHooks: Map<number, EvalHook>;
  classHooks: Map<string, { hook: EvalHook; cls: unknown }>;
  hot: HotApi;
  /** `import.meta` (ES module) or `module` (CommonJS). */
  moduleObject: unknown;
  /** The running source and its model (built on the first patch: load stays cheap). */
  source: string;
  model: ModuleModel | undefined;
  ids: Map<string, number>;
  nextId: number;
  /** Slots 1..moduleSlots are variables of the module itself; later ones belong to a patch. */
  moduleSlots: number;
  kept: Kept;
}

/**
 * The agent's state inside the program, reachable from instrumented code as
 * globalThis[Symbol.for("hotframe")] (one non-enumerable property: the program's own globals stay
 * as they were).
 */
export class Registry {
  readonly modules = new Map<string, ModuleRecord>();
  /** Sources seen by the loader, waiting for their module to run (filled on any thread's behalf). */
  readonly loadedSources = new Map<string, LoadedSource>();

  constructor(private readonly onLoaded: (file: string) => void) {}

  install(): void {
    Object.defineProperty(globalThis, Symbol.for("hotframe"), {
      value: this,
      configurable: true,
    });
  }

  /** Called by the preamble of each instrumented module, before its first statement runs. */
  register(file: string, registrar: ClassRegistrar, hook: EvalHook, moduleObject: unknown): HotApi {
    const loaded = this.loadedSources.get(file);
    this.loadedSources.delete(file);
    const hot = new HotApi();
    const record: ModuleRecord = {
      file,
      url: pathToFileURL(file).href,
      esm: loaded?.esm ?? !(moduleObject && typeof moduleObject === "object" && "exports" in moduleObject),
      typescript: loaded?.typescript ?? false,
      moduleHook: hook,
      scopeHook: hook,
      scopeNames: new Set(),
      slotHooks: new Map(),
      classHooks: new Map(),
      hot,
      moduleObject,
      source: loaded?.source ?? "",
      model: undefined,
      ids: new Map(),
      nextId: 1,
      moduleSlots: 0,
      kept: nothingKept(),
    };
    registrar.k = (key, classHook, cls) => record.classHooks.set(key, { hook: classHook, cls });
    this.modules.set(file, record);
    this.onLoaded(file);
    return hot;
  }

  /** The source arrives from the loader thread after the module registered (Node 20 ESM). */
  addSource(file: string, loaded: LoadedSource): void {
    const record = this.modules.get(file);
    if (record && record.source === "") {
      record.source = loaded.source;
      record.typescript = loaded.typescript;
    } else if (!record) this.loadedSources.set(file, loaded);
  }
}

/** Slot ids at load: functions numbered in model order, the same on the loader's side. */
export function loadIds(model: ModuleModel): (fn: { key: string }) => number {
  const ids = new Map(model.functions.map((fn, i) => [fn.key, i + 1]));
  return (fn) => ids.get(fn.key) ?? 0;
}
