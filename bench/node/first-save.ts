/**
 * The first save of a file against later saves: a 1,000-line TypeScript module in a fresh
 * `hotframe run`, saved once after the program went idle (what a patch needs is prepared then,
 * agent/prepare.ts), then several more times. Several fresh programs: medians of each.
 */
import { join } from "node:path";
import type { BenchConfig } from "../lib/config.js";
import { BEFORE_FIRST_SAVE_MS, editSeries, waitReady } from "../lib/latency.js";
import { hotframeArgs, LineProcess, sleep } from "../lib/process.js";
import { median } from "../lib/stats.js";
import { copyFixture, freshDir, writeFile } from "../lib/work.js";
import { nodeModule } from "./generate.js";

export const FIRST_SAVE_LINES = 1000;

export interface FirstSave {
  /** Node major the program ran on. */
  version: string;
  /** The first save of each fresh program. */
  firsts: number[];
  /** The medians of the later saves of each program. */
  laters: number[];
  failures: string[];
}

const source = (k: number) => nodeModule(FIRST_SAVE_LINES, k, 0, true);

async function oneProgram(config: BenchConfig, node: string, run: number, later: number) {
  const dir = freshDir(`node-first-save-${run}-${node.replace(/\W+/g, "")}`);
  const target = writeFile(dir, "target.mts", source(0));
  // The latency program, as TypeScript importing `./target.mjs` (target.mts, NodeNext style).
  copyFixture("node/latency_prog.mjs", dir, "latency_prog.mts");
  writeFile(dir, "package.json", '{"type":"module"}');
  const proc = new LineProcess(
    config.node,
    hotframeArgs({ watch: dir, events: join(dir, "events.jsonl"), extra: ["--node", node] }, [
      "latency_prog.mts",
    ]),
    { cwd: dir },
  );
  try {
    await waitReady(proc, 180_000);
    await sleep(BEFORE_FIRST_SAVE_MS);
    const common = { proc, file: target, source, gapMs: 250, timeoutMs: 20_000 };
    const first = await editSeries({ ...common, edits: 1, first: 1 });
    const rest = await editSeries({ ...common, edits: later, first: 2 });
    return {
      first: first.latencies[0],
      later: median(rest.latencies),
      failures: [...first.failures, ...rest.failures],
    };
  } finally {
    await proc.stop();
  }
}

export async function firstSave(
  config: BenchConfig,
  node: string,
  version: string,
  runs: number,
): Promise<FirstSave> {
  const result: FirstSave = { version, firsts: [], laters: [], failures: [] };
  for (let run = 0; run < runs; run++) {
    const one = await oneProgram(config, node, run, 4);
    if (one.first !== undefined) result.firsts.push(one.first);
    if (Number.isFinite(one.later)) result.laters.push(one.later);
    result.failures.push(...one.failures);
  }
  return result;
}
