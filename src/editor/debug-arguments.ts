/**
 * The arguments of the `hotframe` debug type: what an editor's launch and attach configurations
 * may hold. One definition: the JSON schema VS Code shows (extension/package.json's
 * configurationAttributes are generated from it, test/extension.test.ts checks they are), and the
 * names and types the DAP adapter reads.
 */

/** One attribute of a configuration, as JSON schema (what VS Code validates and completes). */
export interface AttributeSchema {
  type: "string" | "number" | "boolean" | "array" | "object" | ("string" | "number")[];
  description: string;
  default?: unknown;
  enum?: string[];
  enumDescriptions?: string[];
  items?: { type: "string" };
  additionalProperties?: { type: "string" };
  pattern?: string;
}

/** `request: "launch"`: hotframe starts the program under the debugger. */
export interface LaunchArguments {
  program?: string;
  module?: string;
  args?: string[];
  cwd?: string;
  env?: Record<string, string>;
  runtime?: "python" | "node";
  python?: string;
  node?: string;
  stopOnEntry?: boolean;
  restartOnEdit?: "top" | "deepest" | "never";
  console?: "internalConsole" | "integratedTerminal" | "externalTerminal";
  instrumentDeps?: boolean;
}

/** `request: "attach"`: a program already running under `hotframe run --attachable` / `--listen`. */
export interface AttachArguments {
  processId?: number | string;
  address?: string;
  token?: string;
  restartOnEdit?: LaunchArguments["restartOnEdit"];
}

const RESTART_ON_EDIT: AttributeSchema = {
  type: "string",
  enum: ["top", "deepest", "never"],
  enumDescriptions: [
    "An edit of the paused function restarts its frame: it pauses again at the function's first line.",
    "Restart the deepest paused frame whose function was edited.",
    "Never restart a frame: edited functions apply from their next call.",
  ],
  default: "top",
  description: "What saving an edit while paused does to the paused frames.",
};

export const LAUNCH_ARGUMENTS: { [K in keyof Required<LaunchArguments>]: AttributeSchema } = {
  program: {
    type: "string",
    description: "The program to run: a .py, .js/.mjs/.cjs or .ts/.mts/.cts file.",
    default: "${file}",
  },
  module: {
    type: "string",
    description: "A Python module to run by name, as `python -m` does (instead of program).",
  },
  args: { type: "array", items: { type: "string" }, description: "The program's arguments.", default: [] },
  cwd: { type: "string", description: "The folder the program runs in.", default: "${workspaceFolder}" },
  env: {
    type: "object",
    additionalProperties: { type: "string" },
    description: "Environment variables added to the program's environment.",
    default: {},
  },
  runtime: {
    type: "string",
    enum: ["python", "node"],
    description: "The runtime that runs the program (inferred from the program's extension when absent).",
  },
  python: {
    type: "string",
    description: "The Python interpreter (default: the active virtualenv's python, else python3).",
  },
  node: { type: "string", description: "The node binary (default: the node running hotframe)." },
  stopOnEntry: { type: "boolean", description: "Pause before the program's first line.", default: false },
  restartOnEdit: RESTART_ON_EDIT,
  console: {
    type: "string",
    enum: ["internalConsole", "integratedTerminal", "externalTerminal"],
    enumDescriptions: [
      "The program's output in the Debug Console (its input is empty).",
      "The program runs in the editor's terminal: its input, output and errors are the terminal's (input() and readline work; Ctrl-C pauses it).",
      "The program runs in a terminal window of its own, as with integratedTerminal.",
    ],
    description: "Where the program's input and output go.",
    default: "internalConsole",
  },
  instrumentDeps: {
    type: "boolean",
    description: "Also instrument (and patch) third-party packages under the project root.",
    default: false,
  },
};

export const ATTACH_ARGUMENTS: { [K in keyof Required<AttachArguments>]: AttributeSchema } = {
  processId: {
    type: ["number", "string"],
    description:
      "The pid of a program started with `hotframe run --attachable` (`hotframe attach --list` shows them).",
    default: "${command:hotframe.pickProgram}",
  },
  address: {
    type: "string",
    pattern: "^127\\.0\\.0\\.1:\\d+$",
    description: "127.0.0.1:<port> of a program started with `hotframe run --listen` (instead of processId).",
  },
  token: {
    type: "string",
    description: "The token `hotframe run --listen` printed (with address).",
  },
  restartOnEdit: RESTART_ON_EDIT,
};
