/**
 * Steady-state overhead: the same program run plainly and under hotframe, interleaved (plain,
 * hotframe, hotframe, plain, …) so that drift in machine load hits both alike. Each program times its
 * workloads itself (start-up excluded) and prints `result {"workload": [ms per round…]}`.
 */
import { createServer } from "node:net";
import { median, min } from "./stats.js";

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

/**
 * Round by round: a plain and a hotframe process are both alive and take turns (A B, then B A…),
 * one workload round each, so that both see the same moments of machine load — much finer than
 * interleaving whole processes. Each program connects to a unix socket of the bench (no TCP),
 * sends `ready`, then answers each workload name with `{"wall": ms, "cpu": ms}` (in-process
 * performance.now() and process.cpuUsage() around that one round). CPU time is the figure of
 * record: a process that waits for a core is not charged for it.
 */
export interface RoundTimes {
  wall: number;
  cpu: number;
}

export interface RoundProgram {
  run(workload: string): Promise<RoundTimes>;
  close(): void;
}

/** Listens on `path` and resolves once a program connected and said `ready`. */
export function acceptProgram(path: string, timeoutMs: number): Promise<RoundProgram> {
  return new Promise((resolve, reject) => {
    const server = createServer((socket) => {
      server.close();
      clearTimeout(timer);
      socket.setEncoding("utf8");
      let buffered = "";
      const waiting: ((line: string) => void)[] = [];
      const lines: string[] = [];
      socket.on("data", (chunk: string) => {
        buffered += chunk;
        for (let nl = buffered.indexOf("\n"); nl >= 0; nl = buffered.indexOf("\n")) {
          const line = buffered.slice(0, nl);
          buffered = buffered.slice(nl + 1);
          const next = waiting.shift();
          if (next) next(line);
          else lines.push(line);
        }
      });
      const nextLine = () =>
        new Promise<string>((done, fail) => {
          const line = lines.shift();
          if (line !== undefined) return done(line);
          const onClose = () => fail(new Error("the program closed its socket"));
          socket.once("close", onClose);
          waiting.push((l) => {
            socket.off("close", onClose);
            done(l);
          });
        });
      void nextLine().then((line) => {
        if (line !== "ready") return reject(new Error(`unexpected first line ${line}`));
        resolve({
          run: async (workload) => {
            socket.write(`${workload}\n`);
            return JSON.parse(await nextLine()) as RoundTimes;
          },
          close: () => socket.end(),
        });
      }, reject);
    });
    const timer = setTimeout(() => {
      server.close();
      reject(new Error(`no program connected within ${timeoutMs} ms`));
    }, timeoutMs);
    server.on("error", reject);
    server.listen(path);
  });
}

export interface RoundResult {
  /** Per pair of processes and workload: median over rounds of hot / plain (CPU time). */
  pairRatios: Record<string, number[]>;
  /** The same from wall-clock time, for comparison. */
  wallRatios: Record<string, number[]>;
  /** Per pair and workload: median CPU ms of a round. */
  plain: Record<string, number[]>;
  hot: Record<string, number[]>;
}

export async function alternateRounds(
  workloads: string[],
  rounds: number,
  plain: RoundProgram,
  hot: RoundProgram,
  into: RoundResult,
): Promise<void> {
  for (const name of workloads) {
    const cpu: number[] = [];
    const wall: number[] = [];
    const p: number[] = [];
    const h: number[] = [];
    for (let r = 0; r < rounds; r++) {
      const [first, second] = r % 2 === 0 ? [plain, hot] : [hot, plain];
      const a = await first.run(name);
      const b = await second.run(name);
      const [pt, ht] = r % 2 === 0 ? [a, b] : [b, a];
      cpu.push(ht.cpu / pt.cpu);
      wall.push(ht.wall / pt.wall);
      p.push(pt.cpu);
      h.push(ht.cpu);
    }
    push(into.pairRatios, name, median(cpu));
    push(into.wallRatios, name, median(wall));
    push(into.plain, name, median(p));
    push(into.hot, name, median(h));
  }
}
