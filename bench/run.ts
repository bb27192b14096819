/**
 * `npm run bench [-- python | node] [--quick] [--only <id>] [--write]`: runs the benchmarks and writes
 * their tables to docs/benchmarks.md (full runs) or bench/.work/benchmarks.md (subsets, quick runs).
 * `-- python --write` (or node) replaces that runtime's goals and sections in docs/benchmarks.md
 * and keeps the other's.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { dirname, join } from "node:path";
import type { BenchConfig } from "./lib/config.js";
import { mergeRuntime, mergeSections, renderDoc } from "./lib/doc.js";
import { describeMachine } from "./lib/machine.js";
import { REPO } from "./lib/process.js";
import { notMeasured, renderSectionText, type Section } from "./lib/report.js";
import { WORK } from "./lib/work.js";
import { nodeBenchmarks } from "./node/index.js";
import { pythonBenchmarks } from "./python/index.js";

export interface Benchmark {
  id: string;
  title: string;
  run: (config: BenchConfig) => Promise<Section>;
  /** Still worth running (its baselines) when hotframe cannot run the runtime yet. */
  baselinesAlone?: boolean;
}

/** A runtime's benchmarks, and a check that hotframe can run that runtime's programs at all. */
export interface Suite {
  runtime: "python" | "node";
  preflight: (config: BenchConfig) => Promise<string | undefined>;
  benchmarks: Benchmark[];
}

function parse(argv: string[]) {
  const runtimes = new Set<string>();
  const only: string[] = [];
  let quick = false;
  let write = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === "python" || arg === "node") runtimes.add(arg);
    else if (arg === "--quick") quick = true;
    else if (arg === "--write") write = true;
    else if (arg === "--only") only.push(argv[++i] ?? "");
    else {
      process.stderr.write(
        `bench: unknown argument ${arg}\nusage: npm run bench -- [python|node] [--quick] [--only <id>] [--write]\n`,
      );
      process.exit(2);
    }
  }
  return { runtimes, only, quick, write };
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const options = parse(argv);
  const started = performance.now();
  const config: BenchConfig = {
    quick: options.quick,
    python: process.env.HOTFRAME_BENCH_PYTHON ?? "python3",
    node: process.execPath,
    only: options.only,
    log: (message) =>
      process.stderr.write(`[bench ${((performance.now() - started) / 1000).toFixed(0)}s] ${message}\n`),
  };
  const machine = describeMachine(config.python);
  const suites = [pythonBenchmarks, nodeBenchmarks].filter(
    (s) => options.runtimes.size === 0 || options.runtimes.has(s.runtime),
  );
  const sections: Section[] = [];
  for (const suite of suites) {
    const benchmarks = suite.benchmarks.filter(
      (b) => config.only.length === 0 || config.only.some((o) => b.id.includes(o)),
    );
    if (benchmarks.length === 0) continue;
    const why = await suite.preflight(config).catch((error: Error) => error.message);
    for (const benchmark of benchmarks) {
      let section: Section;
      if (why !== undefined && !benchmark.baselinesAlone) {
        section = notMeasured(benchmark.title, "", why, []);
      } else {
        try {
          section = await benchmark.run({ ...config, hotframeMissing: why });
        } catch (error) {
          section = notMeasured(
            benchmark.title,
            "",
            `the benchmark failed: ${(error as Error).message.split("\n")[0]}`,
            [],
          );
        }
      }
      process.stdout.write(`\n${renderSectionText(section)}\n`);
      sections.push(section);
    }
  }
  const full = options.runtimes.size === 0 && !options.quick && options.only.length === 0;
  const target = full || options.write ? join(REPO, "docs", "benchmarks.md") : join(WORK, "benchmarks.md");
  const command = argv.length
    ? `npm run bench -- ${argv.filter((a) => a !== "--write").join(" ")}`
    : "npm run bench";
  mkdirSync(dirname(target), { recursive: true });
  let doc = renderDoc({
    sections,
    machine,
    command,
    elapsedS: (performance.now() - started) / 1000,
    loadAtEnd: loadavg()
      .map((l) => l.toFixed(2))
      .join(" / "),
  });
  // One runtime's benchmarks, all of them, written into the document: the other runtime's stay.
  const [runtime] = [...options.runtimes];
  if (
    options.write &&
    options.runtimes.size === 1 &&
    options.only.length === 0 &&
    existsSync(target) &&
    runtime
  ) {
    doc = mergeRuntime(readFileSync(target, "utf8"), doc, runtime === "python" ? "Python" : "Node");
  } else if (options.write && options.only.length > 0 && existsSync(target)) {
    doc = mergeSections(readFileSync(target, "utf8"), doc);
  }
  writeFileSync(target, doc);
  process.stdout.write(`\nwrote ${target}\n`);
}

await main();
