/**
 * Types of `import.meta.hot` and `module.hot` under `hotframe run` (docs/node.md). Add them to
 * your tsconfig.json: `"compilerOptions": { "types": ["hotframe/hot"] }` (with "node" next to it
 * for `module.hot`). Both are undefined when the program runs without hotframe, hence `?.`:
 *
 *     import.meta.hot?.accept(() => console.log("patched"));
 */

/** The hot API of one module: hotframe patches functions in place, a module never re-runs whole. */
export interface HotContext {
  /** One object per module for the life of the process: mutate it, never reassign it. */
  readonly data: Record<string, unknown>;
  /**
   * Accept updates of this module's top-level code: changed top-level statements are re-run in
   * the live module scope; `callback(module)` (the namespace, or `module.exports`) runs after
   * each applied patch of the module.
   */
  accept(callback?: (module: unknown) => void): void;
  /** `callback(data)` runs before top-level statements are re-run, to undo what they set up. */
  dispose(callback: (data: Record<string, unknown>) => void): void;
}

declare global {
  interface ImportMeta {
    /** Set in every module hotframe instruments; undefined without hotframe. */
    readonly hot?: HotContext;
  }
  namespace NodeJS {
    interface Module {
      /** Set in every module hotframe instruments; undefined without hotframe. */
      hot?: HotContext;
    }
  }
}
