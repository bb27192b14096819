/**
 * Command-line parsing: options come before the entry point; everything after it is the program's.
 * The runtimes' own options and the usage text are built from the registered controllers.
 */
import { type LoopbackAddress, parseLoopbackAddress } from "../attach/listen-address.js";
import { RUNTIMES } from "../runtimes/registry.js";
import type { ProgramEntry, RuntimeController, RuntimeOption } from "../runtimes/runtime.js";

export class UsageError extends Error {}

export interface RunArgs {
  command: "run";
  entry: ProgramEntry;
  args: string[];
  /** Runtime options given (`--python`, `--node-options`), by flag; run.ts checks they fit the program. */
  runtimeOptions: Map<string, string>;
  watch?: string;
  events?: string;
  quiet: boolean;
  verbose: boolean;
  color: boolean;
  instrumentDeps: boolean;
  /** --attachable: a debugger can attach over a Unix socket named by the program's pid. */
  attachable: boolean;
  /** --listen 127.0.0.1:N: a debugger can attach over this loopback port, with a token. */
  listen?: LoopbackAddress;
}

export type CliArgs =
  | RunArgs
  | { command: "demo"; which: "all" | "python" | "node"; color: boolean }
  | { command: "help" }
  | { command: "version" };

/** Options of run that every runtime has. */
const COMMON_OPTIONS: readonly RuntimeOption[] = [
  {
    flag: "--watch",
    value: "<dir>",
    help: "root whose files are instrumented and watched (default: the project root)",
  },
  { flag: "--events", value: "<file>", help: "write every event as JSON Lines (schema: docs/events.md)" },
  {
    flag: "--listen",
    value: "127.0.0.1:<port>",
    help: "a debugger can attach over this loopback port (a token is printed)",
  },
];
const FLAGS: readonly { flag: string; help: string }[] = [
  { flag: "--instrument-deps", help: "also instrument third-party packages under the watched root" },
  { flag: "--attachable", help: "a debugger can attach by the program's pid (docs/editors.md)" },
  { flag: "--quiet", help: "print only what went wrong" },
  { flag: "--verbose", help: "also print what hotframe instruments and ignores" },
  { flag: "--no-color", help: "plain output (also when NO_COLOR is set or stderr is not a terminal)" },
];

/** Every option a runtime adds to `hotframe run`. */
function runtimeOptionsOf(runtimes: readonly RuntimeController[]): RuntimeOption[] {
  return runtimes.flatMap((r) => (r.runtimeOptions ? [r.binaryOption, r.runtimeOptions] : [r.binaryOption]));
}

/** The options of run that take a value (`--python <path>`, `--watch <dir>`, ...). */
export function valueOptionFlags(runtimes: readonly RuntimeController[]): Set<string> {
  return new Set([...runtimeOptionsOf(runtimes), ...COMMON_OPTIONS].map((o) => o.flag));
}

/** `file.py | -m module | file.js|.mjs|...`: what `hotframe run` takes, per runtime. */
export function entryForms(runtimes: readonly RuntimeController[]): string {
  const forms = runtimes.flatMap((r) => {
    const [first, ...others] = r.sourceExtensions;
    const file = `file${first}${others.map((e) => `|${e}`).join("")}`;
    return r.entryKinds.includes("module") ? [file, "-m module"] : [file];
  });
  return forms.join(" | ");
}

/** The project root markers of each runtime, for the help of --watch. */
function rootMarkersHelp(runtimes: readonly RuntimeController[]): string {
  const width = Math.max(...runtimes.map((r) => r.name.length)) + 2;
  return runtimes.map((r) => `  ${r.name.padEnd(width)}${r.rootMarkers.join(", ")}`).join("\n");
}

export function usage(runtimes: readonly RuntimeController[] = RUNTIMES): string {
  const options = [...runtimeOptionsOf(runtimes), ...COMMON_OPTIONS].map(
    (o) => [`${o.flag} ${o.value}`, o.help] as const,
  );
  const rows = [...options, ...FLAGS.map((f) => [f.flag, f.help] as const)];
  const width = Math.max(...rows.map(([left]) => left.length)) + 2;
  const names = runtimes.map((r) => r.name).join(", ");
  return `hotframe — edit and continue (${names})

Usage:
  hotframe run [options] <${entryForms(runtimes)}> [program args...]
  hotframe debug [options] <${entryForms(runtimes.filter((r) => r.debugs))}> [program args...]   (docs/debugger.md)
  hotframe dap [--port <n>]         a Debug Adapter Protocol server on stdin/stdout, for editors (docs/dap.md)
  hotframe attach --list | --pid <pid> | --address 127.0.0.1:<port>   a debugger's way in (docs/editors.md)
  hotframe demo [python | node]     a self-contained demonstration (what \`npm start\` runs)
  hotframe --help | --version

Options of run (before the entry point; what follows the entry point goes to the program):
${rows.map(([left, help]) => `  ${left.padEnd(width)}${help}`).join("\n")}

The project root (the default --watch) is the nearest folder at or above the program holding one of
these files, else the program's folder:
${rootMarkersHelp(runtimes)}
`;
}

export function parseArgs(
  argv: string[],
  env: NodeJS.ProcessEnv,
  stderrIsTTY: boolean,
  runtimes: readonly RuntimeController[] = RUNTIMES,
): CliArgs {
  const [command, ...rest] = argv;
  if (command === undefined || command === "--help" || command === "-h" || command === "help") {
    return { command: "help" };
  }
  if (command === "--version" || command === "-V") return { command: "version" };
  const defaultColor = stderrIsTTY && env.NO_COLOR === undefined;
  if (command === "demo") {
    const flags = rest.filter((a) => a.startsWith("-"));
    for (const flag of flags)
      if (flag !== "--no-color") throw new UsageError(`unknown option ${flag} for demo`);
    const which = rest.filter((a) => !a.startsWith("-"));
    if (which.length > 1 || (which[0] !== undefined && which[0] !== "python" && which[0] !== "node")) {
      throw new UsageError(`demo takes 'python' or 'node', not '${which.join(" ")}'`);
    }
    return {
      command: "demo",
      which: (which[0] as "python" | "node" | undefined) ?? "all",
      color: defaultColor && !flags.includes("--no-color"),
    };
  }
  if (command !== "run")
    throw new UsageError(`unknown command '${command}' (expected run, debug, dap or demo)`);
  return parseRun(rest, defaultColor, runtimes);
}

function parseRun(
  argv: string[],
  defaultColor: boolean,
  runtimes: readonly RuntimeController[],
): RunArgs | { command: "help" } {
  const runtimeFlags = new Set(runtimeOptionsOf(runtimes).map((o) => o.flag));
  const valueFlags = valueOptionFlags(runtimes);
  const plainFlags = new Set(FLAGS.map((f) => f.flag));
  const values = new Map<string, string>();
  const flags = new Set<string>();
  let i = 0;
  for (; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === "--help" || arg === "-h") return { command: "help" };
    if (arg === "-m" || !arg.startsWith("-") || arg === "-") break;
    if (arg === "--") {
      i++;
      break;
    }
    const eq = arg.indexOf("=");
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    if (valueFlags.has(name)) {
      const value = eq > 0 ? arg.slice(eq + 1) : argv[++i];
      if (value === undefined || value === "") throw new UsageError(`${name} needs a value`);
      values.set(name, value);
    } else if (plainFlags.has(name) && eq < 0) {
      flags.add(name);
    } else {
      throw new UsageError(`unknown option ${arg} (see hotframe --help)`);
    }
  }
  let entry: ProgramEntry;
  const first = argv[i];
  if (first === undefined) throw new UsageError(`run needs a program: hotframe run ${entryForms(runtimes)}`);
  if (first === "-m") {
    const name = argv[i + 1];
    if (name === undefined || name.startsWith("-")) throw new UsageError("-m needs a module name");
    entry = { kind: "module", name };
    i += 2;
  } else {
    entry = { kind: "file", path: first };
    i += 1;
  }
  if (flags.has("--quiet") && flags.has("--verbose"))
    throw new UsageError("--quiet and --verbose exclude each other");
  const listen = values.get("--listen");
  const parsedListen = listen === undefined ? undefined : parseLoopbackAddress(listen);
  if (parsedListen && !parsedListen.ok) throw new UsageError(`--listen: ${parsedListen.reason}`);
  return {
    command: "run",
    entry,
    args: argv.slice(i),
    runtimeOptions: new Map([...values].filter(([flag]) => runtimeFlags.has(flag))),
    watch: values.get("--watch"),
    events: values.get("--events"),
    quiet: flags.has("--quiet"),
    verbose: flags.has("--verbose"),
    color: defaultColor && !flags.has("--no-color"),
    instrumentDeps: flags.has("--instrument-deps"),
    attachable: flags.has("--attachable"),
    ...(parsedListen?.ok ? { listen: parsedListen.address } : {}),
  };
}
