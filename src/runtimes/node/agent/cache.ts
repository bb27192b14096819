import { mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { privateCacheDir } from "./cache-dir.js";
import { guarded } from "./restart-guard.js";

/**
 * Instrumented modules cached on disk, so a second start of a large program does not parse and
 * instrument every file again. One entry per file path, module format and version of the agent's
 * code; it holds the text it was made from and is used only when that text equals the file's text
 * now (a string comparison: exact, and cheaper than hashing the text). Entries live in
 * the system's temporary directory, per user, never next to the program's files, and only in a
 * folder this user alone owns (an entry becomes code). Any failure to read or write the cache just
 * means instrumenting again.
 */

export interface CachedModule {
  code: string;
  /** The JavaScript that was instrumented (type-stripped for TypeScript). */
  source: string;
}

/**
 * An entry is one line of JSON, the header, followed by the texts it lists, each as its UTF-8
 * bytes: the texts are read without JSON's escaping (parsing a module's text as a JSON string
 * costs more than the rest of a cache hit) and decoded each on its own (no string keeps the whole
 * entry alive).
 */
interface Header {
  agent: string;
  file: string;
  esm: boolean;
  /** Byte lengths of the file's text, of the instrumented code, and of the JavaScript that was
   * instrumented when it differs from the text (TypeScript). */
  text: number;
  code: number;
  source?: number;
}

const here = dirname(fileURLToPath(import.meta.url));
/** Undefined: no cache (the temporary folder's hotframe folder is not this user's alone). */
const directory = privateCacheDir("node-modules-cache");
let agentVersion: string | undefined;
let directoryMade = false;

/**
 * The folders of the agent's code that instrumentation is made of (the transform, the model, the
 * instrumenter and what they import); debugger/ and patch/ run only after a module is loaded.
 */
export const INSTRUMENTATION_FOLDERS = ["", "model/"];

/**
 * The agent's compiled files in those folders by name, size and modification time, hashed: the
 * instrumentation is a function of them (a rebuild or another installed version changes them),
 * and a stat is cheaper than reading and hashing them on every start (a recursive listing of the
 * whole agent cost 10-30 ms on Node 20). The package version covers npm's fixed mtimes.
 */
function version(): string {
  if (agentVersion === undefined) {
    let pkg = "";
    try {
      pkg = String(
        JSON.parse(readFileSync(join(here, "..", "..", "..", "..", "..", "package.json"), "utf8")).version,
      );
    } catch {
      // Not inside the package layout: the files alone decide.
    }
    const files: string[] = [];
    for (const folder of INSTRUMENTATION_FOLDERS)
      for (const name of readdirSync(`${here}/${folder}`).sort()) {
        if (!name.endsWith(".js")) continue;
        const stat = statSync(`${here}/${folder}${name}`);
        files.push(`${folder}${name}:${stat.size}:${stat.mtimeMs}`);
      }
    // `hotframe debug` compiles the restart guard in: its code is kept apart.
    agentVersion = hash(`${pkg} ${files.join(" ")}${guarded ? " guarded" : ""}`);
  }
  return agentVersion;
}

/** 64 bits of two FNV-style hashes: names files, never decides a hit on its own. */
function hash(text: string): string {
  let a = 0x811c9dc5;
  let b = 0x9747b28c;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
  }
  return (a >>> 0).toString(16).padStart(8, "0") + (b >>> 0).toString(16).padStart(8, "0");
}

/**
 * An entry per agent version, file and format (two installed versions of hotframe keep their own
 * entries). The entry names all three: a clash of hashes is a miss.
 */
function entryPath(file: string, esm: boolean): string {
  if (directory === undefined) throw new Error("no private cache folder");
  return join(directory, `${hash(`${version()}\0${file}`)}-${esm ? "esm" : "cjs"}`);
}

export function readCache(file: string, text: string, esm: boolean): CachedModule | undefined {
  let bytes: Buffer;
  let header: Header;
  let at: number;
  try {
    bytes = readFileSync(entryPath(file, esm));
    at = bytes.indexOf(10) + 1;
    header = JSON.parse(bytes.toString("utf8", 0, at)) as Header;
  } catch {
    return undefined;
  }
  if (header.file !== file || header.esm !== esm || header.agent !== version()) return undefined;
  const part = (length: number | undefined) => {
    const value = length === undefined ? undefined : bytes.toString("utf8", at, at + length);
    at += length ?? 0;
    return value;
  };
  if (part(header.text) !== text) return undefined;
  const code = part(header.code);
  const source = part(header.source) ?? text;
  return code !== undefined && at === bytes.length ? { code, source } : undefined;
}

export function writeCache(file: string, text: string, esm: boolean, cached: CachedModule): void {
  try {
    const path = entryPath(file, esm);
    if (!directoryMade) mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    directoryMade = true;
    const source = cached.source === text ? undefined : cached.source;
    const header: Header = {
      agent: version(),
      file,
      esm,
      text: Buffer.byteLength(text),
      code: Buffer.byteLength(cached.code),
    };
    if (source !== undefined) header.source = Buffer.byteLength(source);
    const temporary = `${path}.${process.pid}.tmp`;
    writeFileSync(temporary, `${JSON.stringify(header)}\n${text}${cached.code}${source ?? ""}`, {
      mode: 0o600,
    });
    renameSync(temporary, path); // atomic: a concurrent start never reads half an entry
  } catch {
    // A read-only or full temporary directory: the next start instruments again.
  }
}
