import { readFileSync, realpathSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, extname, join, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { readCache, writeCache } from "./cache.js";
import type * as ModelModule from "./model.js";
import { type LoadedSource, loadIds } from "./module-record.js";
import { reason } from "./reasons.js";
import { instrumentModule } from "./transform.js";
import { isTypeScript, stripTypes, TypeScriptError } from "./typescript.js";

const requireHere = createRequire(import.meta.url);
/** The agent's own folder: its modules load lazily, after the hooks, and are never the user's. */
const AGENT_DIR = dirname(fileURLToPath(import.meta.url)) + sep;

/**
 * The parser (acorn: the largest part of the agent) loads on the first file that is not in the
 * cache: a start with every module cached never loads it. That needs require() of an ES module
 * (Node 20.19+, 22.12+); older versions load it with the agent.
 */
let parser: typeof ModelModule | undefined = (process.features as { require_module?: boolean }).require_module
  ? undefined
  : await import("./model.js");
function loadParser(): typeof ModelModule {
  parser ??= requireHere("./model.js") as typeof ModelModule;
  return parser;
}

/** Which files are the user's: under the watched root, not a dependency unless asked. */
export interface Scope {
  root: string;
  deps: boolean;
}

const EXTENSIONS = new Set([".js", ".cjs", ".mjs", ".ts", ".cts", ".mts"]);

export function inScope(scope: Scope, file: string): boolean {
  if (!EXTENSIONS.has(extname(file)) || file.endsWith(".d.ts") || file.startsWith(AGENT_DIR)) return false;
  const root = scope.root.endsWith(sep) ? scope.root : scope.root + sep;
  if (!file.startsWith(root)) return false;
  return scope.deps || !file.slice(root.length).split(sep).includes("node_modules");
}

export function realpath(file: string): string {
  try {
    return realpathSync.native(file);
  } catch {
    return file;
  }
}

/**
 * ES module or CommonJS for a TypeScript file, as Node decides it: by extension, then by the
 * nearest package.json "type", and without one by syntax (import/export statements).
 */
export function typeScriptIsEsm(file: string): boolean {
  const ext = extname(file);
  if (ext === ".mts") return true;
  if (ext === ".cts") return false;
  for (let dir = dirname(file); ; dir = dirname(dir)) {
    let type: unknown;
    try {
      type = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")).type;
    } catch {
      if (dirname(dir) === dir) break;
      continue;
    }
    if (type === "module" || type === "commonjs") return type === "module";
    break;
  }
  return /^\s*(import\s*[\w{*"'$]|export\s)/m.test(readFileSync(file, "utf8"));
}

export interface Instrumented {
  code: string;
  loaded: LoadedSource | undefined;
  warning?: string;
}

/**
 * The code Node runs for a user module: types stripped (positions kept), every function
 * instrumented. A module that does not parse is handed to Node unchanged, so the program fails
 * exactly as it would without hotframe.
 */
export function instrumentSource(file: string, source: string, esm: boolean): Instrumented {
  const typescript = isTypeScript(file);
  const cached = readCache(file, source, esm);
  if (cached)
    return {
      code: cached.code,
      loaded: { source: cached.source, esm, typescript },
    };
  let js = source;
  if (typescript) {
    try {
      js = stripTypes(source);
    } catch (error) {
      if (!(error instanceof TypeScriptError)) {
        return {
          code: transpile(source, file, esm),
          loaded: undefined,
          warning: unexpected(error),
        };
      }
      return {
        code: transpile(source, file, esm),
        loaded: undefined,
        warning: reason("typescript-transpiled", error.message).text,
      };
    }
  }
  try {
    const model = loadParser().buildModel(js, esm);
    const code = instrumentModule(model, file, loadIds(model));
    writeCache(file, source, esm, { code, source: js });
    return { code, loaded: { source: js, esm, typescript } };
  } catch (error) {
    if (parser && error instanceof parser.ParseError) return { code: js, loaded: undefined };
    return { code: js, loaded: undefined, warning: unexpected(error) };
  }
}

/** A bug of hotframe must not stop the program: the file runs as it is, unpatchable. */
function unexpected(error: unknown): string {
  return reason("not-instrumented", String((error as Error)?.message ?? error)).text;
}

/** Fallback for TypeScript that needs a real transform (enum, namespace): positions may move. */
function transpile(source: string, file: string, esm: boolean): string {
  const ts = createRequire(import.meta.url)("typescript") as typeof import("typescript");
  return ts.transpileModule(source, {
    fileName: file,
    compilerOptions: {
      target: ts.ScriptTarget.ES2022,
      module: esm ? ts.ModuleKind.ESNext : ts.ModuleKind.CommonJS,
      inlineSourceMap: true,
    },
  }).outputText;
}
