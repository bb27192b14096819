import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { tmpdir, userInfo } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * Instrumented modules cached on disk by content, so a second start of a large program does not
 * parse and instrument every file again. The key covers the file's path and text, the module
 * format and the agent's own code (a new hotframe never reads an old entry). Entries live in the
 * system's temporary directory, per user, never next to the program's files. Any failure to read
 * or write the cache just means instrumenting again.
 */

export interface CachedModule {
  code: string;
  /** The JavaScript that was instrumented (type-stripped for TypeScript). */
  source: string;
}

const directory = join(tmpdir(), `hotframe-${safeUser()}`, "node-modules-cache");
let agentVersion: string | undefined;

function safeUser(): string {
  try {
    return userInfo().username.replace(/[^\w.-]/g, "_");
  } catch {
    return "user";
  }
}

/** A hash of the agent's compiled files: the instrumentation is a function of them. */
function version(): string {
  if (agentVersion === undefined) {
    const here = dirname(fileURLToPath(import.meta.url));
    const hash = createHash("sha256");
    for (const name of readdirSync(here)
      .filter((n) => n.endsWith(".js"))
      .sort()) {
      hash.update(name).update(readFileSync(join(here, name)));
    }
    agentVersion = hash.digest("hex").slice(0, 16);
  }
  return agentVersion;
}

function entry(file: string, text: string, esm: boolean): string {
  const key = createHash("sha256")
    .update(`${version()}\0${esm ? "esm" : "cjs"}\0${file}\0`)
    .update(text)
    .digest("hex");
  return join(directory, `${key}.json`);
}

export function readCache(file: string, text: string, esm: boolean): CachedModule | undefined {
  try {
    const cached = JSON.parse(readFileSync(entry(file, text, esm), "utf8")) as CachedModule;
    return typeof cached.code === "string" && typeof cached.source === "string" ? cached : undefined;
  } catch {
    return undefined;
  }
}

export function writeCache(file: string, text: string, esm: boolean, cached: CachedModule): void {
  try {
    const path = entry(file, text, esm);
    mkdirSync(directory, { recursive: true, mode: 0o700 });
    const temporary = `${path}.${process.pid}.tmp`;
    writeFileSync(temporary, JSON.stringify(cached), { mode: 0o600 });
    renameSync(temporary, path); // atomic: a concurrent start never reads half an entry
  } catch {
    // A read-only or full temporary directory: the next start instruments again.
  }
}
