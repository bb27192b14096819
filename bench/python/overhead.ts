/** Python instrumentation overhead: the same workloads under plain python3 and under `hotframe run`. */
import { type BenchConfig, count } from "../lib/config.js";
import { interleave, parseResult } from "../lib/overhead.js";
import { hotframeArgs, runToExit } from "../lib/process.js";
import { goal, ratioGoal, type Section } from "../lib/report.js";
import { median, ms, ratio } from "../lib/stats.js";
import { copyFixture, freshDir } from "../lib/work.js";

export async function pythonOverhead(config: BenchConfig): Promise<Section> {
  const dir = freshDir("py-overhead");
  copyFixture("python/workloads.py", dir);
  copyFixture("python/overhead_prog.py", dir);
  const rounds = String(count(config, 12, 4));
  const pairs = count(config, 6, 2);
  const check = (r: Awaited<ReturnType<typeof runToExit>>) => {
    if (r.exit.code !== 0) throw new Error(`exit ${r.exit.code ?? r.exit.signal}: ${r.stderr.slice(-500)}`);
    return parseResult(r.lines);
  };
  config.log(`python overhead: ${pairs} pairs of runs`);
  const result = await interleave(
    pairs,
    async () =>
      check(
        await runToExit(config.python, ["overhead_prog.py", rounds], {
          cwd: dir,
        }),
      ),
    async () =>
      check(
        await runToExit(
          config.node,
          hotframeArgs({ watch: dir, extra: ["--python", config.python] }, ["overhead_prog.py", rounds]),
          { cwd: dir },
        ),
      ),
  );
  const rows = result.workloads.map((name) => {
    const r = median(result.pairRatios[name] ?? []);
    return [
      name,
      ms(median(result.plain[name] ?? [])),
      ms(median(result.hot[name] ?? [])),
      ratio(r),
      ratio(Math.min(...(result.pairRatios[name] ?? []))) +
        " – " +
        ratio(Math.max(...(result.pairRatios[name] ?? []))),
    ];
  });
  const goals = result.workloads.map((name) =>
    ratioGoal(`Python overhead: ${name}`, 1.05, result.pairRatios[name] ?? []),
  );
  if (result.workloads.length === 0) {
    goals.push(
      goal("instrumentation overhead", "≤ 1.05×", `not measured: ${result.failures[0] ?? "?"}`, undefined),
    );
  }
  return {
    title: "Python: instrumentation overhead (steady state)",
    method:
      `overhead_prog.py times each workload in-process (${rounds} rounds after a warm-up, best round per process); ` +
      `${pairs} plain \`python3\` processes interleaved with ${pairs} \`hotframe run\` processes. ` +
      "Ratio = median over pairs of (hotframe / plain) for adjacent runs.",
    headers: ["workload", "python3", "hotframe run", "ratio", "range of pair ratios"],
    rows: rows.length ? rows : [["all", "not measured", result.failures[0] ?? "", "", ""]],
    goals,
    notes: result.failures.slice(0, 2),
  };
}
