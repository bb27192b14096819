import { mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { tmpdir, userInfo } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * Instrumented modules cached on disk, so a second start of a large program does not parse and
 * instrument every file again. One entry per file path, module format and version of the agent's
 * code; it holds the text it was made from and is used only when that text equals the file's text
 * now (a string comparison: exact, and cheaper than hashing the text). Entries live in
 * the system's temporary directory, per user, never next to the program's files. Any failure to
 * read or write the cache just means instrumenting again.
 */

export interface CachedModule {
  code: string;
  /** The JavaScript that was instrumented (type-stripped for TypeScript). */
  source: string;
}

interface Entry {
  agent: string;
  file: string;
  esm: boolean;
  text: string;
  code: string;
  /** Only when it differs from `text` (TypeScript). */
  source?: string;
}

const here = dirname(fileURLToPath(import.meta.url));
const directory = join(tmpdir(), `hotframe-${safeUser()}`, "node-modules-cache");
let agentVersion: string | undefined;
let directoryMade = false;

function safeUser(): string {
  try {
    return userInfo().username.replace(/[^\w.-]/g, "_");
  } catch {
    return "user";
  }
}

/**
 * The agent's compiled files by name, size and modification time, hashed: the instrumentation is
 * a function of them (a rebuild or another installed version changes them), and a stat is cheaper
 * than reading and hashing them on every start. The package version covers npm's fixed mtimes.
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
    const files = readdirSync(here)
      .filter((n) => n.endsWith(".js"))
      .sort()
      .map((n) => {
        const stat = statSync(join(here, n));
        return `${n}:${stat.size}:${stat.mtimeMs}`;
      });
    agentVersion = hash(`${pkg} ${files.join(" ")}`);
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
  return join(directory, `${hash(`${version()}\0${file}`)}-${esm ? "esm" : "cjs"}.json`);
}

export function readCache(file: string, text: string, esm: boolean): CachedModule | undefined {
  let entry: Entry;
  try {
    entry = JSON.parse(readFileSync(entryPath(file, esm), "utf8")) as Entry;
  } catch {
    return undefined;
  }
  if (entry.text !== text || entry.file !== file || entry.esm !== esm || entry.agent !== version())
    return undefined;
  return typeof entry.code === "string" ? { code: entry.code, source: entry.source ?? text } : undefined;
}

export function writeCache(file: string, text: string, esm: boolean, cached: CachedModule): void {
  try {
    if (!directoryMade) mkdirSync(directory, { recursive: true, mode: 0o700 });
    directoryMade = true;
    const path = entryPath(file, esm);
    const entry: Entry = { agent: version(), file, esm, text, code: cached.code };
    if (cached.source !== text) entry.source = cached.source;
    const temporary = `${path}.${process.pid}.tmp`;
    writeFileSync(temporary, JSON.stringify(entry), { mode: 0o600 });
    renameSync(temporary, path); // atomic: a concurrent start never reads half an entry
  } catch {
    // A read-only or full temporary directory: the next start instruments again.
  }
}
