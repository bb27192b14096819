import type { LaunchSpec } from "./agent-process.js";

/** What the user asked to run: a source file, or a module by name (`-m pkg.mod`, Python). */
export type ProgramEntry = { kind: "file"; path: string } | { kind: "module"; name: string };

/** The program the user asked to run, independent of the runtime. */
export interface ProgramSpec {
  /** A source file (absolute path), or a module name for a runtime whose entry kinds include it. */
  entry: ProgramEntry;
  /** The program's own arguments. */
  args: string[];
  cwd: string;
  /** Absolute watched root: only modules under it are instrumented and patched. */
  root: string;
  /** The value of the runtime's binary option (`--python`); undefined means the runtime's default. */
  runtimeBinary?: string;
  /** The runtime's options option (`--node-options`) split at white space, for the runtime itself. */
  runtimeOptions: string[];
  /** Also instrument third-party packages (node_modules, site-packages) under the root. */
  instrumentDeps: boolean;
}

/** A `hotframe run` option that belongs to one runtime: `--python <path>`. */
export interface RuntimeOption {
  /** `--python` */
  readonly flag: string;
  /** What its value is, as the usage text shows it: `<path>`. */
  readonly value: string;
  /** One line for the usage text. */
  readonly help: string;
}

/** Thrown by a controller for a program it cannot run; the CLI prints the message and exits 2. */
export class LaunchError extends Error {}

/**
 * The controller side of one runtime: everything hotframe knows about the runtime outside its
 * agent. The CLI's parser and usage text, the default watched root and the launch are built from
 * these fields, so a new runtime is its folder under src/runtimes/ plus one line in registry.ts.
 * It only decides what to spawn; AgentProcess runs it.
 */
export interface RuntimeController {
  /** As the user and the events say it: "python", "node". */
  readonly name: string;
  /** Extensions of the source files this runtime runs and patches, with the dot (".py"). */
  readonly sourceExtensions: readonly string[];
  /** Files the program reads that its agent answers saves of (`.json`): watched once loaded, never an entry point. */
  readonly dataExtensions?: readonly string[];
  /** Files whose presence marks a project root: the default --watch is the nearest folder holding one. */
  readonly rootMarkers: readonly string[];
  /** What it runs: every runtime runs a file; "module" also a module by name (`-m name`). */
  readonly entryKinds: readonly ProgramEntry["kind"][];
  /** Picks the runtime's binary: becomes `ProgramSpec.runtimeBinary`. */
  readonly binaryOption: RuntimeOption;
  /** Options for the runtime itself, if it takes any: becomes `ProgramSpec.runtimeOptions`. */
  readonly runtimeOptions?: RuntimeOption;
  /** Its agent has a debugger: `hotframe debug` runs its programs (docs/debugger.md). */
  readonly debugs?: boolean;
  launch(program: ProgramSpec): Promise<LaunchSpec>;
}
