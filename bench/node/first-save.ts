/**
 * The first save of a file against later saves: a 1,000-line TypeScript module in a fresh
 * `hotframe run`, saved once after the program went idle (what a patch needs is prepared then,
 * agent/prepare.ts), then several more times. Several fresh programs: medians of each. Also the
 * longest time the program's thread was blocked while it waited for the first save (the
 * preparation must not block it noticeably).
 */
import { join } from "node:path";
import { type BenchConfig, count } from "../lib/config.js";
import { BEFORE_FIRST_SAVE_MS, editSeries, waitReady } from "../lib/latency.js";
import { hotframeArgs, LineProcess, sleep } from "../lib/process.js";
import { goal, type Section } from "../lib/report.js";
import { median, ms, ratio } from "../lib/stats.js";
import { copyFixture, freshDir, writeFile } from "../lib/work.js";
import { nodeModule } from "./generate.js";
import { otherNodes } from "./latency.js";

const LINES = 1000;

interface FirstSave {
  /** Node major the program ran on. */
  version: string;
  /** The first save of each fresh program. */
  firsts: number[];
  /** The medians of the later saves of each program. */
  laters: number[];
  /** The longest stall of each program's thread between ready and its first save. */
  stalls: number[];
  failures: string[];
}

const source = (k: number) => nodeModule(LINES, k, 0, true);

function start(config: BenchConfig, node: string, dir: string): LineProcess {
  return new LineProcess(
    config.node,
    hotframeArgs({ watch: dir, events: join(dir, "events.jsonl"), extra: ["--node", node] }, [
      "latency_prog.mts",
    ]),
    { cwd: dir },
  );
}

async function oneProgram(config: BenchConfig, node: string, dir: string, later: number) {
  const proc = start(config, node, dir);
  try {
    await waitReady(proc, 180_000);
    await sleep(BEFORE_FIRST_SAVE_MS);
    const stalls = proc.lines.filter((l) => l.startsWith("stall ")).map((l) => Number(l.split(" ")[1]));
    const common = { proc, file: join(dir, "target.mts"), source, gapMs: 250, timeoutMs: 20_000 };
    const first = await editSeries({ ...common, edits: 1, first: 1 });
    const rest = await editSeries({ ...common, edits: later, first: 2 });
    return {
      first: first.latencies[0],
      later: median(rest.latencies),
      stall: Math.max(0, ...stalls),
      failures: [...first.failures, ...rest.failures],
    };
  } finally {
    await proc.stop();
  }
}

async function firstSaves(
  config: BenchConfig,
  node: string,
  version: string,
  runs: number,
): Promise<FirstSave> {
  const dir = freshDir(`node-first-save-${version}`);
  writeFile(dir, "target.mts", source(0));
  // The latency program, as TypeScript importing `./target.mjs` (target.mts, NodeNext style).
  copyFixture("node/latency_prog.mjs", dir, "latency_prog.mts");
  writeFile(dir, "package.json", '{"type":"module"}');
  // A start that fills the module cache: each measured program is a second start, as after a
  // restart (its modules are not type-stripped at start-up: TypeScript is not loaded then).
  const filling = start(config, node, dir);
  await waitReady(filling, 180_000).finally(() => filling.stop());
  const result: FirstSave = { version, firsts: [], laters: [], stalls: [], failures: [] };
  for (let run = 0; run < runs; run++) {
    const one = await oneProgram(config, node, dir, 4);
    if (one.first !== undefined) result.firsts.push(one.first);
    if (Number.isFinite(one.later)) result.laters.push(one.later);
    result.stalls.push(one.stall);
    result.failures.push(...one.failures);
  }
  return result;
}

export async function nodeFirstSave(config: BenchConfig): Promise<Section> {
  const own = { version: process.versions.node.split(".")[0] ?? "", path: config.node };
  const results: FirstSave[] = [];
  for (const node of [own, ...otherNodes()]) {
    config.log(`node first save: ${LINES} lines of TypeScript, Node ${node.version}`);
    try {
      results.push(await firstSaves(config, node.path, node.version, count(config, 5, 3)));
    } catch (error) {
      config.log(`  failed: ${(error as Error).message.split("\n")[0]}`);
    }
  }
  return {
    title: "Node: first save of a file (TypeScript, prepared in idle time)",
    method:
      `Per Node version: a \`hotframe run\` of latency_prog.mts importing a ${LINES.toLocaleString("en")}-line ` +
      "target.mts fills the module cache; then each of several fresh programs (second starts) is left idle " +
      `${BEFORE_FIRST_SAVE_MS / 1000} s after it printed ready, saved once ('first save'), then 4 more times ` +
      "('later saves': each program's median; the table shows the median over programs). 'longest stall': the " +
      "longest time the program's 1 ms timer came late between ready and the first save (its thread was " +
      "blocked: by the preparation, or by the machine's load), the largest over programs.",
    headers: ["Node", "programs", "first save", "later saves", "first / later", "longest stall before it"],
    rows: results.map((f) => [
      f.version,
      String(f.firsts.length),
      ms(median(f.firsts)),
      ms(median(f.laters)),
      ratio(median(f.firsts) / median(f.laters)),
      ms(Math.max(0, ...f.stalls)),
    ]),
    goals: results.map((f) => {
      const first = median(f.firsts);
      return goal(
        `Node first save of a ${LINES.toLocaleString("en")}-line .ts file (Node ${f.version})`,
        "≤ 20 ms, as a later save",
        `${ms(first)} (later saves ${ms(median(f.laters))})`,
        Number.isFinite(first) ? first <= 20 : undefined,
      );
    }),
    notes: results.flatMap((f) => f.failures.slice(0, 2).map((x) => `Node ${f.version}: ${x}`)),
  };
}
