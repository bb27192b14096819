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

/** Why `what` (`hotframe debug`, `--attachable`, a DAP launch) cannot debug `controller`'s
 * programs, or undefined when its debugger is there. The one wording every front end uses. */
export function missingDebugger(
  controller: RuntimeController,
  what: string,
  runtimes: readonly RuntimeController[],
): string | undefined {
  if (controller.debugs) return undefined;
  const debuggable = runtimes.filter((r) => r.debugs).map((r) => r.name);
  const others = debuggable.length > 0 ? ` (${what} works with ${debuggable.join(", ")} programs)` : "";
  return `${what} needs the ${controller.name} debugger, which is not done yet${others}`;
}
