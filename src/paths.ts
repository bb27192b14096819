import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The installed package's root folder: this file is compiled to <root>/dist/src/paths.js. */
const PACKAGE_ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** A path inside the installed hotframe package (agents, examples). */
export function packagePath(...parts: string[]): string {
  return join(PACKAGE_ROOT, ...parts);
}
