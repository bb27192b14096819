import { HotApi } from "./hot-api.js";
import { type LoadedSource, ModuleRecord, type ScopeEvaluator } from "./module-record.js";
import type { Reason } from "./reasons.js";

/** A hoisted function of the module on which its classes' static blocks register their evaluators. */
export type ClassRegistrar = ((...args: unknown[]) => unknown) & {
  k?: (key: string, evaluator: ScopeEvaluator, cls: unknown) => void;
  /** `Reflect.construct`, for the construction prologues (transform.ts). */
  c?: typeof Reflect.construct;
};

/**
 * The agent's state inside the program, reachable from instrumented code as
 * globalThis[Symbol.for("hotframe")] (one non-enumerable property: the program's own globals stay
 * as they were).
 */
export class AgentState {
  readonly modules = new Map<string, ModuleRecord>();
  /** Sources seen by the loader, waiting for their module to run (filled on any thread's behalf). */
  readonly loadedSources = new Map<string, LoadedSource>();
  /** Files the program loaded that cannot be patched, and why (the answer to each save of one). */
  readonly unpatchable = new Map<string, Reason>();
  /** Run once, before the first instrumented module's first statement (the debugger's stop at entry). */
  beforeFirstModule: (() => void) | undefined;

  constructor(private readonly onLoaded: (file: string) => void) {}

  install(): void {
    Object.defineProperty(globalThis, Symbol.for("hotframe"), {
      value: this,
      configurable: true,
    });
  }

  /** Called by the preamble of each instrumented module, before its first statement runs. */
  register(
    file: string,
    registrar: ClassRegistrar,
    evaluator: ScopeEvaluator,
    moduleObject: unknown,
  ): HotApi {
    const loaded = this.loadedSources.get(file);
    this.loadedSources.delete(file);
    const hot = new HotApi();
    const esm =
      loaded?.esm ?? !(moduleObject && typeof moduleObject === "object" && "exports" in moduleObject);
    const record = new ModuleRecord(file, esm, loaded, evaluator, hot, moduleObject);
    registrar.k = (key, classEvaluator, cls) => record.registerClass(key, classEvaluator, cls);
    registrar.c = Reflect.construct;
    this.modules.set(file, record);
    this.onLoaded(file);
    const before = this.beforeFirstModule;
    this.beforeFirstModule = undefined;
    before?.();
    return hot;
  }

  /** The source arrives from the loader thread after the module registered (Node 20 ESM). */
  addSource(file: string, loaded: LoadedSource): void {
    const record = this.modules.get(file);
    if (record) record.addSource(loaded);
    else this.loadedSources.set(file, loaded);
  }
}
