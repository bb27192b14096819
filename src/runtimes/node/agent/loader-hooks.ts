import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { MessagePort } from "node:worker_threads";
import {
  type Instrumented,
  inScope,
  instrumentSource,
  realpath,
  type Scope,
  typeScriptIsEsm,
} from "./instrument.js";
import { isTypeScript } from "./typescript.js";

/**
 * Module loader hooks. Two flavours over the same logic:
 * - synchronous, in the program's thread, for module.registerHooks (Node ≥ 22.15): ES modules and
 *   CommonJS both pass through `load`;
 * - asynchronous, on Node's loader thread, for module.register (Node 20): ES modules only
 *   (CommonJS is instrumented by the Module.prototype._compile hook in preload.ts); what the
 *   thread learned goes to the program's thread over a MessagePort.
 */

export type LoadedReport = (file: string, result: Instrumented) => void;

interface LoadResult {
  format?: string | null;
  source?: string | ArrayBuffer | NodeJS.TypedArray | null;
  shortCircuit?: boolean;
}
interface ResolveResult {
  url: string;
  format?: string | null;
  shortCircuit?: boolean;
}
type Context = {
  format?: string | null;
  parentURL?: string;
  conditions?: string[];
  importAttributes?: Record<string, string>;
};

/** `./x.js` written in TypeScript sources (NodeNext style) names `./x.ts`. */
function typeScriptAlternative(specifier: string, parentURL: string | undefined): string | undefined {
  if (!parentURL?.startsWith("file:") || !/^(\.\.?\/|file:)/.test(specifier)) return undefined;
  const match = specifier.match(/\.([mc]?)js$/);
  return match ? `${specifier.slice(0, -match[0].length)}.${match[1]}ts` : undefined;
}

function isNotFound(error: unknown): boolean {
  return (error as { code?: string })?.code === "ERR_MODULE_NOT_FOUND";
}

function userFile(scope: Scope, url: string): string | undefined {
  if (!url.startsWith("file:")) return undefined;
  const file = realpath(fileURLToPath(url));
  return inScope(scope, file) ? file : undefined;
}

function text(source: LoadResult["source"], file: string): string {
  if (source === null || source === undefined) return readFileSync(file, "utf8");
  return typeof source === "string" ? source : Buffer.from(source as ArrayBuffer).toString("utf8");
}

/** Instrument a user module given Node's own load result (or none, for TypeScript). */
function instrumented(
  file: string,
  base: LoadResult | undefined,
  cjs: boolean,
  report: LoadedReport,
): LoadResult | undefined {
  const esm = base ? base.format === "module" : typeScriptIsEsm(file);
  if (base && base.format !== "module" && base.format !== "commonjs") return undefined;
  if (!esm && !cjs) return undefined;
  const result = instrumentSource(file, text(base?.source, file), esm);
  report(file, result);
  return {
    format: esm ? "module" : "commonjs",
    source: result.code,
    shortCircuit: true,
  };
}

export function syncHooks(scope: Scope, report: LoadedReport) {
  return {
    resolve(
      specifier: string,
      context: Context,
      next: (s: string, c?: Context) => ResolveResult,
    ): ResolveResult {
      try {
        return next(specifier, context);
      } catch (error) {
        const alternative = isNotFound(error)
          ? typeScriptAlternative(specifier, context.parentURL)
          : undefined;
        if (!alternative) throw error;
        return next(alternative, context);
      }
    },
    load(url: string, context: Context, next: (u: string, c?: Context) => LoadResult): LoadResult {
      const file = userFile(scope, url);
      if (!file) return next(url, context);
      const base = isTypeScript(file) ? undefined : next(url, context);
      return instrumented(file, base, true, report) ?? (base as LoadResult);
    },
  };
}

// The asynchronous flavour: module.register loads this module on the loader thread.
let threadScope: Scope = { root: "/nonexistent", deps: false };
let threadPort: MessagePort | undefined;

export function initialize(data: { scope: Scope; port: MessagePort }): void {
  threadScope = data.scope;
  threadPort = data.port;
}

export async function resolve(
  specifier: string,
  context: Context,
  next: (s: string, c?: Context) => Promise<ResolveResult>,
): Promise<ResolveResult> {
  try {
    return await next(specifier, context);
  } catch (error) {
    const alternative = isNotFound(error) ? typeScriptAlternative(specifier, context.parentURL) : undefined;
    if (!alternative) throw error;
    return next(alternative, context);
  }
}

export async function load(
  url: string,
  context: Context,
  next: (u: string, c?: Context) => Promise<LoadResult>,
): Promise<LoadResult> {
  const file = userFile(threadScope, url);
  if (!file) return next(url, context);
  if (isTypeScript(file) && !typeScriptIsEsm(file))
    return { format: "commonjs", source: null, shortCircuit: true };
  const base = isTypeScript(file) ? undefined : await next(url, context);
  const report: LoadedReport = (f, result) =>
    threadPort?.postMessage({
      file: f,
      loaded: result.loaded,
      warning: result.warning,
    });
  return instrumented(file, base, false, report) ?? (base as LoadResult);
}
