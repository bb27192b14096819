/** Command-line parsing: options come before the entry point; everything after it is the program's. */

export class UsageError extends Error {}

export interface RunArgs {
  command: "run";
  entry: { kind: "file"; path: string } | { kind: "module"; name: string };
  args: string[];
  python?: string;
  node?: string;
  nodeOptions: string[];
  watch?: string;
  events?: string;
  quiet: boolean;
  verbose: boolean;
  color: boolean;
  instrumentDeps: boolean;
}

export type CliArgs =
  | RunArgs
  | { command: "demo"; which: "all" | "python" | "node"; color: boolean }
  | { command: "help" }
  | { command: "version" };

export const USAGE = `hotframe — edit and continue for Python and Node.js

Usage:
  hotframe run [options] <file.py | -m module | file.js|.mjs|.cjs|.ts|.mts|.cts> [program args...]
  hotframe debug [options] <file.py | -m module> [program args...]   (docs/debugger.md)
  hotframe demo [python | node]     a self-contained demonstration (what \`npm start\` runs)
  hotframe --help | --version

Options of run (before the entry point; what follows the entry point goes to the program):
  --python <path>        Python interpreter (default: the active virtualenv's python, else python3)
  --node <path>          node binary (default: the node running hotframe)
  --node-options <opts>  options for node itself, e.g. --node-options "--max-old-space-size=4096"
  --watch <dir>          root whose files are instrumented and watched (default: the project root:
                         nearest folder with pyproject.toml, setup.py, package.json or .git)
  --events <file>        write every event as JSON Lines (schema: docs/events.md)
  --instrument-deps      also instrument third-party packages under the watched root
  --quiet                print only what went wrong
  --verbose              also print what hotframe instruments and ignores
  --no-color             plain output (also when NO_COLOR is set or stderr is not a terminal)
`;

const VALUE_OPTIONS = new Set(["--python", "--node", "--node-options", "--watch", "--events"]);
const FLAG_OPTIONS = new Set(["--quiet", "--verbose", "--no-color", "--instrument-deps"]);

export function parseArgs(argv: string[], env: NodeJS.ProcessEnv, stderrIsTTY: boolean): CliArgs {
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
  if (command !== "run") throw new UsageError(`unknown command '${command}' (expected run, debug or demo)`);
  return parseRun(rest, defaultColor);
}

function parseRun(argv: string[], defaultColor: boolean): RunArgs | { command: "help" } {
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
    if (VALUE_OPTIONS.has(name)) {
      const value = eq > 0 ? arg.slice(eq + 1) : argv[++i];
      if (value === undefined || value === "") throw new UsageError(`${name} needs a value`);
      values.set(name, value);
    } else if (FLAG_OPTIONS.has(name) && eq < 0) {
      flags.add(name);
    } else {
      throw new UsageError(`unknown option ${arg} (see hotframe --help)`);
    }
  }
  let entry: RunArgs["entry"];
  const first = argv[i];
  if (first === undefined)
    throw new UsageError("run needs a program: hotframe run app.py | -m module | app.js");
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
  return {
    command: "run",
    entry,
    args: argv.slice(i),
    python: values.get("--python"),
    node: values.get("--node"),
    nodeOptions: (values.get("--node-options") ?? "").split(/\s+/).filter((o) => o !== ""),
    watch: values.get("--watch"),
    events: values.get("--events"),
    quiet: flags.has("--quiet"),
    verbose: flags.has("--verbose"),
    color: defaultColor && !flags.has("--no-color"),
    instrumentDeps: flags.has("--instrument-deps"),
  };
}
