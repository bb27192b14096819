import Module from "node:module";
import { privateCacheDir } from "./cache-dir.js";

/**
 * V8's code cache for what the program's thread compiles (Node 22.1+, module.enableCompileCache):
 * the agent's own modules and the instrumented user modules (the source the loader hooks return,
 * which costs V8 about three times the original's compile time). Node keys each entry by file name
 * and a hash of the text compiled, so a changed file or a changed instrumentation compiles afresh.
 * The cache lives in hotframe's cache folder and never in the program's environment: the program
 * and its children see no NODE_COMPILE_CACHE. A program started with NODE_COMPILE_CACHE or
 * NODE_DISABLE_COMPILE_CACHE keeps its choice (Node applied it before the agent ran).
 */
const moduleApi = Module as unknown as {
  enableCompileCache?: (directory: string) => unknown;
  flushCompileCache?: () => void;
};

/** How often to look whether the program loaded more modules since the last look. */
const SETTLE_CHECK_MS = 500;

export function enableCompileCache(): void {
  if (typeof moduleApi.enableCompileCache !== "function") return;
  const directory = privateCacheDir("v8-compile-cache");
  try {
    if (directory) moduleApi.enableCompileCache(directory);
  } catch {
    // Node could not use the folder: the program compiles as it would without hotframe.
  }
}

/**
 * Node writes the cache when the program exits, which a program under hotframe seldom does on its
 * own (it is stopped by a signal): written also once the program's loading settles (no module
 * loaded since the last look), and again each time later loads settle. `loaded` counts the
 * modules loaded so far.
 */
export function flushWhenSettled(loaded: () => number): void {
  const flush = moduleApi.flushCompileCache;
  if (typeof flush !== "function") return;
  let seen = -1;
  let flushed = 0;
  const check = () => {
    const count = loaded();
    if (count === seen && count !== flushed) {
      flush();
      flushed = count;
    }
    seen = count;
    setTimeout(check, SETTLE_CHECK_MS).unref();
  };
  setTimeout(check, SETTLE_CHECK_MS).unref();
}
