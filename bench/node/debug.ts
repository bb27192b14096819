/** Node under `hotframe debug`: its cost against `hotframe run`, pause and edit-while-paused
 * latency (the runtime-agnostic driver is bench/lib/debug.ts). `node inspect` is not beside it:
 * driven from a pipe, the program it debugs waits for the debugger to disconnect when it ends, and
 * `node inspect` never does, so the run never ends. */
import { readFileSync } from "node:fs";
import { type BenchConfig, count } from "../lib/config.js";
import { type DebugSubject, debugSection, hotframeVariants, measureDebugger } from "../lib/debug.js";
import { hotframeArgs } from "../lib/process.js";
import type { Section } from "../lib/report.js";
import { copyFixture, freshDir, writeFile } from "../lib/work.js";
import { nodeModule } from "./generate.js";

const SESSION_PROG = `import { probe } from "./big.mjs";

for (let i = 0; i < Number(process.argv[2]); i++) {
  console.log("before", String(Date.now()));
  probe();
}
`;

function subject(config: BenchConfig): DebugSubject {
  const dir = freshDir("node-debug");
  writeFile(dir, "package.json", '{ "type": "module" }\n');
  const workloads = copyFixture("node/workloads.mjs", dir);
  copyFixture("node/debug_prog.mjs", dir);
  const unusedLine = readFileSync(workloads, "utf8").split("\n").indexOf("  const doubled = x * 2;") + 1;
  const program = ["debug_prog.mjs", String(count(config, 3, 1))];
  const samples = count(config, 10, 3);
  writeFile(dir, "big.mjs", nodeModule(1000, 0));
  writeFile(dir, "session_prog.mjs", SESSION_PROG);
  const hotframe = (command: "run" | "debug", extra: string[]) =>
    hotframeArgs({ watch: dir, command, extra: ["--node", config.node, ...extra] }, []);
  return {
    label: `Node ${process.version}`,
    dir,
    ...hotframeVariants(config.node, hotframe, program, [
      "break neverCalled",
      `break workloads.mjs:${unusedLine}`,
    ]),
    session: {
      command: config.node,
      args: [...hotframe("debug", []), "session_prog.mjs", String(samples * 3 + 5)],
      breakCommand: "break probe",
      file: "big.mjs",
      edited: (i) => nodeModule(1000, i + 1),
      samples,
    },
  };
}

export async function nodeDebug(config: BenchConfig): Promise<Section> {
  const pairs = count(config, 5, 2);
  const measured = await measureDebugger(subject(config), pairs, config.log);
  return debugSection(
    "Node: the debugger's cost (hotframe debug)",
    "debug_prog.mjs times fib(30) and 2M method calls",
    "`node inspect` is not measured (driven from a pipe its run never ends: the program waits for " +
      "the debugger to disconnect).",
    pairs,
    measured,
  );
}
