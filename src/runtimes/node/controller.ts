import type { LaunchSpec } from "../agent-process.js";
import type { ProgramEntry, ProgramSpec, RuntimeController } from "../runtime.js";

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
  dataExtensions: [".json"],
  rootMarkers: ["package.json", ".git"],
  entryKinds: ["file"],
  binaryOption: { flag: "--node", value: "<path>", help: "node binary (default: the node running hotframe)" },
  runtimeOptions: {
    flag: "--node-options",
    value: "<opts>",
    help: 'options for node itself, e.g. --node-options "--max-old-space-size=4096"',
  },
  debugs: true,
  async launch(program: ProgramSpec): Promise<LaunchSpec> {
    // The CLI hands a controller only the entry kinds it declares: here always a file.
    const entry = (program.entry as Extract<ProgramEntry, { kind: "file" }>).path;
    return {
      command: program.runtimeBinary ?? process.execPath,
      args: [...program.runtimeOptions, "--import", preload.href, entry, ...program.args],
      env: {},
      cwd: program.cwd,
      root: program.root,
      instrumentDeps: program.instrumentDeps,
    };
  },
};
