/** Node instrumentation overhead: the same workloads under plain node and under `hotframe run`. */
import { type BenchConfig, count } from "../lib/config.js";
import { interleave, parseResult } from "../lib/overhead.js";
import { hotframeArgs, runToExit } from "../lib/process.js";
import { goal, ratioGoal, type Section } from "../lib/report.js";
import { median, ms, ratio } from "../lib/stats.js";
import { copyFixture, freshDir } from "../lib/work.js";

export async function nodeOverhead(config: BenchConfig): Promise<Section> {
  const dir = freshDir("node-overhead");
  copyFixture("node/workloads.mjs", dir);
  copyFixture("node/overhead_prog.mjs", dir);
  const rounds = String(count(config, 12, 4));
  const pairs = count(config, 6, 2);
  const check = (r: Awaited<ReturnType<typeof runToExit>>) => {
    if (r.exit.code !== 0) throw new Error(`exit ${r.exit.code ?? r.exit.signal}: ${r.stderr.slice(-500)}`);
    return parseResult(r.lines);
  };
  config.log(`node overhead: ${pairs} pairs of runs`);
  const result = await interleave(
    pairs,
    async () =>
      check(
        await runToExit(config.node, ["overhead_prog.mjs", rounds], {
          cwd: dir,
        }),
      ),
    async () =>
      check(
        await runToExit(config.node, hotframeArgs({ watch: dir }, ["overhead_prog.mjs", rounds]), {
          cwd: dir,
        }),
      ),
  );
  const rows = result.workloads.map((name) => {
    const pr = result.pairRatios[name] ?? [];
    return [
      name,
      ms(median(result.plain[name] ?? [])),
      ms(median(result.hot[name] ?? [])),
      ratio(median(pr)),
      `${ratio(Math.min(...pr))} – ${ratio(Math.max(...pr))}`,
    ];
  });
  const goals = result.workloads.map((name) => {
    const realistic = name.startsWith("parser");
    return ratioGoal(
      `Node overhead: ${name}${realistic ? " (realistic)" : " (call-heavy)"}`,
      realistic ? 1.03 : 1.1,
      result.pairRatios[name] ?? [],
    );
  });
  if (result.workloads.length === 0) {
    goals.push(
      goal(
        "instrumentation overhead",
        "≤ 1.10× / ≤ 1.03×",
        `not measured: ${result.failures[0] ?? "?"}`,
        undefined,
      ),
    );
  }
  return {
    title: "Node: instrumentation overhead (steady state)",
    method:
      `overhead_prog.mjs times each workload in-process after two warm-up rounds (${rounds} rounds, best round per ` +
      `process); ${pairs} plain \`node\` processes interleaved with ${pairs} \`hotframe run\` processes. ` +
      "Ratio = median over pairs of (hotframe / plain) for adjacent runs. Goals: ≤ 1.10× call-heavy, ≤ 1.03× realistic.",
    headers: ["workload", "node", "hotframe run", "ratio", "range of pair ratios"],
    rows: rows.length ? rows : [["all", "not measured", result.failures[0] ?? "", "", ""]],
    goals,
    notes: result.failures.slice(0, 2),
  };
}
