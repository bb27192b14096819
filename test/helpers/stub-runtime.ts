import { join } from "node:path";
import type { LaunchSpec } from "../../src/runtimes/agent-process.js";
import type { ProgramEntry, ProgramSpec, RuntimeController } from "../../src/runtimes/runtime.js";
import { REPO } from "./hotframe.js";

type FileEntry = Extract<ProgramEntry, { kind: "file" }>;

/** The stub runtime's agent: a small real script speaking the protocol (its header says how). */
export const STUB_AGENT = join(REPO, "test", "fixtures", "stub-runtime", "agent.mjs");

/**
 * A third runtime, as small as one can be: what a new folder under src/runtimes/ would export. Its
 * "binary" is a node that runs the stub agent on the program file.
 */
export const stubController: RuntimeController = {
  name: "stub",
  sourceExtensions: [".stub"],
  rootMarkers: ["stub.toml"],
  entryKinds: ["file"],
  binaryOption: { flag: "--stub", value: "<path>", help: "the node that runs the stub agent" },
  runtimeOptions: { flag: "--stub-options", value: "<opts>", help: "options for that node" },
  async launch(program: ProgramSpec): Promise<LaunchSpec> {
    return {
      command: program.runtimeBinary ?? process.execPath,
      args: [...program.runtimeOptions, STUB_AGENT, (program.entry as FileEntry).path, ...program.args],
      env: {},
      cwd: program.cwd,
      root: program.root,
      instrumentDeps: program.instrumentDeps,
    };
  },
};
