import { HotApi } from "./hot-api.js";
import { type LoadedSource, ModuleRecord, type ScopeEvaluator } from "./module-record.js";
import { slotName } from "./names.js";
import type { Reason } from "./reasons.js";

/**
 * Slots are properties of globalThis (transform.ts), each empty until a patch sets it: writable,
 * not enumerable (no program's listing of globalThis, for-in, JSON or structuredClone sees them),
 * not configurable (TurboFan then embeds the value with a code dependency instead of loading it).
 * Defined once: an early slot (instrument.ts) is defined again by the preamble.
 */
export function defineSlots(names: readonly string[]): void {
  for (const name of names)
    if (!Object.hasOwn(globalThis, name))
      Object.defineProperty(globalThis, name, { value: undefined, writable: true });
}

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

  /**
   * Called by the preamble of each instrumented module, before its first statement runs; defines
   * the module's slots (`functions` of them, named from `base`, and the classes' `classSlots`).
   */
  register(
    file: string,
    registrar: ClassRegistrar,
    evaluator: ScopeEvaluator,
    moduleObject: unknown,
    base: string,
    functions: number,
    classSlots: string[],
  ): HotApi {
    const loaded = this.loadedSources.get(file);
    this.loadedSources.delete(file);
    defineSlots(Array.from({ length: functions }, (_, i) => slotName(base, i + 1)));
    defineSlots(classSlots);
    const hot = new HotApi();
    const esm =
      loaded?.esm ?? !(moduleObject && typeof moduleObject === "object" && "exports" in moduleObject);
    const record = new ModuleRecord(file, esm, loaded, evaluator, hot, moduleObject, base);
    registrar.k = (key, classEvaluator, cls) => record.registerClass(key, classEvaluator, cls);
    registrar.c = Reflect.construct;
    this.modules.set(file, record);
    this.onLoaded(file);
    const before = this.beforeFirstModule;
    this.beforeFirstModule = undefined;
    before?.();
    return hot;
  }

  /** Slots that must exist before their module's preamble runs (instrument.ts `forLoad`). */
  defineSlots(names: string[]): void {
    defineSlots(names);
  }

  /** The source arrives from the loader thread after the module registered (Node 20 ESM). */
  addSource(file: string, loaded: LoadedSource): void {
    const record = this.modules.get(file);
    if (record) record.addSource(loaded);
    else this.loadedSources.set(file, loaded);
  }
}
