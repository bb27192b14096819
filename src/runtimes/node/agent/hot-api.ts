/**
 * `import.meta.hot` / `module.hot`: the conventions of Vite and webpack, with hotframe's meaning.
 * hotframe patches functions in place, so a module is never re-executed as a whole:
 * - `data`: one object per module that lives as long as the process (mutate it, never reassign);
 * - `accept(cb?)`: the module accepts updates of its top-level code: changed top-level statements
 *   are re-run in the live module scope; `cb(module)` runs after each applied patch of the module;
 * - `dispose(cb)`: `cb(data)` runs before top-level statements of the module are re-run, to undo
 *   what they set up (a server, a timer) before they set it up again.
 */
export class HotApi {
  readonly data: Record<string, unknown> = {};
  /** @internal */ accepted = false;
  /** @internal */ readonly acceptCallbacks: ((module: unknown) => void)[] = [];
  /** @internal */ readonly disposeCallbacks: ((data: Record<string, unknown>) => void)[] = [];

  accept(callback?: (module: unknown) => void): void {
    this.accepted = true;
    if (typeof callback === "function") this.acceptCallbacks.push(callback);
  }

  dispose(callback: (data: Record<string, unknown>) => void): void {
    if (typeof callback === "function") this.disposeCallbacks.push(callback);
  }
}
