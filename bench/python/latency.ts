/** Python patch latency through the real CLI: 1,000- and 20,000-line modules, small heap vs ~1 GB heap. */
import { join } from "node:path";
import { type BenchConfig, count } from "../lib/config.js";
import { editEvents } from "../lib/events.js";
import { editSeries, waitReady } from "../lib/latency.js";
import { hotframeArgs, LineProcess, sleep } from "../lib/process.js";
import { goal, type Section } from "../lib/report.js";
import { median, ms, percentile, ratio } from "../lib/stats.js";
import { copyFixture, freshDir, writeFile } from "../lib/work.js";
import { pythonModule } from "./generate.js";

interface Case {
  lines: number;
  heapMB: number;
}

interface CaseResult extends Case {
  latencies: number[];
  first: number | undefined;
  reported: number[];
  outcomes: string;
  failures: string[];
  rssMB: number;
}

async function runCase(config: BenchConfig, c: Case, edits: number): Promise<CaseResult> {
  const dir = freshDir(`py-latency-${c.lines}-${c.heapMB}`);
  const target = writeFile(dir, "target.py", pythonModule(c.lines, 0));
  copyFixture("python/latency_prog.py", dir);
  const events = join(dir, "events.jsonl");
  const proc = new LineProcess(
    config.node,
    hotframeArgs({ watch: dir, events, extra: ["--python", config.python] }, [
      "latency_prog.py",
      String(c.heapMB),
    ]),
    { cwd: dir },
  );
  try {
    const ready = await waitReady(proc, 180_000);
    await sleep(300);
    const source = (k: number) => pythonModule(c.lines, k);
    // Edit 1 is a warm-up (first patch of the module: lazy imports, first diff); reported on its own.
    const warm = await editSeries({
      proc,
      file: target,
      source,
      edits: 1,
      first: 1,
      gapMs: 200,
      timeoutMs: 15_000,
    });
    const series = await editSeries({
      proc,
      file: target,
      source,
      edits,
      first: 2,
      gapMs: 150,
      timeoutMs: 15_000,
    });
    await sleep(100);
    const all = editEvents(events);
    const reported = all.slice(1).flatMap((e) => (typeof e.durationMs === "number" ? [e.durationMs] : []));
    const outcomes = [...new Set(all.map((e) => e.outcome))].join(", ");
    return {
      ...c,
      latencies: series.latencies,
      first: warm.latencies[0],
      reported,
      outcomes: outcomes || "no edit events",
      failures: [...warm.failures, ...series.failures],
      rssMB: Number(ready.rest[0]) / 1024,
    };
  } finally {
    await proc.stop();
  }
}

export async function pythonLatency(config: BenchConfig): Promise<Section> {
  const edits = count(config, 15, 6);
  const cases: Case[] = [
    { lines: 1000, heapMB: 0 },
    { lines: 20000, heapMB: 0 },
    { lines: 1000, heapMB: 1024 },
  ];
  const results: CaseResult[] = [];
  for (const c of cases) {
    config.log(`python latency: ${c.lines} lines, heap ${c.heapMB} MB`);
    results.push(await runCase(config, c, edits));
  }
  const rows = results.map((r) => [
    `${r.lines.toLocaleString("en")} lines`,
    r.heapMB === 0
      ? `small (RSS ${r.rssMB.toFixed(0)} MB)`
      : `~${r.heapMB} MB live objects (RSS ${r.rssMB.toFixed(0)} MB)`,
    `${r.latencies.length}/${edits}`,
    ms(median(r.latencies)),
    ms(percentile(r.latencies, 90)),
    r.first === undefined ? "–" : ms(r.first),
    ms(median(r.reported)),
    r.outcomes,
  ]);
  const [small, big, heap] = results as [CaseResult, CaseResult, CaseResult];
  const smallMedian = median(small.latencies);
  const heapRatio = median(heap.latencies) / smallMedian;
  const notes = results.flatMap((r) =>
    r.failures.slice(0, 3).map((f) => `${r.lines} lines / ${r.heapMB} MB heap: ${f}`),
  );
  rows.push([
    "heap growth",
    "~1 GB heap vs small heap, 1,000 lines",
    "",
    ratio(heapRatio),
    ratio(percentile(heap.latencies, 90) / percentile(small.latencies, 90)),
    "",
    ratio(median(heap.reported) / median(small.reported)),
    "",
  ]);
  const heapMet = Number.isFinite(heapRatio)
    ? heapRatio <= 1.25 || median(heap.latencies) - smallMedian <= 2
    : undefined;
  return {
    title: "Python: patch latency (file written → new behaviour observed by the program)",
    method:
      "`hotframe run --events … latency_prog.py` polls `target.probe()` every 0.5 ms and prints `time.time()` as soon as " +
      "the value changes; the bench takes its wall-clock time just before writing the file. Each edit changes the " +
      `return value of probe() (in the middle of a generated module). ${edits} edits per case after one warm-up edit ` +
      "(shown as 'first edit'); 'reported' is the durationMs hotframe writes to its events file.",
    headers: ["module", "heap", "edits seen", "median", "p90", "first edit", "reported (median)", "outcome"],
    rows,
    goals: [
      goal(
        "patch latency, 1,000-line module",
        "median ≤ 15 ms",
        ms(smallMedian),
        Number.isFinite(smallMedian) ? smallMedian <= 15 : undefined,
      ),
      goal(
        "patch latency with ~1 GB of live objects",
        "no growth vs small heap (≤ 1.25× or ≤ +2 ms)",
        `${ms(median(heap.latencies))} (${ratio(heapRatio)})`,
        heapMet,
      ),
    ],
    notes: [`20,000-line module: median ${ms(median(big.latencies))} (no goal set in the issue)`, ...notes],
  };
}
