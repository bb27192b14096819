import { resolve } from "node:path";
import type { RunArgs } from "../cli/args.js";
import { controllerFor, missingDebugger } from "../runtimes/registry.js";
import type { ProgramEntry, RuntimeController } from "../runtimes/runtime.js";
import type { RestartOnEdit } from "../session/debugger/edit-rules.js";
import {
  ATTACH_ARGUMENTS,
  type AttachArguments,
  type AttributeSchema,
  LAUNCH_ARGUMENTS,
  type LaunchArguments,
} from "../editor/debug-arguments.js";

/** Where the launch asks the program's input and output to be: the client's Debug Console
 * (output events), or a terminal the client opens (runInTerminal). */
export type Console = Required<LaunchArguments>["console"];

/** Where the program runs: in the Debug Console (`note`: why, when a terminal was asked for), or
 * in a terminal the client opens (DAP's runInTerminal kind). */
export type ProgramConsole =
  { kind: "debugConsole"; note?: string } | { kind: "terminal"; terminal: "integrated" | "external" };

/** Where a launch's program runs, given what the client can do (its `supportsRunInTerminalRequest`). */
export function programConsole(asked: Console, clientRunsTerminals: boolean): ProgramConsole {
  if (asked === "internalConsole") return { kind: "debugConsole" };
  if (clientRunsTerminals)
    return { kind: "terminal", terminal: asked === "externalTerminal" ? "external" : "integrated" };
  return {
    kind: "debugConsole",
    note: `console "${asked}": this client does not run programs in a terminal (it did not offer runInTerminal), so the program runs in the Debug Console`,
  };
}

/** The arguments of one request, as the extension's schema states them (src/editor/debug-arguments.ts). */
type Arguments = Readonly<Record<string, AttributeSchema>>;

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
  /** Things the client should be told (an ignored argument). */
  notes: string[];
}

/** A valid attach: the debugger's settings for the program the client reached. */
export interface Attach {
  /** The pid the client meant (processId), if it said. */
  processId?: number;
  restartOnEdit: RestartOnEdit;
  notes: string[];
}

/** A launch or attach refused: which argument and why, one line. */
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
  const refusal = checkTypes(raw, LAUNCH_ARGUMENTS);
  if (refusal) return refusal;
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
  const missing = missingDebugger(controller, "hotframe dap", runtimes);
  if (missing) return { argument: "runtime", message: missing };
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
  const notes = ignoredNotes(raw, "launch", LAUNCH_ARGUMENTS);
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

/** Validate the `attach` request's arguments (the program is the one the client's stream reached). */
export function parseAttachArguments(raw: Record<string, unknown>): Attach | LaunchRefusal {
  const refusal = checkTypes(raw, ATTACH_ARGUMENTS);
  if (refusal) return refusal;
  const given = raw as AttachArguments;
  const processId = given.processId === undefined ? undefined : Number(given.processId);
  if (processId !== undefined && !(Number.isInteger(processId) && processId > 0))
    return {
      argument: "processId",
      message: `"processId" takes a process id, not ${JSON.stringify(given.processId)}`,
    };
  return {
    ...(processId !== undefined ? { processId } : {}),
    restartOnEdit: given.restartOnEdit ?? "top",
    notes: ignoredNotes(raw, "attach", ATTACH_ARGUMENTS),
  };
}

export function isRefusal(parsed: object): parsed is LaunchRefusal {
  return "argument" in parsed && "message" in parsed;
}

/** The first argument whose value does not fit its schema. */
function checkTypes(raw: Record<string, unknown>, known: Arguments): LaunchRefusal | undefined {
  for (const [name, schema] of Object.entries(known)) {
    const message = checkType(name, schema, raw[name]);
    if (message) return { argument: name, message };
  }
  return undefined;
}

/** What the client is told of arguments that are neither hotframe's nor the client's own. */
function ignoredNotes(raw: Record<string, unknown>, request: string, known: Arguments): string[] {
  return Object.keys(raw)
    .filter((k) => !k.startsWith("__") && !CLIENT_ARGUMENTS.has(k) && !(k in known))
    .map((k) => `ignored ${request} argument "${k}" (hotframe's: ${Object.keys(known).join(", ")})`);
}

/** Why `value` does not fit `schema` (undefined: it fits, or it is absent). */
function checkType(name: string, schema: AttributeSchema, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  const shown = JSON.stringify(value);
  if (schema.enum) {
    return typeof value === "string" && schema.enum.includes(value)
      ? undefined
      : `"${name}" takes ${schema.enum.map((t) => `"${t}"`).join(", ")}, not ${shown}`;
  }
  if (Array.isArray(schema.type)) {
    return schema.type.some((type) => fits(type, value))
      ? undefined
      : `"${name}" takes a ${schema.type.join(" or a ")}, not ${shown}`;
  }
  switch (schema.type) {
    case "string":
      if (typeof value !== "string" || value === "")
        return `"${name}" takes a non-empty string, not ${shown}`;
      return schema.pattern && !new RegExp(schema.pattern).test(value)
        ? `"${name}" takes a string matching ${schema.pattern}, not ${shown}`
        : undefined;
    case "number":
      return fits("number", value) ? undefined : `"${name}" takes a number, not ${shown}`;
    case "boolean":
      return typeof value === "boolean" ? undefined : `"${name}" takes true or false, not ${shown}`;
    case "array":
      return Array.isArray(value) && value.every((v) => typeof v === "string")
        ? undefined
        : `"${name}" takes a list of strings, not ${shown}`;
    case "object": {
      if (typeof value !== "object" || value === null || Array.isArray(value))
        return `"${name}" takes an object of variable names to strings, not ${shown}`;
      const bad = Object.entries(value).find(([, v]) => typeof v !== "string");
      return bad ? `"${name}.${bad[0]}" takes a string, not ${JSON.stringify(bad[1])}` : undefined;
    }
  }
}

function fits(type: "string" | "number", value: unknown): boolean {
  return type === "number"
    ? typeof value === "number" && Number.isFinite(value)
    : typeof value === "string" && value !== "";
}
