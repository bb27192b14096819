/** Node instrumentation overhead: the same workloads under plain node and under `hotframe run`. */
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { type BenchConfig, count } from "../lib/config.js";
import { acceptProgram, alternateRounds, type RoundResult } from "../lib/overhead.js";
import { CLI, hotframeArgs, LineProcess, runToExit } from "../lib/process.js";
import { goal, ratioGoal, type Section } from "../lib/report.js";
import { median, ms, ratio } from "../lib/stats.js";
import { copyFixture, freshDir } from "../lib/work.js";

/** As overhead_prog.mjs names them: the workload, and how many times a round runs it (≥ ~200 ms). */
const WORKLOADS = [
  "fib(32) ×6",
  "method calls (4M) ×8",
  "parser + evaluator (0.55 MB input) ×3",
  "mixed (classes, recursion, closures, generators, JSON, strings) ×16",
];
/** Issue 9's goals: call-heavy code (fib) ≤ 1.10×, realistic and mixed workloads ≤ 1.05×. */
const CALL_HEAVY_GOAL = 1.1;
const REALISTIC_GOAL = 1.05;
const isRealistic = (name: string) => name.startsWith("parser") || name.startsWith("mixed");

function hasValgrind(): boolean {
  try {
    execFileSync("valgrind", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/**
 * Instructions of one run of overhead_prog.mjs --count, counted by valgrind (the program's own
 * process: under hotframe the one that loads the agent's preload). `--predictable` makes V8
 * deterministic (no concurrent compilation), so the count does not depend on the machine's load.
 */
async function instructions(config: BenchConfig, dir: string, hot: boolean, argv: string[], pad: number) {
  const entry = ["overhead_prog.mjs", "--count", ...argv];
  const node = hot
    ? [CLI, "run", "--quiet", "--no-color", "--node-options=--predictable", "--watch", dir, ...entry]
    : ["--predictable", ...entry];
  const r = await runToExit(
    "valgrind",
    [
      "--tool=cachegrind",
      "--cache-sim=no",
      "--cachegrind-out-file=/dev/null",
      "--trace-children=yes",
      config.node,
      ...node,
    ],
    { cwd: dir, env: { ...process.env, HOTFRAME_BENCH_PAD: String(pad) }, timeoutMs: 600_000 },
  );
  const commands = new Map(
    [...r.stderr.matchAll(/^==(\d+)== Command: (.*)$/gm)].map((m) => [m[1], m[2] ?? ""]),
  );
  for (const m of r.stderr.matchAll(/^==(\d+)== I\s+refs:\s+([\d,]+)$/gm)) {
    const command = commands.get(m[1] ?? "") ?? "";
    if (command.includes("overhead_prog.mjs") && (!hot || command.includes("preload")))
      return Number((m[2] ?? "").replaceAll(",", ""));
  }
  throw new Error(`valgrind: no instruction count (exit ${r.exit.code}): ${r.stderr.slice(-300)}`);
}

/** The median of per-layout ratios, with their range when there are several. */
function instructionRatio(ratios: number[]): string {
  if (ratios.length < 2) return ratio(median(ratios));
  return `${ratio(median(ratios))} (${ratio(Math.min(...ratios))} – ${ratio(Math.max(...ratios))})`;
}

const COUNTED_ROUNDS = 30;

/** Below this, a hotframe / plain instruction ratio is not a measurement of the instrumentation. */
const PLAUSIBLE_RATIO = 0.8;

/**
 * Per workload: instructions per round (median over heap layouts) and hotframe / plain per layout.
 * One layout is not enough: the JIT's inlining decisions differ between the plain and the
 * instrumented code, and with them a count can move by 20% (either way) from one layout to the next.
 */
async function countInstructions(config: BenchConfig, dir: string, pads: number[]) {
  // Enough rounds that what runs once (the JIT's compilations, a GC that depends on the layout)
  // is small beside them (with 8, fib(25)'s count moved by 3× between layouts).
  const rounds = COUNTED_ROUNDS;
  // A first run fills the agent's cache of instrumented modules: otherwise only some counted runs
  // would include parsing and instrumenting the program.
  await runToExit(
    config.node,
    hotframeArgs({ watch: dir }, ["overhead_prog.mjs", "--count", WORKLOADS[0] as string, "0"]),
    {
      cwd: dir,
    },
  );
  const out: Record<string, { plain: number; hot: number; ratios: number[] }> = {};
  for (const name of WORKLOADS) {
    const plains: number[] = [];
    const hots: number[] = [];
    for (const pad of pads) {
      const [plain, hot] = await Promise.all(
        [false, true].map(async (hot) => {
          const none = await instructions(config, dir, hot, [name, "0"], pad);
          return ((await instructions(config, dir, hot, [name, String(rounds)], pad)) - none) / rounds;
        }),
      );
      plains.push(plain as number);
      hots.push(hot as number);
    }
    out[name] = {
      plain: median(plains),
      hot: median(hots),
      ratios: hots.map((hot, i) => hot / (plains[i] as number)),
    };
  }
  return out;
}

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
  const pads = config.quick ? [0, 50_000, 200_000] : [0, 20_000, 50_000, 100_000, 200_000];
  let counted: Awaited<ReturnType<typeof countInstructions>> | undefined;
  if (hasValgrind()) {
    config.log(`node overhead: instructions under valgrind, ${pads.length} heap layout(s)`);
    try {
      counted = await countInstructions(config, dir, pads);
    } catch (error) {
      failures.push((error as Error).message.split("\n")[0] ?? "");
    }
  }
  // A count where hotframe seems to run fewer instructions than the plain program (or a negative
  // one) measures something else that ran in the counted processes: the goals fall back to CPU time.
  const inconsistent = Object.entries(counted ?? {}).filter(
    ([, c]) => c.plain <= 0 || c.hot <= 0 || c.ratios.some((r) => r < PLAUSIBLE_RATIO),
  );
  if (inconsistent.length > 0) {
    failures.push(
      `instruction counts inconsistent (${inconsistent.map(([name]) => name).join(", ")}: hotframe below ${PLAUSIBLE_RATIO}× of plain node, or a count ≤ 0): not used; the goals are judged on CPU time`,
    );
    counted = undefined;
  }
  const measured = WORKLOADS.filter((name) => (result.pairRatios[name] ?? []).length > 0 || counted?.[name]);
  const mi = (n: number | undefined) => (n === undefined ? "–" : `${(n / 1e6).toFixed(1)} M`);
  const rows = measured.map((name) => {
    const pr = result.pairRatios[name] ?? [];
    const c = counted?.[name];
    return [
      name,
      ms(median(result.plain[name] ?? [])),
      ms(median(result.hot[name] ?? [])),
      ratio(median(pr)),
      pr.length ? `${ratio(Math.min(...pr))} – ${ratio(Math.max(...pr))}` : "–",
      ratio(median(result.wallRatios[name] ?? [])),
      mi(c?.plain),
      mi(c?.hot),
      c ? instructionRatio(c.ratios) : "not counted (no valgrind)",
    ];
  });
  // Instruction counts decide when there are any: on a loaded machine CPU time moves by ±30%.
  const goals = measured.map((name) => {
    const realistic = isRealistic(name);
    return ratioGoal(
      `Node overhead: ${name}${realistic ? " (realistic)" : " (call-heavy)"}${counted ? ", instructions" : ""}`,
      realistic ? REALISTIC_GOAL : CALL_HEAVY_GOAL,
      counted?.[name]?.ratios ?? result.pairRatios[name] ?? [],
    );
  });
  if (measured.length === 0) {
    goals.push(
      goal(
        "instrumentation overhead",
        `≤ ${CALL_HEAVY_GOAL.toFixed(2)}× / ≤ ${REALISTIC_GOAL.toFixed(2)}×`,
        `not measured: ${failures[0] ?? "?"}`,
        undefined,
      ),
    );
  }
  return {
    title: "Node: instrumentation overhead (steady state)",
    method:
      `Time: ${pairs} pairs of processes, each pair a plain \`node\` and a \`hotframe run\` of overhead_prog.mjs, ` +
      `both warmed up (3 rounds of each workload), then taking turns round by round (${rounds} rounds of each ` +
      "workload per process, the order swapped every round) so that both see the same machine load; each round " +
      "(the workload run as many times as its name says, ≥ ~200 ms of CPU) timed in-process with process.cpuUsage(). CPU ratio = median over pairs of (median over rounds of " +
      "hotframe / plain CPU time of adjacent rounds); wall-clock ratio beside. Instructions: valgrind " +
      "(cachegrind) counts the program's instructions with V8 in --predictable mode (no concurrent compilation: " +
      "deterministic, independent of the machine's load), smaller inputs (fib(25), 300k method calls, a 0.14 MB " +
      `program, mixed at 1,500), 20 warm-up rounds; per round = (count with ${COUNTED_ROUNDS} rounds − count with 0) / ${COUNTED_ROUNDS}, in ` +
      `${pads.length} heap layouts (objects allocated first: ${pads.join(", ")}), which move the JIT's ` +
      "inlining decisions (a count can move by 20% between layouts): the counts shown are medians over layouts, " +
      "the ratio is the median of the per-layout ratios (their range beside it). " +
      `The goals (≤ ${CALL_HEAVY_GOAL.toFixed(2)}× call-heavy, ≤ ${REALISTIC_GOAL.toFixed(2)}× realistic and mixed) are judged on instructions when ` +
      "valgrind is installed, else on CPU time. Instructions are not time (cache misses, branch prediction), " +
      "but a difference in them is the program's own, never the machine's.",
    headers: [
      "workload",
      "node (CPU)",
      "hotframe run (CPU)",
      "CPU ratio",
      "range over pairs",
      "wall-clock ratio",
      "node (instructions)",
      "hotframe run (instructions)",
      "instruction ratio",
    ],
    rows: rows.length ? rows : [["all", "not measured", failures[0] ?? "", "", "", "", "", "", ""]],
    goals,
    notes: failures.slice(0, 2),
  };
}
