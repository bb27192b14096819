/**
 * Node patch latency through the real CLI (1,000- and 50,000-line modules, small heap vs ~500 MB),
 * side by side with `node --watch` restarting the program and with V8's own Debugger.setScriptSource.
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { delimiter, join } from "node:path";
import { type BenchConfig, count } from "../lib/config.js";
import { editEvents } from "../lib/events.js";
import { editSeries, interleavedEdits, waitReady } from "../lib/latency.js";
import { nodeBinaries } from "../../test/helpers/node-versions.js";
import { hotframeArgs, LineProcess, sleep } from "../lib/process.js";
import { goal, type Section } from "../lib/report.js";
import { median, ms, percentile, ratio } from "../lib/stats.js";
import { copyFixture, freshDir, writeFile } from "../lib/work.js";
import { nodeModule } from "./generate.js";

interface Case {
  lines: number;
  heapMB: number;
  /** Each edit also adds a line at the top of probe(), moving the half of the module below it. */
  addsLines?: boolean;
}

interface Outcome {
  approach: string;
  c: Case;
  latencies: number[];
  edits: number;
  first?: number;
  extra: string;
  failures: string[];
  heapUsedMB?: number;
}

const label = (c: Case) =>
  `${c.lines.toLocaleString("en")} lines${c.addsLines ? ", each edit adds a line in the middle" : ""}`;
const sourceOf = (c: Case, k: number) => nodeModule(c.lines, k, c.addsLines ? k : 0);

function setup(name: string, c: Case): { dir: string; target: string } {
  const dir = freshDir(name);
  const target = writeFile(dir, "target.mjs", sourceOf(c, 0));
  copyFixture("node/latency_prog.mjs", dir);
  copyFixture("node/v8_prog.mjs", dir);
  return { dir, target };
}

async function measure(
  approach: string,
  c: Case,
  edits: number,
  target: string,
  proc: LineProcess,
  opts: {
    gapMs: number;
    expect?: (k: number) => string;
    failOn?: (line: string) => boolean;
  },
): Promise<Outcome> {
  try {
    const ready = await waitReady(proc, 180_000);
    await sleep(300);
    const source = (k: number) => sourceOf(c, k);
    const common = {
      proc,
      file: target,
      source,
      timeoutMs: 20_000,
      expect: opts.expect,
      failOn: opts.failOn,
    };
    const warm = await editSeries({
      ...common,
      edits: 1,
      first: 1,
      gapMs: opts.gapMs + 100,
    });
    // An approach that cannot apply even the first edit (e.g. live edit on Node 26) is not retried.
    const series = warm.latencies.length
      ? await editSeries({ ...common, edits, first: 2, gapMs: opts.gapMs })
      : { latencies: [], failures: [] };
    return {
      approach,
      c,
      edits,
      latencies: series.latencies,
      first: warm.latencies[0],
      extra: "",
      failures: [...warm.failures, ...series.failures],
      heapUsedMB: Number(ready.rest[0]),
    };
  } finally {
    await proc.stop();
  }
}

function hotframeDetails(events: string): string {
  const all = editEvents(events);
  const reported = all.slice(1).flatMap((e) => (typeof e.durationMs === "number" ? [e.durationMs] : []));
  const outcomes = [...new Set(all.map((e) => e.outcome))].join(", ") || "no edit events";
  return `reported durationMs median ${ms(median(reported))}; outcome ${outcomes}`;
}

function startHotframe(config: BenchConfig, c: Case, node?: string, tag = "") {
  const { dir, target } = setup(`node-latency-${c.lines}-${c.heapMB}${tag.replace(/\W+/g, "")}`, c);
  const events = join(dir, "events.jsonl");
  const extra = node ? ["--node", node] : [];
  const proc = new LineProcess(
    config.node,
    hotframeArgs({ watch: dir, events, extra }, ["latency_prog.mjs", String(c.heapMB)]),
    { cwd: dir },
  );
  return {
    c,
    events,
    proc,
    file: target,
    source: (k: number) => sourceOf(c, k),
    timeoutMs: 20_000,
  };
}

async function hotframe(
  config: BenchConfig,
  c: Case,
  edits: number,
  node?: string,
  tag = "",
): Promise<Outcome> {
  const s = startHotframe(config, c, node, tag);
  const outcome = await measure(`hotframe${tag}`, c, edits, s.file, s.proc, {
    gapMs: 150,
  });
  outcome.extra = hotframeDetails(s.events);
  return outcome;
}

/** Several hotframe programs running at once, edited in turn: load changes hit every case alike. */
async function hotframeTogether(config: BenchConfig, cases: Case[], edits: number): Promise<Outcome[]> {
  const subjects = cases.map((c) => startHotframe(config, c));
  try {
    const ready = await Promise.all(subjects.map((s) => waitReady(s.proc, 180_000)));
    await sleep(500);
    const series = await interleavedEdits(subjects, edits, 150);
    await sleep(100);
    return subjects.map((s, i) => ({
      approach: "hotframe",
      c: s.c,
      edits,
      latencies: series[i]?.latencies ?? [],
      first: series[i]?.first,
      extra: hotframeDetails(s.events),
      failures: series[i]?.failures ?? [],
      heapUsedMB: Number(ready[i]?.rest[0]),
    }));
  } finally {
    await Promise.all(subjects.map((s) => s.proc.stop()));
  }
}

async function v8(
  config: BenchConfig,
  c: Case,
  edits: number,
  node = config.node,
  tag = "",
): Promise<Outcome> {
  const { dir, target } = setup(`node-v8-${c.lines}-${c.heapMB}${tag}`, c);
  const proc = new LineProcess(node, ["v8_prog.mjs", String(c.heapMB)], {
    cwd: dir,
  });
  const outcome = await measure(`setScriptSource${tag}`, c, edits, target, proc, {
    gapMs: 150,
    failOn: (line) => line.startsWith("v8 error"),
  });
  const calls = proc.lines.filter((l) => l.startsWith("v8 "));
  const applied = calls.filter((l) => !l.startsWith("v8 error"));
  const times = applied.slice(1).flatMap((l) => {
    const t = Number(l.split(" ")[2]);
    return Number.isFinite(t) ? [t] : [];
  });
  const errors = calls.filter((l) => l.startsWith("v8 error"));
  outcome.extra = times.length
    ? `setScriptSource call alone: median ${ms(median(times))}`
    : `not available: ${(errors[0] ?? "no reply").split(" ").slice(3).join(" ")}`;
  if (errors.length)
    outcome.failures.unshift(`setScriptSource: ${(errors[0] as string).split(" ").slice(3).join(" ")}`);
  return outcome;
}

async function nodeWatch(config: BenchConfig, c: Case, edits: number): Promise<Outcome> {
  const { dir, target } = setup(`node-watch-${c.lines}-${c.heapMB}`, c);
  const proc = new LineProcess(
    config.node,
    ["--watch", "--watch-preserve-output", "latency_prog.mjs", String(c.heapMB)],
    { cwd: dir, env: { ...process.env, NODE_NO_WARNINGS: "1" } },
  );
  const outcome = await measure("node --watch", c, edits, target, proc, {
    gapMs: 400,
    expect: (k) => `ready ${k} `,
  });
  outcome.extra = "restart: program state rebuilt, old state lost";
  return outcome;
}

/**
 * Node binaries of other major versions than the one running the bench: the extra majors
 * installed by `npm run setup:nodes` and any node on PATH outside node_modules (the system's).
 */
export function otherNodes(): { version: string; path: string }[] {
  const candidates = nodeBinaries().flatMap((n) => (n.path ? [n.path] : []));
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    if (dir && !dir.includes("node_modules")) candidates.push(join(dir, "node"));
  }
  const own = process.versions.node.split(".")[0];
  const found = new Map<string, string>();
  for (const path of candidates) {
    if (!existsSync(path)) continue;
    let major: string | undefined;
    try {
      major = execFileSync(path, ["--version"], { encoding: "utf8" }).trim().replace(/^v/, "").split(".")[0];
    } catch {
      continue;
    }
    if (major && major !== own && !found.has(major)) found.set(major, path);
  }
  return [...found]
    .map(([version, path]) => ({ version, path }))
    .sort((a, b) => Number(a.version) - Number(b.version));
}

export async function nodeLatency(config: BenchConfig): Promise<Section> {
  const edits = count(config, 15, 5);
  const slowEdits = count(config, 5, 3);
  const small: Case = { lines: 1000, heapMB: 0 };
  const big: Case = { lines: 50_000, heapMB: 0 };
  const bigMoving: Case = { lines: 50_000, heapMB: 0, addsLines: true };
  const heap: Case = { lines: 1000, heapMB: 500 };
  const outcomes: Outcome[] = [];
  const run = async (what: string, f: () => Promise<Outcome>) => {
    config.log(`node latency: ${what}`);
    try {
      outcomes.push(await f());
    } catch (error) {
      config.log(`  failed: ${(error as Error).message.split("\n")[0]}`);
    }
  };
  if (config.hotframeMissing === undefined) {
    config.log("node latency: hotframe, 1,000 lines, small heap and ~500 MB heap, edited in turn");
    try {
      outcomes.push(...(await hotframeTogether(config, [small, heap], edits)));
    } catch (error) {
      config.log(`  failed: ${(error as Error).message.split("\n")[0]}`);
    }
    await run(`hotframe ${label(big)}`, () => hotframe(config, big, slowEdits));
    await run(`hotframe ${label(bigMoving)}`, () => hotframe(config, bigMoving, slowEdits));
  }
  for (const c of [small, big, heap]) {
    await run(`setScriptSource ${label(c)}, heap ${c.heapMB} MB`, () =>
      v8(config, c, c === small ? edits : slowEdits),
    );
  }
  for (const c of [small, heap]) {
    await run(`node --watch ${label(c)}, heap ${c.heapMB} MB`, () =>
      nodeWatch(config, c, count(config, 4, 2)),
    );
  }
  for (const other of otherNodes()) {
    const tag = ` (Node ${other.version})`;
    if (config.hotframeMissing === undefined) {
      await run(`hotframe on Node ${other.version}`, () =>
        hotframe(config, small, count(config, 5, 2), other.path, tag),
      );
    }
    await run(`setScriptSource on Node ${other.version}`, () =>
      v8(config, small, count(config, 5, 2), other.path, tag),
    );
  }
  const find = (approach: string, c: Case) => outcomes.find((o) => o.approach === approach && o.c === c);
  const med = (o: Outcome | undefined) => (o ? median(o.latencies) : Number.NaN);
  const caseIndex = (c: Case) => [small, big, bigMoving, heap].indexOf(c);
  const versionOf = (o: Outcome) => / \(Node \d+\)$/.exec(o.approach)?.[0] ?? "";
  const approachIndex = (o: Outcome) =>
    ["hotframe", "setScriptSource", "node --watch"].findIndex((a) => o.approach.startsWith(a));
  outcomes.sort(
    (a, b) =>
      versionOf(a).localeCompare(versionOf(b)) ||
      caseIndex(a.c) - caseIndex(b.c) ||
      approachIndex(a) - approachIndex(b),
  );
  const rows = outcomes.map((o) => {
    const version = / \(Node \d+\)$/.exec(o.approach)?.[0] ?? "";
    const hot = med(find(`hotframe${version}`, o.c));
    return [
      o.approach,
      label(o.c),
      o.c.heapMB === 0
        ? `small (${o.heapUsedMB ?? "?"} MB used)`
        : `~${o.c.heapMB} MB (${o.heapUsedMB ?? "?"} MB used)`,
      `${o.latencies.length}/${o.edits}`,
      ms(median(o.latencies)),
      ms(percentile(o.latencies, 90)),
      o.first === undefined ? "–" : ms(o.first),
      o.approach.startsWith("hotframe") ? "1×" : ratio(median(o.latencies) / hot),
      o.extra,
    ];
  });
  const hotSmall = med(find("hotframe", small));
  const hotBig = med(find("hotframe", big));
  const hotMoving = med(find("hotframe", bigMoving));
  const hotHeap = med(find("hotframe", heap));
  const heapRatio = hotHeap / hotSmall;
  if (config.hotframeMissing !== undefined) {
    rows.unshift(["hotframe", "all", "", "", "not measured", "", "", "", config.hotframeMissing]);
  }
  const notes = outcomes.flatMap((o) =>
    o.failures.slice(0, 2).map((f) => `${o.approach}, ${label(o.c)}, heap ${o.c.heapMB} MB: ${f}`),
  );
  if (Number.isFinite(hotMoving))
    notes.unshift(
      `50,000-line module, each edit adding a line in the middle: median ${ms(hotMoving)} (no goal set in the issue). ` +
        "Every function below the edit is recompiled so that its stack-trace lines follow the file.",
    );
  const known = (v: number, met: boolean) => (Number.isFinite(v) ? met : undefined);
  const shown = (text: string) =>
    config.hotframeMissing === undefined ? text : `not measured: ${config.hotframeMissing}`;
  return {
    title: "Node: patch latency (file written → new behaviour observed by the program)",
    method:
      "latency_prog.mjs polls `target.probe()` from a 1 ms timer and prints `performance.timeOrigin + performance.now()` " +
      "as soon as the value changes; the bench takes its wall-clock time just before writing target.mjs (an ES module; " +
      `probe() in the middle). hotframe: \`hotframe run\`, ${edits} edits after one warm-up edit ('first edit'); ` +
      "the small-heap and ~500 MB-heap programs run at the same time and are edited in turn. " +
      "setScriptSource: plain node; the program watches target.mjs itself (fs.watch) and applies the new source with " +
      "Debugger.setScriptSource through an in-process node:inspector Session. node --watch: the time until the restarted " +
      "program serves again (prints its first value). 'vs hotframe' = this median / hotframe's median for the same case " +
      `(and Node version). Unmarked rows: Node ${process.versions.node}, the node running the bench; other versions: ` +
      "the extra majors of `npm run setup:nodes` (.nodes/) and the system's node.",
    headers: [
      "approach",
      "module",
      "heap",
      "edits seen",
      "median",
      "p90",
      "first edit",
      "vs hotframe",
      "details",
    ],
    rows,
    goals: [
      goal(
        "Node patch latency, 1,000-line module",
        "median ≤ 15 ms",
        shown(ms(hotSmall)),
        known(hotSmall, hotSmall <= 15),
      ),
      goal(
        "Node patch latency, 50,000-line module",
        "median ≤ 50 ms",
        shown(ms(hotBig)),
        known(hotBig, hotBig <= 50),
      ),

      goal(
        "Node patch latency with a ~500 MB heap",
        "flat in heap size (≤ 1.25× or ≤ +2 ms)",
        shown(`${ms(hotHeap)} (${ratio(heapRatio)})`),
        known(heapRatio, heapRatio <= 1.25 || hotHeap - hotSmall <= 2),
      ),
    ],
    notes,
  };
}
