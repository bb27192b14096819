import { join } from "node:path";
import type { PatchResult, RuntimeName } from "../../src/protocol/messages.js";
import { AgentRun as NodeAgentRun } from "./node-agent.js";
import { AgentRun as PythonAgentRun, runToEnd } from "./python-agent.js";

/**
 * Both real agents behind one face, for tests that hold them to the same contract
 * (test/conformance.test.ts): a program of several modules started under the agent over the real
 * pipe, patched, and asked for values with `name=<json>` lines on stdout.
 */

export interface LiveProgram {
  loaded(file: string): Promise<void>;
  patch(file: string, source: string): Promise<PatchResult>;
  /** Sends `command` on stdin; resolves with the JSON the program printed as `command=<json>`. */
  ask(command: string): Promise<unknown>;
  kill(): void;
}

export interface Ended {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface AgentUnderTest {
  runtime: RuntimeName;
  /** The file name of module `name`. */
  module(name: string): string;
  /** An entry program that imports `modules` and answers `<module>` on stdin with its `probe()`
   * (awaited, in JavaScript). */
  entry(modules: string[]): { file: string; text: string };
  start(dir: string): Promise<LiveProgram>;
  /** Runs the entry with HOTFRAME_PROTOCOL set to `protocol`, to its end. */
  runWithProtocol(dir: string, protocol: number): Promise<Ended>;
}

const PYTHON_ENTRY = "main.py";
const NODE_ENTRY = "main.mjs";

export const python: AgentUnderTest = {
  runtime: "python",
  module: (name) => `${name}.py`,
  entry: (modules) => ({
    file: PYTHON_ENTRY,
    text: `import json
import sys

${modules.map((m) => `import ${m}`).join("\n")}

MODULES = {${modules.map((m) => `"${m}": ${m}`).join(", ")}}
print("ready", flush=True)
for line in sys.stdin:
    name = line.strip()
    try:
        print(f"{name}={json.dumps(MODULES[name].probe())}", flush=True)
    except Exception as error:
        print(f"{name}!{json.dumps(repr(error))}", flush=True)
`,
  }),
  async start(dir) {
    const run = new PythonAgentRun({ cwd: dir, entry: [PYTHON_ENTRY] });
    await run.stdoutLine(/^ready$/);
    return {
      loaded: async (file) => {
        await run.message((m) => m.type === "loaded" && m.file === file);
      },
      patch: (file, source) => run.patch(file, source),
      ask: async (command) => answer(command, await run.ask(command, new RegExp(`^${command}[=!]`))),
      kill: () => run.child.kill("SIGKILL"),
    };
  },
  async runWithProtocol(dir, protocol) {
    const end = await runToEnd({
      cwd: dir,
      entry: [PYTHON_ENTRY],
      env: { HOTFRAME_PROTOCOL: String(protocol) },
    });
    return { code: end.code, stdout: end.stdout, stderr: end.stderr };
  },
};

export const node: AgentUnderTest = {
  runtime: "node",
  module: (name) => `${name}.mjs`,
  entry: (modules) => ({
    file: NODE_ENTRY,
    text: `import { createInterface } from "node:readline";
${modules.map((m) => `import * as ${m} from "./${m}.mjs";`).join("\n")}

const modules = { ${modules.join(", ")} };
createInterface({ input: process.stdin }).on("line", async (name) => {
  try {
    console.log(\`\${name}=\${JSON.stringify(await modules[name].probe())}\`);
  } catch (error) {
    console.log(\`\${name}!\${JSON.stringify(String(error))}\`);
  }
});
console.log("ready");
`,
  }),
  async start(dir) {
    const run = await NodeAgentRun.start(join(dir, NODE_ENTRY));
    await run.output("ready\n");
    return {
      loaded: (file) => run.loaded(file),
      patch: (file, source) => run.patch(file, source),
      ask: (command) => run.ask(command),
      kill: () => run.kill(),
    };
  },
  async runWithProtocol(dir, protocol) {
    const run = await NodeAgentRun.start(join(dir, NODE_ENTRY), { protocol: String(protocol) });
    // An agent that does not refuse runs the program, which then waits on stdin: stop it there.
    await run.output("ready\n").catch(() => undefined);
    run.kill(); // a no-op once it exited
    const { code } = await run.exited;
    return { code, stdout: run.stdout, stderr: run.stderr };
  },
};

export const AGENTS: AgentUnderTest[] = [python, node];

/** The value of a `command=<json>` line; a `command!<json>` line is what the program raised. */
function answer(command: string, line: string): unknown {
  const value = JSON.parse(line.slice(command.length + 1)) as unknown;
  if (line[command.length] === "!") throw new Error(`${command} raised: ${String(value)}`);
  return value;
}
