/** Node instrumentation overhead: the same workloads under plain node and under `hotframe run`. */
import { join } from "node:path";
import { type BenchConfig, count } from "../lib/config.js";
import { acceptProgram, alternateRounds, type RoundResult } from "../lib/overhead.js";
import { hotframeArgs, LineProcess } from "../lib/process.js";
import { goal, ratioGoal, type Section } from "../lib/report.js";
import { median, ms, ratio } from "../lib/stats.js";
import { copyFixture, freshDir } from "../lib/work.js";

const WORKLOADS = ["fib(32)", "method calls (4M)", "parser + evaluator (0.55 MB input)"];

export async function nodeOverhead(config: BenchConfig): Promise<Section> {
  const dir = freshDir("node-overhead");
  copyFixture("node/workloads.mjs", dir);
  copyFixture("node/overhead_prog.mjs", dir);
  const rounds = count(config, 10, 4);
  const pairs = count(config, 6, 2);
  const result: RoundResult = { pairRatios: {}, wallRatios: {}, plain: {}, hot: {} };
  const failures: string[] = [];
  config.log(`node overhead: ${pairs} pairs of processes, ${rounds} alternating rounds per workload`);
  for (let i = 0; i < pairs; i++) {
    const started: LineProcess[] = [];
    try {
      const start = async (hot: boolean) => {
        const socket = join(dir, `round-${hot ? "hot" : "plain"}.sock`);
        const accepted = acceptProgram(socket, 120_000);
        const entry = ["overhead_prog.mjs", socket];
        started.push(
          new LineProcess(config.node, hot ? hotframeArgs({ watch: dir }, entry) : entry, { cwd: dir }),
        );
        return accepted;
      };
      // One at a time: the warm-up of one does not slow down the other's.
      const plain = await start(false);
      const hot = await start(true);
      await alternateRounds(WORKLOADS, rounds, plain, hot, result);
      plain.close();
      hot.close();
    } catch (error) {
      const stderr = started.map((p) => p.stderr.trim().split("\n").slice(-1)[0]).join(" / ");
      failures.push(`${(error as Error).message.split("\n")[0] ?? ""} ${stderr}`.trim());
      if (failures.length >= 2) break;
    } finally {
      await Promise.all(started.map((p) => p.stop()));
    }
  }
  const measured = WORKLOADS.filter((name) => (result.pairRatios[name] ?? []).length > 0);
  const rows = measured.map((name) => {
    const pr = result.pairRatios[name] ?? [];
    return [
      name,
      ms(median(result.plain[name] ?? [])),
      ms(median(result.hot[name] ?? [])),
      ratio(median(pr)),
      `${ratio(Math.min(...pr))} – ${ratio(Math.max(...pr))}`,
      ratio(median(result.wallRatios[name] ?? [])),
    ];
  });
  const goals = measured.map((name) => {
    const realistic = name.startsWith("parser");
    return ratioGoal(
      `Node overhead: ${name}${realistic ? " (realistic)" : " (call-heavy)"}`,
      realistic ? 1.03 : 1.1,
      result.pairRatios[name] ?? [],
    );
  });
  if (measured.length === 0) {
    goals.push(
      goal("instrumentation overhead", "≤ 1.10× / ≤ 1.03×", `not measured: ${failures[0] ?? "?"}`, undefined),
    );
  }
  return {
    title: "Node: instrumentation overhead (steady state)",
    method:
      `${pairs} pairs of processes, each pair a plain \`node\` and a \`hotframe run\` of overhead_prog.mjs, both ` +
      `warmed up (3 rounds of each workload), then taking turns round by round (${rounds} rounds of each workload ` +
      "per process, the order swapped every round) so that both see the same machine load. Each round is timed " +
      "in-process with process.cpuUsage() (CPU time: waiting for a core is not counted). Ratio = median over " +
      "pairs of (median over rounds of hotframe / plain CPU time of adjacent rounds); the wall-clock ratio is " +
      "shown for comparison. Goals: ≤ 1.10× call-heavy, ≤ 1.03× realistic.",
    headers: [
      "workload",
      "node (CPU)",
      "hotframe run (CPU)",
      "ratio",
      "range over pairs",
      "wall-clock ratio",
    ],
    rows: rows.length ? rows : [["all", "not measured", failures[0] ?? "", "", "", ""]],
    goals,
    notes: failures.slice(0, 2),
  };
}
