/** Node under `hotframe debug`: its cost against `hotframe run`, pause and edit-while-paused
 * latency (the runtime-agnostic driver is bench/lib/debug.ts). `node inspect` is not beside it:
 * driven from a pipe, the program it debugs waits for the debugger to disconnect when it ends, and
 * `node inspect` never does, so the run never ends. */
import { readFileSync } from "node:fs";
import { type BenchConfig, count } from "../lib/config.js";
import { type DebugSubject, measureDebugger } from "../lib/debug.js";
import { CLI } from "../lib/process.js";
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
  const hotframe = (command: string, extra: string[]) => [
    CLI,
    command,
    "--quiet",
    "--no-color",
    "--watch",
    dir,
    "--node",
    config.node,
    ...extra,
  ];
  return {
    label: `Node ${process.version}`,
    dir,
    variants: [
      { name: "hotframe run", command: config.node, args: [...hotframe("run", []), ...program] },
      {
        name: "hotframe debug, no breakpoints",
        command: config.node,
        args: [...hotframe("debug", ["--continue"]), ...program],
      },
      {
        name: "hotframe debug, breakpoints in functions not called",
        command: config.node,
        args: [...hotframe("debug", []), ...program],
        stdin: `break neverCalled\nbreak workloads.mjs:${unusedLine}\ncontinue\n`,
      },
    ],
    limits: {
      "hotframe debug, no breakpoints": 1.03,
      "hotframe debug, breakpoints in functions not called": 1.05,
    },
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
  return {
    title: "Node: the debugger's cost (hotframe debug)",
    method:
      "debug_prog.mjs times fib(30) and 2M method calls in-process (best round per process); each way " +
      `of running it ${pairs} times, in rotated order; ratio = median over rounds of (way / \`hotframe run\`) ` +
      "in the same round. `node inspect` is not measured (driven from a pipe its run never ends: the " +
      "program waits for the debugger to disconnect). `hotframe debug` has `catch uncaught` on, as by default. Pause: from the " +
      "program's line printed just before the call that stops to the `■ paused` line on hotframe's stderr; " +
      "edit: from writing the 1,000-line module (the paused probe() changed) to the `↻ … restarted` line.",
    headers: ["runtime", "measurement", "how", "time (median)", "vs hotframe run"],
    rows: measured.rows,
    goals: measured.goals,
    notes: measured.notes,
  };
}
