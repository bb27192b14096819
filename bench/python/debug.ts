/** Python under `hotframe debug`: its cost against `hotframe run`, pdb side by side, pause and
 * edit-while-paused latency (the runtime-agnostic driver is bench/lib/debug.ts). */
import { readFileSync } from "node:fs";
import { type BenchConfig, count } from "../lib/config.js";
import { type DebugSubject, debugSection, hotframeVariants, measureEach } from "../lib/debug.js";
import { hotframeArgs } from "../lib/process.js";
import type { Section } from "../lib/report.js";
import { copyFixture, freshDir, writeFile } from "../lib/work.js";
import { pythonModule } from "./generate.js";
import { type Python, pythonsToMeasure } from "./pythons.js";

const SESSION_PROG = `import sys
import time

import big

for i in range(int(sys.argv[1])):
    print("before", repr(time.time() * 1000), flush=True)
    big.probe()
`;

function subject(config: BenchConfig, python: Python): DebugSubject {
  const dir = freshDir(`py-debug-${python.version}`);
  const workloads = copyFixture("python/workloads.py", dir);
  copyFixture("python/overhead_prog.py", dir);
  const unusedLine = readFileSync(workloads, "utf8").split("\n").indexOf("    doubled = x * 2") + 1;
  const rounds = String(count(config, 3, 1));
  // The call-heavy ones (pdb is slow enough without the text processing).
  const program = ["overhead_prog.py", rounds, "fib(29)", "method calls (300k)"];
  const samples = count(config, 10, 3);
  writeFile(dir, "big.py", pythonModule(1000, 0));
  writeFile(dir, "session_prog.py", SESSION_PROG);
  const hotframe = (command: "run" | "debug", extra: string[]) =>
    hotframeArgs({ watch: dir, command, extra: ["--python", python.path, ...extra] }, []);
  const ours = hotframeVariants(config.node, hotframe, program, [
    "break never_called",
    `break workloads.py:${unusedLine}`,
  ]);
  return {
    label: `Python ${python.version}`,
    dir,
    variants: [
      ...ours.variants,
      {
        name: "pdb, one breakpoint elsewhere",
        command: python.path,
        args: ["-m", "pdb", ...program],
        stdin: `break workloads.py:${unusedLine}\ncontinue\nquit\n`,
      },
    ],
    limits: ours.limits,
    session: {
      command: config.node,
      args: [...hotframe("debug", []), "session_prog.py", String(samples * 3 + 5)],
      breakCommand: "break probe",
      file: "big.py",
      edited: (i) => pythonModule(1000, i + 1),
      samples,
    },
  };
}

export async function pythonDebug(config: BenchConfig): Promise<Section> {
  const pairs = count(config, 5, 2);
  const subjects = pythonsToMeasure(config).map((python) => subject(config, python));
  const measured = await measureEach(subjects, pairs, config.log);
  return debugSection(
    "Python: the debugger's cost (hotframe debug)",
    "overhead_prog.py times fib(29) and 300k method calls",
    "pdb beside it has one breakpoint set elsewhere.",
    pairs,
    measured,
  );
}
