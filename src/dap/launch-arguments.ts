import { resolve } from "node:path";
import type { RunArgs } from "../cli/args.js";
import { controllerFor } from "../runtimes/registry.js";
import type { ProgramEntry, RuntimeController } from "../runtimes/runtime.js";
import { RESTART_ON_EDIT, type RestartOnEdit } from "../session/debugger/edit-rules.js";

/** Where the program's input and output are: the client's Debug Console (output events), or a
 * terminal the client opens (runInTerminal; not done: see CONSOLE_NOTE). */
export const CONSOLES = ["internalConsole", "integratedTerminal", "externalTerminal"] as const;
export type Console = (typeof CONSOLES)[number];

/** Why a terminal console is not used yet: the note the client is given. */
export const CONSOLE_NOTE =
  "runs in the Debug Console: a terminal console (runInTerminal) is not supported yet, because the program's agent talks to hotframe over a pipe the program must inherit from hotframe";

/** One launch argument: its name and what it takes (docs/dap.md documents each). */
interface ArgumentSpec {
  name: string;
  takes: "string" | "boolean" | "strings" | "environment" | readonly string[];
}

/** Every launch argument hotframe reads, in the order docs/dap.md lists them. */
export const LAUNCH_ARGUMENTS: readonly ArgumentSpec[] = [
  { name: "program", takes: "string" },
  { name: "module", takes: "string" },
  { name: "args", takes: "strings" },
  { name: "cwd", takes: "string" },
  { name: "env", takes: "environment" },
  { name: "runtime", takes: ["python", "node"] },
  { name: "python", takes: "string" },
  { name: "node", takes: "string" },
  { name: "stopOnEntry", takes: "boolean" },
  { name: "restartOnEdit", takes: RESTART_ON_EDIT },
  { name: "console", takes: CONSOLES },
  { name: "instrumentDeps", takes: "boolean" },
];

/** Arguments the client itself adds to every launch configuration: not hotframe's, not a typo. */
const CLIENT_ARGUMENTS = new Set([
  "type",
  "request",
  "name",
  "preLaunchTask",
  "postDebugTask",
  "internalConsoleOptions",
  "presentation",
  "debugServer",
  "suppressMultipleSessionWarning",
]);

/** A valid launch: the program as `hotframe run` takes it, and the debugger's own settings. */
export interface Launch {
  controller: RuntimeController;
  run: RunArgs;
  cwd: string;
  env: Record<string, string>;
  stopOnEntry: boolean;
  restartOnEdit: RestartOnEdit;
  console: Console;
  /** Things the client should be told (an ignored argument, the console used). */
  notes: string[];
}

/** A launch refused: which argument and why, one line. */
export interface LaunchRefusal {
  argument: string;
  message: string;
}

/** Validate the `launch` request's arguments; `baseCwd` resolves a relative `cwd`. */
export function parseLaunchArguments(
  raw: Record<string, unknown>,
  runtimes: readonly RuntimeController[],
  baseCwd: string,
): Launch | LaunchRefusal {
  for (const spec of LAUNCH_ARGUMENTS) {
    const refusal = checkType(spec, raw[spec.name]);
    if (refusal) return { argument: spec.name, message: refusal };
  }
  const text = (name: string) => raw[name] as string | undefined;
  const program = text("program");
  const module = text("module");
  if ((program === undefined) === (module === undefined)) {
    return {
      argument: "program",
      message: 'give either "program" (a source file) or "module" (a Python module name, as python -m)',
    };
  }
  const entry: ProgramEntry =
    program !== undefined ? { kind: "file", path: program } : { kind: "module", name: module as string };
  const runtime = text("runtime");
  const controller = runtime
    ? runtimes.find((r) => r.name === runtime)
    : (controllerFor(entry, runtimes) ?? undefined);
  if (!controller) {
    const extensions = runtimes.flatMap((r) => r.sourceExtensions).join(", ");
    return {
      argument: "program",
      message: `cannot tell how to run '${program}': expected a file ending in ${extensions}`,
    };
  }
  const fits =
    entry.kind === "module"
      ? controller.entryKinds.includes("module")
      : controller.sourceExtensions.some((e) => entry.path.endsWith(e));
  if (!fits) {
    return {
      argument: "runtime",
      message:
        entry.kind === "module"
          ? `the ${controller.name} runtime does not run a module by name: give "program"`
          : `the ${controller.name} runtime does not run '${entry.path}' (its files end in ${controller.sourceExtensions.join(", ")})`,
    };
  }
  if (!controller.debugs) {
    const debuggable = runtimes.filter((r) => r.debugs).map((r) => r.name);
    return {
      argument: "runtime",
      message: `hotframe dap debugs ${debuggable.join(", ")} programs for now (the ${controller.name} debugger is not done yet)`,
    };
  }
  const misplaced = runtimes.find((r) => r !== controller && raw[r.name] !== undefined);
  if (misplaced) {
    return {
      argument: misplaced.name,
      message: `"${misplaced.name}" does not apply to a ${controller.name} program`,
    };
  }
  const interpreter = text(controller.name);
  const cwd = resolve(baseCwd, text("cwd") ?? ".");
  const console = (text("console") as Console | undefined) ?? "internalConsole";
  const ignored = Object.keys(raw).filter(
    (k) => !k.startsWith("__") && !CLIENT_ARGUMENTS.has(k) && !LAUNCH_ARGUMENTS.some((a) => a.name === k),
  );
  const notes = [
    ...ignored.map(
      (k) => `ignored launch argument "${k}" (hotframe's: ${LAUNCH_ARGUMENTS.map((a) => a.name).join(", ")})`,
    ),
    ...(console === "internalConsole" ? [] : [`console "${console}": the program ${CONSOLE_NOTE}`]),
  ];
  return {
    controller,
    run: {
      command: "run",
      entry,
      args: (raw.args as string[] | undefined) ?? [],
      runtimeOptions: new Map(interpreter ? [[controller.binaryOption.flag, interpreter]] : []),
      quiet: false,
      verbose: false,
      color: false,
      attachable: false,
      instrumentDeps: raw.instrumentDeps === true,
    },
    cwd,
    env: (raw.env as Record<string, string> | undefined) ?? {},
    stopOnEntry: raw.stopOnEntry === true,
    restartOnEdit: (text("restartOnEdit") as RestartOnEdit | undefined) ?? "top",
    console,
    notes,
  };
}

export function isRefusal(parsed: Launch | LaunchRefusal): parsed is LaunchRefusal {
  return "argument" in parsed && "message" in parsed;
}

/** Why `value` does not fit `spec` (undefined: it fits, or it is absent). */
function checkType(spec: ArgumentSpec, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  const { name, takes } = spec;
  const shown = JSON.stringify(value);
  if (typeof takes !== "string") {
    return typeof value === "string" && takes.includes(value)
      ? undefined
      : `"${name}" takes ${takes.map((t) => `"${t}"`).join(", ")}, not ${shown}`;
  }
  switch (takes) {
    case "string":
      return typeof value === "string" && value !== ""
        ? undefined
        : `"${name}" takes a non-empty string, not ${shown}`;
    case "boolean":
      return typeof value === "boolean" ? undefined : `"${name}" takes true or false, not ${shown}`;
    case "strings":
      return Array.isArray(value) && value.every((v) => typeof v === "string")
        ? undefined
        : `"${name}" takes a list of strings, not ${shown}`;
    case "environment": {
      if (typeof value !== "object" || value === null || Array.isArray(value))
        return `"${name}" takes an object of variable names to strings, not ${shown}`;
      const bad = Object.entries(value).find(([, v]) => typeof v !== "string");
      return bad ? `"${name}.${bad[0]}" takes a string, not ${JSON.stringify(bad[1])}` : undefined;
    }
  }
}
