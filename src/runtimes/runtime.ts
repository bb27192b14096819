import type { RuntimeName } from "../protocol/messages.js";
import type { LaunchSpec } from "./agent-process.js";

/** The program the user asked to run, independent of the runtime. */
export interface ProgramSpec {
  /** A source file (absolute path) or, for Python, a module name (`-m pkg.mod`). */
  entry: { kind: "file"; path: string } | { kind: "module"; name: string };
  /** The program's own arguments. */
  args: string[];
  cwd: string;
  /** Absolute watched root: only modules under it are instrumented and patched. */
  root: string;
  /** --python / --node: the interpreter to run; undefined means the runtime's default. */
  runtimeBinary?: string;
  /** Options for the runtime itself (`--node-options`), placed before the entry point. */
  runtimeOptions: string[];
  /** Also instrument third-party packages (node_modules, site-packages) under the root. */
  instrumentDeps: boolean;
}

/** Thrown by a controller for a program it cannot run; the CLI prints the message and exits 2. */
export class LaunchError extends Error {}

/** The controller side of one runtime: it only decides what to spawn; AgentProcess runs it. */
export interface RuntimeController {
  readonly name: RuntimeName;
  /** Extensions of the source files this runtime patches, with the dot (".py"). */
  readonly sourceExtensions: readonly string[];
  launch(program: ProgramSpec): Promise<LaunchSpec>;
}
