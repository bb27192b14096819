import { extname } from "node:path";
import { nodeController } from "./node/controller.js";
import { pythonController } from "./python/controller.js";
import type { ProgramEntry, RuntimeController } from "./runtime.js";

/** Every runtime hotframe runs, in the order the usage text lists them: a new runtime is one line here. */
export const RUNTIMES: readonly RuntimeController[] = [pythonController, nodeController];

/** The runtime that runs `entry`: by the file's extension, or the one that runs modules by name. */
export function controllerFor(
  entry: ProgramEntry,
  runtimes: readonly RuntimeController[] = RUNTIMES,
): RuntimeController | undefined {
  if (entry.kind === "module") return runtimes.find((r) => r.entryKinds.includes("module"));
  const extension = extname(entry.path);
  return runtimes.find((r) => r.entryKinds.includes("file") && r.sourceExtensions.includes(extension));
}
