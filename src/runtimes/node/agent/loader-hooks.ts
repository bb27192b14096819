import { readFileSync } from "node:fs";
import Module from "node:module";
import { fileURLToPath } from "node:url";
import type { MessagePort } from "node:worker_threads";
import {
  type Instrumented,
  inScope,
  instrumentSource,
  isTypeScript,
  isUserJson,
  realpath,
  type Scope,
  typeScriptIsEsm,
} from "./instrument.js";
import { compileGuards } from "./restart-guard.js";

/**
 * Module loader hooks: every user module is instrumented on its way from Node's loaders to the
 * compiler, as the loader decided its format.
 * - Node 22.15+: module.registerHooks, synchronous, in the program's thread; its `load` sees both
 *   what is imported (the ES module loader) and what is required (the CommonJS loader: CommonJS,
 *   and ES modules loaded with require()). A required .js file in a package without "type" comes
 *   with no format: its syntax decides, as it does in Node.
 * - Node 20: module.register, asynchronous, on Node's loader thread, for what is imported (what
 *   the thread learned goes to the program's thread over a MessagePort); what is required is
 *   instrumented where the CommonJS loader compiles it, Module.prototype._compile.
 * CommonJS that is imported (the entry point, run through the ES module loader because of
 * --import, or `import "./x.cjs"`): Node 24+ runs the source a hook returns with its CommonJS
 * loader. Node 22 would run it with an emulated require() that resolves with import conditions (a
 * "module-sync" package then fails to link: ERR_VM_MODULE_LINK_FAILURE), so there it is handed
 * back to the CommonJS loader without source and instrumented in Module.prototype._compile.
 */

/** Does Node run CommonJS source from a load hook of the ES module loader with its own require()? */
export const IMPORTED_COMMONJS_SOURCE = Number(process.versions.node.split(".")[0]) >= 24;

/** What the hooks tell the agent about the user's files the program loads. */
export interface LoadedReport {
  instrumented(file: string, result: Instrumented): void;
  /** A JSON file the program read (required or imported): data, read once, never patched. */
  json(file: string): void;
}

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

/** Reports a user's JSON file the loader read (`import c from "./c.json" with { type: "json" }`). */
function reportJson(scope: Scope, url: string, result: LoadResult, report: LoadedReport): void {
  if (result.format !== "json" || !url.startsWith("file:")) return;
  const file = realpath(fileURLToPath(url));
  if (isUserJson(scope, file)) report.json(file);
}

function isNotFound(error: unknown): boolean {
  return (error as { code?: string })?.code === "ERR_MODULE_NOT_FOUND";
}

/**
 * Node names the modules it loads by their real paths, as the agent does, unless told to keep
 * symlinks: only then is each file's real path looked up here (a system call per module).
 */
const KEEPS_SYMLINKS =
  process.env.NODE_PRESERVE_SYMLINKS === "1" ||
  [...process.execArgv, ...(process.env.NODE_OPTIONS ?? "").split(/\s+/)].some((option) =>
    option.startsWith("--preserve-symlinks"),
  );
const loadedFile = (path: string) => (KEEPS_SYMLINKS ? realpath(path) : path);

function userFile(scope: Scope, url: string): string | undefined {
  if (!url.startsWith("file:")) return undefined;
  const file = loadedFile(fileURLToPath(url));
  return inScope(scope, file) ? file : undefined;
}

function text(source: LoadResult["source"], file: string): string {
  if (source === null || source === undefined) return readFileSync(file, "utf8");
  return typeof source === "string" ? source : Buffer.from(source as ArrayBuffer).toString("utf8");
}

/**
 * Node's own load of a user's ES module whose format resolution decided, done here: it reads
 * the file and checks import attributes, which pass when there are none. Reading it
 * synchronously spares Node 20's loader thread four asynchronous file operations per module
 * while the program's thread waits for each; undefined: Node's load decides (format by syntax,
 * attributes to check, CommonJS).
 */
function readModule(file: string, context: Context): LoadResult | undefined {
  if (context.format !== "module" || Object.keys(context.importAttributes ?? {}).length > 0) return undefined;
  return { format: "module", source: readFileSync(file, "utf8") };
}

/** A module's format from Node's name for it; undefined: decided by syntax (for TypeScript, by
 * package "type" first: see typeScriptIsEsm). */
function isEsm(format: string | null | undefined): boolean | undefined {
  if (format === "module" || format === "module-typescript") return true;
  if (format === "commonjs" || format === "commonjs-typescript") return false;
  return undefined;
}

/**
 * Instrument a user module given Node's own load result (none for TypeScript, which is stripped
 * here). A module that does not parse is left to Node: its decision, its error.
 */
function instrumented(
  file: string,
  base: LoadResult | undefined,
  esm: boolean | undefined,
  report: LoadedReport,
): LoadResult {
  const result = instrumentSource(file, text(base?.source, file), esm);
  report.instrumented(file, result);
  if (base && !result.loaded) return base;
  return { format: result.esm ? "module" : "commonjs", source: result.code, shortCircuit: true };
}

/** The load result for a module the ES module loader loads; `handBack` takes CommonJS (Node 22). */
function imported(
  file: string,
  base: LoadResult | undefined,
  report: LoadedReport,
  handBack: ((file: string) => void) | undefined,
): LoadResult | undefined {
  const esm = isEsm(base ? base.format : typeScriptIsEsm(file) ? "module" : "commonjs");
  if (esm === undefined) return undefined; // JSON, WebAssembly, …
  if (esm || !handBack) return instrumented(file, base, esm, report);
  handBack(file);
  return { format: "commonjs", source: null, shortCircuit: true };
}

/** `handBack`: where imported CommonJS goes when it must be compiled by compileHook (Node 22). */
export function syncHooks(scope: Scope, report: LoadedReport, handBack?: (file: string) => void) {
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
      if (!file) {
        const result = next(url, context);
        reportJson(scope, url, result, report);
        return result;
      }
      const base = isTypeScript(file) ? undefined : (readModule(file, context) ?? next(url, context));
      if (!context.conditions?.includes("require"))
        return imported(file, base, report, handBack) ?? (base as LoadResult);
      // Required: a format Node left undefined (and TypeScript's) is decided by syntax.
      const esm = isEsm(base?.format);
      return base && esm === undefined && base.format != null ? base : instrumented(file, base, esm, report);
    },
  };
}

type CompileFn = (
  this: unknown,
  content: string,
  filename: string,
  format?: string,
  ...rest: unknown[]
) => unknown;

/**
 * Instrument what the CommonJS loader compiles, for the files `owns` says no load hook did.
 * `format` is what that loader decided: "module" for an ES module loaded with require(), the
 * "-typescript" formats on Node versions that strip types, nothing in a package without "type".
 * (While a module's top-level code runs, this adds one frame to a stack trace.)
 */
export function compileHook(scope: Scope, report: LoadedReport, owns: (file: string) => boolean): void {
  const proto = Module.prototype as unknown as { _compile: CompileFn };
  const compile = proto._compile;
  proto._compile = function _compile(content, filename, format, ...rest) {
    const file = loadedFile(filename);
    if (!inScope(scope, file) || !owns(file)) return compile.call(this, content, filename, format, ...rest);
    const base = isTypeScript(file) ? undefined : { format, source: content };
    const result = instrumented(file, base, isEsm(format), report);
    return compile.call(this, result.source as string, filename, result.format ?? undefined, ...rest);
  };
}

/** JSON the CommonJS loader reads (`require("./config.json")`), where no load hook sees it (Node < 22.15). */
export function jsonHook(scope: Scope, report: LoadedReport): void {
  const extensions = (
    Module as unknown as { _extensions: Record<string, (module: unknown, filename: string) => unknown> }
  )._extensions;
  const readJson = extensions[".json"];
  if (!readJson) return;
  extensions[".json"] = function json(module, filename) {
    const result = readJson.call(this, module, filename);
    const file = realpath(filename);
    if (isUserJson(scope, file)) report.json(file);
    return result;
  };
}

// The asynchronous flavour: module.register loads this module on the loader thread.
let threadScope: Scope = { root: "/nonexistent", deps: false };
let threadPort: MessagePort | undefined;

export function initialize(data: { scope: Scope; port: MessagePort; guarded: boolean }): void {
  if (data.guarded) compileGuards();
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
  const report: LoadedReport = {
    instrumented: (f, result) =>
      threadPort?.postMessage({ file: f, loaded: result.loaded, warning: result.warning }),
    json: (f) => threadPort?.postMessage({ file: f, json: true }),
  };
  const file = userFile(threadScope, url);
  if (!file) {
    const result = await next(url, context);
    reportJson(threadScope, url, result, report);
    return result;
  }
  const base = isTypeScript(file) ? undefined : (readModule(file, context) ?? (await next(url, context)));
  // CommonJS is handed back: compileHook instruments everything the CommonJS loader compiles.
  return imported(file, base, report, () => {}) ?? (base as LoadResult);
}
