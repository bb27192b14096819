/** Work folders for benchmark programs (bench/.work, git-ignored) and the fixtures copied into them. */
import { cpSync, type Dirent, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { REPO } from "./process.js";

export const FIXTURES = join(REPO, "bench", "fixtures");
export const WORK = join(REPO, "bench", ".work");

/** A fresh, empty folder bench/.work/<name>. */
export function freshDir(name: string): string {
  const dir = join(WORK, name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Copies bench/fixtures/<from> to <dir>/<to> (tsc does not copy them to dist: read the repo's). */
export function copyFixture(from: string, dir: string, to = from.slice(from.lastIndexOf("/") + 1)): string {
  const target = join(dir, to);
  mkdirSync(dirname(target), { recursive: true });
  cpSync(join(FIXTURES, from), target);
  return target;
}

export function writeFile(dir: string, name: string, text: string): string {
  const path = join(dir, name);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
  return path;
}

/** Removes caches a cold start must not find (bytecode, hotframe's transform cache). */
export function clearCaches(dir: string, names = ["__pycache__", ".hotframe-cache"]): void {
  const walk = (d: string) => {
    for (const entry of readdirSafe(d)) {
      const path = join(d, entry.name);
      if (!entry.isDirectory()) continue;
      if (names.includes(entry.name)) rmSync(path, { recursive: true, force: true });
      else walk(path);
    }
  };
  walk(dir);
}

function readdirSafe(dir: string): Dirent[] {
  try {
    return readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
}
