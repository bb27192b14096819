/** Node under `hotframe debug`: its cost against `hotframe run`, pause and edit-while-paused
 * latency (the runtime-agnostic driver is bench/lib/debug.ts). `node inspect` is not beside it:
 * driven from a pipe, the program it debugs waits for the debugger to disconnect when it ends, and
 * `node inspect` never does, so the run never ends. */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { type BenchConfig, count } from "../lib/config.js";
import { type DebugSubject, debugSection, hotframeVariants, measureEach } from "../lib/debug.js";
import { BEFORE_FIRST_SAVE_MS } from "../lib/latency.js";
import { hotframeArgs } from "../lib/process.js";
import type { Section } from "../lib/report.js";
import { copyFixture, freshDir, writeFile } from "../lib/work.js";
import { nodeModule } from "./generate.js";
import { otherNodes } from "./latency.js";

/** Started, the program waits a while (as one waiting for work does: the agent prepares the
 * patcher then, agent/prepare.ts), then calls probe() in a loop. */
const SESSION_PROG = `import { probe } from "./big.mjs";

await new Promise((resolve) => setTimeout(resolve, Number(process.argv[3])));
for (let i = 0; i < Number(process.argv[2]); i++) {
  console.log("before", String(Date.now()));
  probe();
}
`;

/** The bench's own node, and the newest other major installed (issue 10: the newest Node). */
function nodesToMeasure(config: BenchConfig): { path: string; version: string }[] {
  const own = { path: config.node, version: process.versions.node };
  const newest = otherNodes().at(-1);
  return newest && Number(newest.version) > Number(own.version.split(".")[0])
    ? [
        own,
        {
          path: newest.path,
          version: execFileSync(newest.path, ["--version"], { encoding: "utf8" }).trim().slice(1),
        },
      ]
    : [own];
}

function subject(config: BenchConfig, node: { path: string; version: string }): DebugSubject {
  const dir = freshDir(`node-debug-${node.version.split(".")[0]}`);
  writeFile(dir, "package.json", '{ "type": "module" }\n');
  const workloads = copyFixture("node/workloads.mjs", dir);
  copyFixture("node/debug_prog.mjs", dir);
  const unusedLine = readFileSync(workloads, "utf8").split("\n").indexOf("  const doubled = x * 2;") + 1;
  const program = ["debug_prog.mjs", String(count(config, 10, 5))];
  const samples = count(config, 10, 3);
  writeFile(dir, "big.mjs", nodeModule(1000, 0));
  writeFile(dir, "session_prog.mjs", SESSION_PROG);
  const hotframe = (command: "run" | "debug", extra: string[]) =>
    hotframeArgs({ watch: dir, command, extra: ["--node", node.path, ...extra] }, []);
  return {
    label: `Node ${node.version}`,
    dir,
    ...hotframeVariants(config.node, hotframe, program, [
      "break neverCalled",
      `break workloads.mjs:${unusedLine}`,
    ]),
    session: {
      command: config.node,
      args: [
        ...hotframe("debug", []),
        "session_prog.mjs",
        String(samples * 3 + 5),
        String(BEFORE_FIRST_SAVE_MS),
      ],
      breakCommand: "break probe",
      file: "big.mjs",
      edited: (i) => nodeModule(1000, i + 1),
      samples,
      neverIdle: {
        args: [...hotframe("debug", []), "session_prog.mjs", "10", "0"],
        sessions: count(config, 5, 3),
      },
    },
  };
}

export async function nodeDebug(config: BenchConfig): Promise<Section> {
  const pairs = count(config, 6, 3);
  const subjects = nodesToMeasure(config).map((node) => subject(config, node));
  const measured = await measureEach(subjects, pairs, config.log);
  return debugSection(
    "Node: the debugger's cost (hotframe debug)",
    "debug_prog.mjs times fib(30) and 2M method calls by the main thread's CPU time per call, in rounds " +
      "of 20 and 16 calls (>= ~200 ms each: the clock advances in scheduler ticks, see the notes)",
    `The session's program waits ${BEFORE_FIRST_SAVE_MS / 1000} s before its first call of probe(), as ` +
      "`hotframe run`'s latency bench waits before its first save (the agent prepares the patcher while " +
      "the program is idle); the first edit of a program that never idled is timed in sessions of their own, " +
      "whose program does not wait. `node inspect` is not measured (driven from a pipe its run never ends: the program waits for " +
      "the debugger to disconnect).",
    pairs,
    measured,
  );
}
