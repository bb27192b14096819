/** The Python benchmarks, and the check that `hotframe run` can run a Python program here. */
import { join } from "node:path";
import type { BenchConfig } from "../lib/config.js";
import { hotframeArgs, runToExit } from "../lib/process.js";
import { freshDir, writeFile } from "../lib/work.js";
import type { Suite } from "../run.js";
import { pythonDebug } from "./debug.js";
import { pythonLatency } from "./latency.js";
import { pythonOverhead } from "./overhead.js";
import { pythonRestart } from "./restart.js";
import { pythonStartup } from "./startup.js";

async function preflight(config: BenchConfig): Promise<string | undefined> {
  const dir = freshDir("py-preflight");
  writeFile(dir, "hello.py", 'def greet():\n    return "hello"\n\nprint(greet(), flush=True)\n');
  const r = await runToExit(
    config.node,
    hotframeArgs(
      {
        watch: dir,
        events: join(dir, "events.jsonl"),
        extra: ["--python", config.python],
      },
      ["hello.py"],
    ),
    { cwd: dir, timeoutMs: 30_000 },
  );
  if (r.exit.code === 0 && r.lines.includes("hello")) return undefined;
  const detail = r.stderr.trim().split("\n").slice(-1)[0] ?? "";
  return `\`hotframe run hello.py\` does not work yet (exit ${r.exit.code ?? r.exit.signal}: ${detail})`;
}

export const pythonBenchmarks: Suite = {
  runtime: "python",
  preflight,
  benchmarks: [
    {
      id: "python-latency",
      title: "Python: patch latency",
      run: pythonLatency,
    },
    {
      id: "python-restart",
      title: "Python: hotframe patch vs restarting the process",
      run: pythonRestart,
    },
    {
      id: "python-overhead",
      title: "Python: instrumentation overhead",
      run: pythonOverhead,
    },
    { id: "python-startup", title: "Python: start-up", run: pythonStartup },
    { id: "python-debug", title: "Python: the debugger's cost", run: pythonDebug },
  ],
};
