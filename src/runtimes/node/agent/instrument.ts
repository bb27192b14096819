import { readFileSync, realpathSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, extname, join, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { readCache, writeCache } from "./cache.js";
import type * as ModelModule from "./model.js";
import { loadedParser, loadParser, loadTransform, loadTypeScript } from "./lazy-modules.js";
import { type LoadedSource, loadIds } from "./module-record.js";
import type { AgentState } from "./agent-state.js";
import { EARLY_MARK, newBase, PLACEHOLDER } from "./names.js";
import { type Reason, reason } from "./reasons.js";

/** The agent's own folder: its modules load lazily, after the hooks, and are never the user's. */
const AGENT_DIR = dirname(fileURLToPath(import.meta.url)) + sep;

/** Which files are the user's: under the watched root, not a dependency unless asked. */
export interface Scope {
  root: string;
  deps: boolean;
}

const EXTENSIONS = new Set([".js", ".cjs", ".mjs", ".ts", ".cts", ".mts"]);

/** File extensions of TypeScript sources. */
export function isTypeScript(file: string): boolean {
  return /\.[cm]?ts$/.test(file) && !file.endsWith(".d.ts");
}

export function inScope(scope: Scope, file: string): boolean {
  if (!EXTENSIONS.has(extname(file)) || file.endsWith(".d.ts") || file.startsWith(AGENT_DIR)) return false;
  return inRoot(scope, file);
}

/** A JSON file of the user's (under the root, not a dependency's unless asked). */
export function isUserJson(scope: Scope, file: string): boolean {
  return extname(file) === ".json" && inRoot(scope, file);
}

function inRoot(scope: Scope, file: string): boolean {
  const root = scope.root.endsWith(sep) ? scope.root : scope.root + sep;
  if (!file.startsWith(root)) return false;
  return scope.deps || !file.includes(`${sep}node_modules${sep}`, root.length - 1);
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
  /** The format it runs in (decided here when the caller left it to the syntax). */
  esm: boolean;
  loaded: LoadedSource | undefined;
  /** Why the file runs unpatchable: said when it loads, and the answer to every save of it. */
  warning?: Reason;
}

/**
 * The code Node runs for a user module: types stripped (positions kept), every function
 * instrumented. `esm` undefined: the format is decided by syntax, as Node does for a .js file
 * without a package "type" (CommonJS unless only an ES module parses). A JavaScript module that
 * does not parse is handed to Node unchanged, so the program fails exactly as it would without
 * hotframe; TypeScript that does not parse throws the SyntaxError Node would (see typescript.ts).
 */
export function instrumentSource(file: string, source: string, esm: boolean | undefined): Instrumented {
  const typescript = isTypeScript(file);
  const formats = esm !== undefined ? [esm] : typescript ? [typeScriptIsEsm(file)] : [false, true];
  for (const format of formats) {
    const cached = readCache(file, source, format);
    if (cached)
      return {
        code: forLoad(cached.code),
        esm: format,
        loaded: loadedSource(cached.source, format, typescript, source),
      };
  }
  const fallback = formats[0] as boolean;
  let js = source;
  if (typescript) {
    const { stripping, config } = loadTypeScript();
    try {
      js = stripping.stripTypes(source, config.decoratorOptions(file));
    } catch (error) {
      if (error instanceof loadParser().ParseError) throw syntaxError(file, source, error);
      const warning =
        error instanceof stripping.TypeScriptError
          ? reason("typescript-transpiled", error.message)
          : unexpected(error);
      return { code: transpile(source, file, fallback), esm: fallback, loaded: undefined, warning };
    }
  }
  try {
    const model = parseAs(loadParser(), js, formats);
    const code = loadTransform().instrumentModule(model, file, loadIds(model));
    writeCache(file, source, model.esm, { code, source: js });
    return { code: forLoad(code), esm: model.esm, loaded: loadedSource(js, model.esm, typescript, source) };
  } catch (error) {
    const parser = loadedParser();
    if (parser && error instanceof parser.ParseError) return { code: js, esm: fallback, loaded: undefined };
    return { code: js, esm: fallback, loaded: undefined, warning: unexpected(error) };
  }
}

/**
 * The instrumented text for one load: its slots get a base of their own (names.ts). The slots
 * that may be read before the preamble runs (transform.ts `earlySlots`) are defined now in the
 * program's thread; on Node 20's loader thread, where the program's globals are out of reach,
 * they become `var`s of the module.
 */
export function forLoad(code: string): string {
  const state = (globalThis as { [key: symbol]: AgentState | undefined })[Symbol.for("hotframe")];
  const text = code.replaceAll(PLACEHOLDER, newBase(state !== undefined));
  const mark = text.lastIndexOf(EARLY_MARK);
  if (mark < 0 || text.indexOf("\n", mark) >= 0) return text;
  const early = text.slice(mark + EARLY_MARK.length, -2);
  // (after the counters' `var`: every function has a counter)
  if (!state) return `${text.slice(0, mark - 1)},${early};`;
  state.defineSlots(early.split(","));
  return text;
}

function loadedSource(js: string, esm: boolean, typescript: boolean, source: string): LoadedSource {
  return typescript ? { source: js, esm, typescript, typed: source } : { source: js, esm, typescript };
}

/** The model in the first of `formats` the source parses in (the first one's error if none). */
function parseAs(models: typeof ModelModule, js: string, formats: boolean[]): ModelModule.ModuleModel {
  let first: unknown;
  for (const esm of formats) {
    try {
      return models.buildModel(js, esm);
    } catch (error) {
      if (!(error instanceof models.ParseError)) throw error;
      first ??= error;
    }
  }
  throw first;
}

/**
 * The error Node throws for a file that does not parse: the program fails to start as it would
 * without hotframe, with the file, line and column and none of hotframe's frames.
 */
function syntaxError(file: string, source: string, error: ModelModule.ParseError): SyntaxError {
  const line = source.split("\n")[error.line - 1] ?? "";
  const failure = new SyntaxError(error.message);
  // Laid out as Node prints a syntax error; the one frame is the error's position.
  const caret = `${" ".repeat(Math.max(0, error.column - 1))}^`;
  failure.stack = `${file}:${error.line}\n${line}\n${caret}\n\n${failure}\n    at ${file}:${error.line}:${error.column}`;
  return failure;
}

/** A bug of hotframe must not stop the program: the file runs as it is, unpatchable. */
function unexpected(error: unknown): Reason {
  return reason("not-instrumented", String((error as Error)?.message ?? error));
}

/** Fallback for TypeScript that is not rewritten in place (typescript.ts): positions may move. */
function transpile(source: string, file: string, esm: boolean): string {
  const ts = createRequire(import.meta.url)("typescript") as typeof import("typescript");
  const decorators = loadTypeScript().config.decoratorOptions(file);
  return ts.transpileModule(source, {
    fileName: file,
    compilerOptions: {
      target: ts.ScriptTarget.ES2022,
      module: esm ? ts.ModuleKind.ESNext : ts.ModuleKind.CommonJS,
      experimentalDecorators: decorators.legacy,
      emitDecoratorMetadata: decorators.metadata,
      inlineSourceMap: true,
    },
  }).outputText;
}
