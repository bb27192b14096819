import { existsSync } from "node:fs";
import type { LaunchSpec } from "../agent-process.js";
import { LaunchError, type ProgramSpec, type RuntimeController } from "../runtime.js";

/** The agent, compiled next to this file: dist/src/runtimes/node/agent/preload.js. */
const preload = new URL("./agent/preload.js", import.meta.url);

/**
 * The Node runtime: runs the program with the agent preloaded by `--import` (ES module hooks and
 * the CommonJS hook are installed before the entry point loads). Options given with
 * --node-options come first, as they would on a node command line.
 */
export const nodeController: RuntimeController = {
  name: "node",
  sourceExtensions: [".js", ".cjs", ".mjs", ".ts", ".cts", ".mts"],
  async launch(program: ProgramSpec): Promise<LaunchSpec> {
    if (program.entry.kind !== "file") {
      throw new LaunchError(
        "the Node runtime runs a file (hotframe run app.js); module names are for Python",
      );
    }
    if (!existsSync(program.entry.path)) throw new LaunchError(`no such file: ${program.entry.path}`);
    return {
      command: program.runtimeBinary ?? process.execPath,
      args: [...program.runtimeOptions, "--import", preload.href, program.entry.path, ...program.args],
      env: {},
      cwd: program.cwd,
      root: program.root,
      instrumentDeps: program.instrumentDeps,
    };
  },
};
