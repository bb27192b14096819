/** Python instrumentation overhead: the same workloads under plain python3 and under `hotframe run`. */
import { execFileSync, spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { type BenchConfig, count } from "../lib/config.js";
import { interleave, parseResult } from "../lib/overhead.js";
import { hotframeArgs, runToExit } from "../lib/process.js";
import { type Goal, goal, ratioGoal, type Section } from "../lib/report.js";
import { median, ms, ratio } from "../lib/stats.js";
import { copyFixture, freshDir, writeFile } from "../lib/work.js";
import { type Python, pythonsToMeasure } from "./pythons.js";

/** Issue 8: mixed and realistic workloads ≤ 1.03×. The call-heavy ones are the worst case of
 * the per-call cost (a call does almost nothing else), not a workload: ≤ 1.05×. */
const REALISTIC_GOAL = 1.03;
const CALL_HEAVY_GOAL = 1.05;
const isRealistic = (name: string) => name.startsWith("JSON") || name.startsWith("mixed");
const limitOf = (name: string) => (isRealistic(name) ? REALISTIC_GOAL : CALL_HEAVY_GOAL);
const kindOf = (name: string) => (isRealistic(name) ? "realistic" : "call-heavy");

/** The interpreter's own executable (valgrind must not count a pyenv shim's shell). */
function executable(python: string): string {
  return spawnSync(python, ["-c", "import sys; print(sys.executable)"], { encoding: "utf8" }).stdout.trim();
}

/**
 * Per workload, the main thread's instructions of each counted round: overhead_prog.py --count
 * under callgrind, which dumps its counts (one file per thread) before each os.getpgrp() the
 * program calls after a round. Python runs no JIT: a count is the same from one run to the next.
 */
async function countRounds(dir: string, node: string, python: Python, hot: boolean, rounds: number) {
  const tag = `${python.version}-${hot ? "hot" : "plain"}`;
  const out = join(dir, `callgrind-${tag}`);
  const wrapper = writeFile(
    dir,
    `valgrind-python-${tag}`,
    "#!/bin/sh\n" +
      `exec valgrind --tool=callgrind --separate-threads=yes --dump-before='os_getpgrp*' ` +
      `--callgrind-out-file=${out}.%p --log-file=${out}.%p.log ${executable(python.path)} "$@"\n`,
  );
  execFileSync("chmod", ["+x", wrapper]);
  const entry = ["overhead_prog.py", "--count", String(rounds)];
  const env = { ...process.env, PYTHONHASHSEED: "0" };
  const r = hot
    ? await runToExit(node, hotframeArgs({ watch: dir, extra: ["--python", wrapper] }, entry), {
        cwd: dir,
        env,
        timeoutMs: 900_000,
      })
    : await runToExit(wrapper, entry, { cwd: dir, env, timeoutMs: 900_000 });
  if (r.exit.code !== 0) throw new Error(`callgrind run exit ${r.exit.code}: ${r.stderr.slice(-300)}`);
  const prefix = `callgrind-${tag}.`;
  const pid = readdirSync(dir)
    .filter((f) => f.startsWith(prefix) && f.endsWith(".log"))
    .map((f) => f.slice(prefix.length, -".log".length))
    .find((p) => readFileSync(join(dir, `${prefix}${p}.log`), "utf8").includes("overhead_prog.py --count"));
  if (pid === undefined) throw new Error(`callgrind: no count of overhead_prog.py (${tag})`);
  const dumps = (n: number) => {
    const text = readFileSync(join(dir, `${prefix}${pid}.${n}-01`), "utf8");
    return Number(/^(?:summary|totals): (\d+)/m.exec(text)?.[1] ?? Number.NaN);
  };
  // The program's markers are the last dumps (one after each workload's warm-up, one after each
  // round): nothing else calls os.getpgrp() once it runs them.
  const last = Math.max(
    ...readdirSync(dir)
      .map((f) => new RegExp(`^${prefix}${pid}\\.(\\d+)-01$`).exec(f)?.[1])
      .map(Number)
      .filter(Number.isFinite),
  );
  const first = last - WORKLOAD_COUNT * (rounds + 1) + 1;
  const perWorkload: number[][] = [];
  for (let w = 0; w < WORKLOAD_COUNT; w++)
    perWorkload.push(Array.from({ length: rounds }, (_, k) => dumps(first + w * (rounds + 1) + 1 + k)));
  return perWorkload;
}

/** The workloads of overhead_prog.py, in its order. */
const WORKLOADS = [
  "fib(29)",
  "method calls (300k)",
  "JSON + text processing",
  "mixed (classes, closures, generators, JSON, strings)",
];
const WORKLOAD_COUNT = WORKLOADS.length;

interface Counted {
  python: Python;
  /** workload → instructions per round (median), plain and hotframe, and per-round ratios. */
  byWorkload: Record<string, { plain: number; hot: number; ratios: number[] }>;
}

async function countInstructions(config: BenchConfig, dir: string, rounds: number): Promise<Counted[]> {
  const counted: Counted[] = [];
  for (const python of pythonsToMeasure(config)) {
    config.log(`python overhead: instructions under callgrind, Python ${python.version}`);
    // A first run fills the agent's cache of instrumented modules, as in any later start.
    await runToExit(
      config.node,
      hotframeArgs({ watch: dir, extra: ["--python", python.path] }, ["overhead_prog.py", "0"]),
      {
        cwd: dir,
      },
    );
    const [plain, hot] = await Promise.all(
      [false, true].map((hot) => countRounds(dir, config.node, python, hot, rounds)),
    );
    const byWorkload: Counted["byWorkload"] = {};
    WORKLOADS.forEach((name, w) => {
      const p = plain?.[w] ?? [];
      const h = hot?.[w] ?? [];
      byWorkload[name] = {
        plain: median(p),
        hot: median(h),
        ratios: h.map((x, k) => x / (p[k] ?? Number.NaN)),
      };
    });
    counted.push({ python, byWorkload });
  }
  return counted;
}

export async function pythonOverhead(config: BenchConfig): Promise<Section> {
  const dir = freshDir("py-overhead");
  copyFixture("python/workloads.py", dir);
  copyFixture("python/overhead_prog.py", dir);
  const rounds = String(count(config, 12, 4));
  const pairs = count(config, 6, 2);
  const countedRounds = count(config, 5, 3);
  const check = (r: Awaited<ReturnType<typeof runToExit>>) => {
    if (r.exit.code !== 0) throw new Error(`exit ${r.exit.code ?? r.exit.signal}: ${r.stderr.slice(-500)}`);
    return parseResult(r.lines);
  };
  config.log(`python overhead: ${pairs} pairs of runs`);
  const result = await interleave(
    pairs,
    async () => check(await runToExit(config.python, ["overhead_prog.py", rounds], { cwd: dir })),
    async () =>
      check(
        await runToExit(
          config.node,
          hotframeArgs({ watch: dir, extra: ["--python", config.python] }, ["overhead_prog.py", rounds]),
          { cwd: dir },
        ),
      ),
  );
  const failures = [...result.failures];
  let counted: Counted[] = [];
  if (spawnSync("valgrind", ["--version"]).status === 0) {
    try {
      counted = await countInstructions(config, dir, countedRounds);
    } catch (error) {
      failures.push((error as Error).message.split("\n")[0] ?? "");
    }
  }
  const range = (values: number[]) =>
    values.length ? `${ratio(Math.min(...values))} – ${ratio(Math.max(...values))}` : "–";
  const mi = (n: number | undefined) =>
    n === undefined || !Number.isFinite(n) ? "–" : `${(n / 1e6).toFixed(2)} M`;
  const rows = WORKLOADS.flatMap((name) => {
    const pr = result.pairRatios[name] ?? [];
    const timed = [
      `${name} (${kindOf(name)}, ≤ ${limitOf(name).toFixed(2)}×)`,
      "CPU time (main thread)",
      ms(median(result.plain[name] ?? [])),
      ms(median(result.hot[name] ?? [])),
      ratio(median(pr)),
      range(pr),
    ];
    const byPython = counted.map(({ python, byWorkload }) => {
      const c = byWorkload[name];
      return [
        "",
        `instructions, Python ${python.version}`,
        mi(c?.plain),
        mi(c?.hot),
        ratio(median(c?.ratios ?? [])),
        range(c?.ratios ?? []),
      ];
    });
    return pr.length || byPython.length ? [timed, ...byPython] : [];
  });
  // Instruction counts decide when there are any: on a loaded machine CPU time moves by ±10%.
  const goals: Goal[] = WORKLOADS.flatMap((name) => {
    const what = `Python overhead: ${name} (${kindOf(name)})`;
    if (counted.length === 0)
      return [ratioGoal(`${what}, CPU time`, limitOf(name), result.pairRatios[name] ?? [])];
    return counted.map(({ python, byWorkload }) =>
      ratioGoal(
        `${what}, instructions, Python ${python.version}`,
        limitOf(name),
        byWorkload[name]?.ratios ?? [],
      ),
    );
  });
  if (rows.length === 0) {
    goals.push(
      goal(
        "instrumentation overhead",
        `≤ ${REALISTIC_GOAL.toFixed(2)}×`,
        `not measured: ${failures[0] ?? "?"}`,
        undefined,
      ),
    );
  }
  return {
    title: "Python: instrumentation overhead (steady state)",
    method:
      `CPU time: overhead_prog.py times each workload in-process with the main thread's CPU time (${rounds} rounds ` +
      `after a warm-up, best round per process); ${pairs} plain \`python3\` processes interleaved with ${pairs} ` +
      "`hotframe run` processes; ratio = median over pairs of (hotframe / plain) for adjacent runs. Instructions: " +
      `callgrind counts the main thread's instructions of each of ${countedRounds} rounds per workload (after a ` +
      "warm-up round, once the agent's background thread has prepared every module), smaller inputs (fib(18), 20k " +
      "method calls, 600 records, mixed at 600); ratio = median over rounds of hotframe / plain (their range " +
      "beside it), for `python3` and the newest other Python installed. Python has no JIT: a count does not depend " +
      `on the machine's load. Goals (issue 8): realistic and mixed workloads ≤ ${REALISTIC_GOAL.toFixed(2)}×; the ` +
      `call-heavy ones (fib, method calls: a call that does almost nothing else) ≤ ${CALL_HEAVY_GOAL.toFixed(2)}×, ` +
      "the worst case of the per-call cost. They are judged on instructions when valgrind is installed, else on CPU time.",
    headers: ["workload (goal)", "measured", "python3", "hotframe run", "ratio", "range"],
    rows: rows.length ? rows : [["all", "not measured", failures[0] ?? "", "", "", ""]],
    goals,
    notes: failures.slice(0, 2),
  };
}
