import { RUNTIMES } from "../runtimes/registry.js";
import type { RuntimeController } from "../runtimes/runtime.js";
import { RESTART_ON_EDIT, type RestartOnEdit } from "../session/debugger/edit-rules.js";
import { entryForms, parseArgs, type RunArgs, UsageError, valueOptionFlags } from "./args.js";

export interface DebugArgs {
  command: "debug";
  /** Everything `hotframe run` takes. */
  run: RunArgs;
  /** Pause before the program's first line (pdb's and node inspect's habit); --continue: not. */
  stopAtEntry: boolean;
  /** --script <file>: read the commands from this file. */
  script?: string;
  restartOnEdit: RestartOnEdit;
}

export const DEBUG_USAGE = `Options of debug (besides those of run):
  --continue             start running at once (default: pause before the first line)
  --script <file>        read the debugger's commands from a file
  --restart-on-edit <w>  top (default): an edit of the paused function restarts it;
                         deepest: restart the deepest edited frame; never
`;

/** `hotframe debug [options] <entry> [args]`: the debug options, then what `run` takes. */
export function parseDebugArgs(
  argv: string[],
  env: NodeJS.ProcessEnv,
  stderrIsTTY: boolean,
  runtimes: readonly RuntimeController[] = RUNTIMES,
): DebugArgs | { command: "help" } {
  const needsProgram = `debug needs a program: hotframe debug ${entryForms(runtimes.filter((r) => r.debugs))}`;
  const runValueFlags = valueOptionFlags(runtimes);
  const rest: string[] = [];
  let stopAtEntry = true;
  let script: string | undefined;
  let restartOnEdit: RestartOnEdit = "top";
  let i = 0;
  for (; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === "-m" || !arg.startsWith("-") || arg === "--") break;
    const eq = arg.indexOf("=");
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    const inline = eq > 0 ? arg.slice(eq + 1) : undefined;
    if (name === "--continue" && inline === undefined) {
      stopAtEntry = false;
      continue;
    }
    if (name === "--script" || name === "--restart-on-edit") {
      const value = inline ?? argv[++i];
      if (value === undefined || value === "") throw new UsageError(`${name} needs a value`);
      if (name === "--script") script = value;
      else if ((RESTART_ON_EDIT as readonly string[]).includes(value)) restartOnEdit = value as RestartOnEdit;
      else throw new UsageError(`--restart-on-edit takes ${RESTART_ON_EDIT.join(", ")}, not '${value}'`);
      continue;
    }
    rest.push(arg); // an option of run, checked by its parser
    const next = argv[i + 1];
    if (inline === undefined && runValueFlags.has(name) && next !== undefined) rest.push(argv[++i] as string);
  }
  if (argv.slice(i).length === 0 && !rest.some((a) => a === "--help" || a === "-h")) {
    throw new UsageError(needsProgram);
  }
  const run = parseArgs(["run", ...rest, ...argv.slice(i)], env, stderrIsTTY, runtimes);
  if (run.command === "help") return run;
  if (run.command !== "run") throw new UsageError(needsProgram);
  return { command: "debug", run, stopAtEntry, restartOnEdit, ...(script ? { script } : {}) };
}
