import { existsSync, realpathSync, statSync } from "node:fs";
import { dirname, extname, join, resolve } from "node:path";
import type { ExitInfo } from "../runtimes/agent-process.js";
import { controllerFor } from "../runtimes/registry.js";
import { LaunchError, type ProgramSpec, type RuntimeController } from "../runtimes/runtime.js";
import { EventLog, type SessionEvent } from "../session/events.js";
import { Session } from "../session/session.js";
import { type RunArgs, UsageError } from "./args.js";
import { TerminalReporter } from "./terminal.js";

/** A file is handed to the agent once it has been quiet this long after a save. */
export const QUIET_MS = 3;

/** Files whose presence marks a project root, per runtime (the default --watch). */
const ROOT_MARKERS = {
  python: ["pyproject.toml", "setup.py", "setup.cfg", ".git"],
  node: ["package.json", ".git"],
} as const;

/** `hotframe run`: returns the exit status to leave with (the program's own). */
export async function runCommand(args: RunArgs, cwd: string): Promise<ExitInfo> {
  const controller = pickController(args);
  const program = programSpec(args, controller, cwd);
  const reporter = new TerminalReporter({ color: args.color, quiet: args.quiet, verbose: args.verbose, cwd });
  const log = openEventLog(args, cwd);
  const onEvent = (event: SessionEvent) => {
    log?.write(event);
    reporter.event(event);
  };
  const session = new Session({
    controller,
    program,
    quietMs: QUIET_MS,
    onEvent,
    onVerbose: (message) => reporter.verbose(message),
  });
  // Ctrl-C in a terminal reaches the whole foreground process group, the program included:
  // forwarding it too would interrupt the program twice. Elsewhere (kill -INT), pass it on.
  const release = handleSignals(session, process.stdin.isTTY ? () => {} : () => session.signal("SIGINT"));
  try {
    return launched(await session.run(), controller);
  } finally {
    release();
    log?.close();
  }
}

/** SIGINT goes to `onInterrupt`; SIGTERM and SIGHUP are forwarded to the program. Returns the
 * function that removes these handlers. */
export function handleSignals(session: Session, onInterrupt: () => void): () => void {
  const onTerminate = () => session.signal("SIGTERM");
  const onHangup = () => session.signal("SIGHUP");
  process.on("SIGINT", onInterrupt);
  process.on("SIGTERM", onTerminate);
  process.on("SIGHUP", onHangup);
  return () => {
    process.off("SIGINT", onInterrupt);
    process.off("SIGTERM", onTerminate);
    process.off("SIGHUP", onHangup);
  };
}

/** `--events <file>`, opened (truncated) before the program starts. */
export function openEventLog(args: RunArgs, cwd: string): EventLog | undefined {
  if (!args.events) return undefined;
  try {
    return new EventLog(resolve(cwd, args.events));
  } catch (error) {
    throw new UsageError(`cannot write the events file ${args.events}: ${(error as Error).message}`);
  }
}

/** The program's exit, or the LaunchError of a program that could not be started at all. */
export function launched(exit: ExitInfo, controller: RuntimeController): ExitInfo {
  if (exit.spawnError) {
    const hint =
      controller.name === "python" ? " (pick one with --python <path>)" : " (pick one with --node <path>)";
    throw new LaunchError(`${exit.spawnError}${hint}`);
  }
  return exit;
}

export function pickController(args: RunArgs): RuntimeController {
  if (args.entry.kind === "module") return controllerFor("python");
  const ext = extname(args.entry.path);
  const controller = controllerFor(ext);
  if (!controller) {
    throw new UsageError(
      `cannot tell how to run '${args.entry.path}': expected a .py, .js, .cjs, .mjs, .ts, .cts or .mts file, or -m module`,
    );
  }
  return controller;
}

export function programSpec(args: RunArgs, controller: RuntimeController, cwd: string): ProgramSpec {
  const misplaced =
    controller.name === "python"
      ? [args.node && "--node", args.nodeOptions.length > 0 && "--node-options"]
      : [args.python && "--python"];
  const option = misplaced.find((o) => typeof o === "string");
  if (option) throw new UsageError(`${option} does not apply to a ${controller.name} program`);
  let entry: ProgramSpec["entry"];
  let programDir: string;
  if (args.entry.kind === "file") {
    const path = resolve(cwd, args.entry.path);
    if (!existsSync(path) || !statSync(path).isFile()) {
      throw new UsageError(`${args.entry.path}: no such file (looked in ${cwd})`);
    }
    entry = { kind: "file", path };
    programDir = dirname(realpathSync(path));
  } else {
    entry = args.entry;
    programDir = cwd;
  }
  let root: string;
  if (args.watch) {
    const watch = resolve(cwd, args.watch);
    if (!existsSync(watch) || !statSync(watch).isDirectory()) {
      throw new UsageError(`--watch ${args.watch}: no such folder`);
    }
    root = realpathSync(watch);
  } else {
    root = projectRoot(programDir, ROOT_MARKERS[controller.name]);
  }
  return {
    entry,
    args: args.args,
    cwd,
    root,
    runtimeBinary: controller.name === "python" ? args.python : args.node,
    runtimeOptions: controller.name === "node" ? args.nodeOptions : [],
    instrumentDeps: args.instrumentDeps,
  };
}

/** The nearest folder at or above `start` holding one of `markers`; else `start` itself. */
function projectRoot(start: string, markers: readonly string[]): string {
  for (let dir = start; ; dir = dirname(dir)) {
    if (markers.some((marker) => existsSync(join(dir, marker)))) return dir;
    if (dirname(dir) === dir) return start;
  }
}
