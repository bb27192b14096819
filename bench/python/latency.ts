/** Python patch latency through the real CLI: 1,000- and 20,000-line modules, small heap vs ~1 GB heap. */
import { join } from "node:path";
import { type BenchConfig, count } from "../lib/config.js";
import { editEvents } from "../lib/events.js";
import { BEFORE_FIRST_SAVE_MS, interleavedEdits, waitReady } from "../lib/latency.js";
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
  edits: number;
}

function start(config: BenchConfig, c: Case) {
  const dir = freshDir(`py-latency-${c.lines}-${c.heapMB}`);
  const file = writeFile(dir, "target.py", pythonModule(c.lines, 0));
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
  return {
    c,
    file,
    events,
    proc,
    source: (k: number) => pythonModule(c.lines, k),
    timeoutMs: 20_000,
  };
}

async function runGroup(config: BenchConfig, cases: Case[], edits: number): Promise<CaseResult[]> {
  config.log(`python latency: ${cases.map((c) => `${c.lines} lines/${c.heapMB} MB heap`).join(", ")}`);
  const subjects = cases.map((c) => start(config, c));
  const results: CaseResult[] = [];
  try {
    const ready = await Promise.all(subjects.map((s) => waitReady(s.proc, 180_000)));
    await sleep(BEFORE_FIRST_SAVE_MS);
    const series = await interleavedEdits(subjects, edits, 150);
    await sleep(100);
    for (const [i, s] of subjects.entries()) {
      const all = editEvents(s.events);
      const r = series[i];
      results.push({
        ...s.c,
        latencies: r?.latencies ?? [],
        first: r?.first,
        reported: all.slice(1).flatMap((e) => (typeof e.durationMs === "number" ? [e.durationMs] : [])),
        outcomes: [...new Set(all.map((e) => e.outcome))].join(", ") || "no edit events",
        failures: r?.failures ?? [],
        rssMB: Number(ready[i]?.rest[0]) / 1024,
        edits,
      });
    }
  } finally {
    await Promise.all(subjects.map((s) => s.proc.stop()));
  }
  return results;
}

export async function pythonLatency(config: BenchConfig): Promise<Section> {
  const edits = count(config, 15, 6);
  const cases: Case[] = [
    { lines: 1000, heapMB: 0 },
    { lines: 20000, heapMB: 0 },
    { lines: 1000, heapMB: 1024 },
  ];
  const results: CaseResult[] = [];
  // The two 1,000-line programs (small heap, ~1 GB heap) run at the same time and are edited in
  // turn; the 20,000-line one after them, alone (its patches are long and would load the others).
  for (const group of [cases.filter((c) => c.lines === 1000), cases.filter((c) => c.lines !== 1000)]) {
    const n = group[0]?.lines === 1000 ? edits : count(config, 8, 3);
    results.push(...(await runGroup(config, group, n)));
  }
  results.sort(
    (a, b) =>
      cases.findIndex((c) => c.lines === a.lines && c.heapMB === a.heapMB) -
      cases.findIndex((c) => c.lines === b.lines && c.heapMB === b.heapMB),
  );

  const rows = results.map((r) => [
    `${r.lines.toLocaleString("en")} lines`,
    r.heapMB === 0
      ? `small (RSS ${r.rssMB.toFixed(0)} MB)`
      : `~${r.heapMB} MB live objects (RSS ${r.rssMB.toFixed(0)} MB)`,
    `${r.latencies.length}/${r.edits}`,
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
      "return value of probe() (in the middle of a generated module). The two 1,000-line programs (small heap, ~1 GB " +
      "heap) run at the same time and are edited in turn, so changes in machine load hit both alike; " +
      `${edits} edits each after a first one ('first edit', saved ${BEFORE_FIRST_SAVE_MS / 1000} s after the program is ready, as ` +
      "a user would: the agent prepares a module's first patch once the program has stopped importing); " +
      "the 20,000-line one runs alone afterwards. " +
      "'reported' is the durationMs hotframe writes to its events file.",
    headers: ["module", "heap", "edits seen", "median", "p90", "first edit", "reported (median)", "outcome"],
    rows,
    goals: [
      goal(
        "Python patch latency, 1,000-line module",
        "median ≤ 15 ms",
        ms(smallMedian),
        Number.isFinite(smallMedian) ? smallMedian <= 15 : undefined,
      ),
      goal(
        "Python patch latency, one-function edit in a 20,000-line module",
        "median ≤ 20 ms",
        ms(median(big.latencies)),
        Number.isFinite(median(big.latencies)) ? median(big.latencies) <= 20 : undefined,
      ),
      ...[small, big].map((r) => firstPatchGoal(r)),
      goal(
        "Python patch latency with ~1 GB of live objects",
        "no growth vs small heap (≤ 1.25× or ≤ +2 ms)",
        `${ms(median(heap.latencies))} (${ratio(heapRatio)})`,
        heapMet,
      ),
    ],
    notes,
  };
}

/** The first patch of a module, saved after the program went idle, against the later ones. */
function firstPatchGoal(r: CaseResult) {
  const later = median(r.latencies);
  const measured = r.first === undefined ? undefined : r.first / later;
  return goal(
    `Python first patch of a ${r.lines.toLocaleString("en")}-line module`,
    "≤ 2× a later patch",
    measured === undefined ? "–" : `${ms(r.first as number)} (${ratio(measured)} of ${ms(later)})`,
    measured === undefined || !Number.isFinite(measured) ? undefined : measured <= 2,
  );
}
