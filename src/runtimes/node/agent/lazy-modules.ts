import { createRequire } from "node:module";
import type * as ModelModule from "./model.js";
import type * as PatchModule from "./patch.js";
import type * as TransformModule from "./transform.js";
import type * as TypeScriptModule from "./typescript.js";
import type * as TypeScriptConfigModule from "./typescript-config.js";

const requireHere = createRequire(import.meta.url);

/**
 * The parser (acorn: the largest part of the agent), the transform and type stripping load when
 * first needed (the first file that is not in the cache, or the first patch): a start with every
 * module cached never loads them. That needs require() of an ES module (Node 20.19+, 22.12+); older versions load them
 * with the agent.
 */
let parser: typeof ModelModule | undefined;
let transform: typeof TransformModule | undefined;
let typescript: { stripping: typeof TypeScriptModule; config: typeof TypeScriptConfigModule } | undefined;
if (!(process.features as { require_module?: boolean }).require_module) {
  parser = await import("./model.js");
  transform = await import("./transform.js");
  typescript = { stripping: await import("./typescript.js"), config: await import("./typescript-config.js") };
}

export function loadParser(): typeof ModelModule {
  parser ??= requireHere("./model.js") as typeof ModelModule;
  return parser;
}

/**
 * Type stripping (typescript.ts, with the rewrites it imports) and the decorator options of
 * tsconfig.json, for the first TypeScript file that is not in the cache: a program of JavaScript
 * never loads them.
 */
export function loadTypeScript(): NonNullable<typeof typescript> {
  typescript ??= {
    stripping: requireHere("./typescript.js") as typeof TypeScriptModule,
    config: requireHere("./typescript-config.js") as typeof TypeScriptConfigModule,
  };
  return typescript;
}

export function loadTransform(): typeof TransformModule {
  transform ??= requireHere("./transform.js") as typeof TransformModule;
  return transform;
}

let patcher: typeof PatchModule | undefined;

/**
 * The patcher (patch.js and what it imports). The parser and the transform are required first,
 * at once: an import() of the patcher still under way when the program loads a CommonJS module
 * (whose instrumenting requires the parser) made that require() fail on Node 20 ("not yet fully
 * loaded"), and the module ran unpatchable.
 */
export async function loadPatcher(): Promise<typeof PatchModule> {
  loadParser();
  loadTransform();
  patcher ??= await import("./patch.js");
  return patcher;
}

/**
 * The patcher if it is loaded already (by the idle-time preparation, or a patch before): a patch
 * then runs without an import() of it, which waits for a few turns of the event loop (on Node 20,
 * for the loader hooks' thread too: 1-4 ms on the first save).
 */
export function loadedPatcher(): typeof PatchModule | undefined {
  return patcher;
}

/** The parser if it is loaded already (nothing is loaded to answer). */
export function loadedParser(): typeof ModelModule | undefined {
  return parser;
}
