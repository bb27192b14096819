/** The Node benchmarks, and the check that `hotframe run` can run a Node program here. */
import { join } from "node:path";
import type { BenchConfig } from "../lib/config.js";
import { hotframeArgs, runToExit } from "../lib/process.js";
import { freshDir, writeFile } from "../lib/work.js";
import type { Suite } from "../run.js";
import { nodeDebug } from "./debug.js";
import { nodeFirstSave } from "./first-save.js";
import { nodeHttp } from "./http.js";
import { nodeLatency } from "./latency.js";
import { nodeOverhead } from "./overhead.js";
import { nodeStartup } from "./startup.js";

async function preflight(config: BenchConfig): Promise<string | undefined> {
  const dir = freshDir("node-preflight");
  writeFile(dir, "hello.mjs", 'function greet() {\n  return "hello";\n}\nconsole.log(greet());\n');
  const r = await runToExit(
    config.node,
    hotframeArgs({ watch: dir, events: join(dir, "events.jsonl") }, ["hello.mjs"]),
    { cwd: dir, timeoutMs: 30_000 },
  );
  if (r.exit.code === 0 && r.lines.includes("hello")) return undefined;
  const detail = r.stderr.trim().split("\n").slice(-1)[0] ?? "";
  return `\`hotframe run hello.mjs\` does not work yet (exit ${r.exit.code ?? r.exit.signal}: ${detail})`;
}

export const nodeBenchmarks: Suite = {
  runtime: "node",
  preflight,
  benchmarks: [
    {
      id: "node-latency",
      title: "Node: patch latency",
      run: nodeLatency,
      baselinesAlone: true,
    },
    { id: "node-first-save", title: "Node: first save of a file", run: nodeFirstSave },
    {
      id: "node-overhead",
      title: "Node: instrumentation overhead",
      run: nodeOverhead,
    },
    { id: "node-http", title: "Node: HTTP server throughput", run: nodeHttp },
    {
      id: "node-startup",
      title: "Node: start-up and memory",
      run: nodeStartup,
    },
    { id: "node-debug", title: "Node: the debugger's cost", run: nodeDebug },
  ],
};
