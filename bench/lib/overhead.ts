/**
 * Steady-state overhead: the same program run plainly and under hotframe, interleaved (plain,
 * hotframe, hotframe, plain, …) so that drift in machine load hits both alike. Each program times its
 * workloads itself (start-up excluded) and prints `result {"workload": [ms per round…]}`.
 */
import { min } from "./stats.js";

export type Timings = Record<string, number[]>;

export interface OverheadResult {
  workloads: string[];
  plain: Record<string, number[]>; // per process: its best round (ms)
  hot: Record<string, number[]>;
  pairRatios: Record<string, number[]>;
  failures: string[];
}

export async function interleave(
  pairs: number,
  runPlain: () => Promise<Timings>,
  runHot: () => Promise<Timings>,
): Promise<OverheadResult> {
  const plain: Record<string, number[]> = {};
  const hot: Record<string, number[]> = {};
  const pairRatios: Record<string, number[]> = {};
  const failures: string[] = [];
  let workloads: string[] = [];
  for (let i = 0; i < pairs; i++) {
    let p: Timings | undefined;
    let h: Timings | undefined;
    try {
      if (i % 2 === 0) {
        p = await runPlain();
        h = await runHot();
      } else {
        h = await runHot();
        p = await runPlain();
      }
    } catch (error) {
      failures.push((error as Error).message.split("\n")[0] ?? "");
      if (failures.length >= 2) break;
      continue;
    }
    workloads = Object.keys(p);
    for (const name of workloads) {
      // Best of a process's rounds: on a shared machine interference only ever adds time.
      const pm = min(p[name] ?? []);
      const hm = min(h[name] ?? []);
      push(plain, name, pm);
      push(hot, name, hm);
      push(pairRatios, name, hm / pm);
    }
  }
  return { workloads, plain, hot, pairRatios, failures };
}

export function parseResult(lines: string[]): Timings {
  const line = lines.find((l) => l.startsWith("result "));
  if (!line) throw new Error("the program printed no result line");
  return JSON.parse(line.slice("result ".length)) as Timings;
}

function push(into: Record<string, number[]>, key: string, value: number): void {
  const list = into[key] ?? [];
  list.push(value);
  into[key] = list;
}
