/** Options of one `npm run bench` invocation. */
export interface BenchConfig {
  quick: boolean;
  python: string;
  /** The node that runs hotframe and the Node benchmarks (this one). */
  node: string;
  /** Substrings of benchmark ids to run (empty: all). */
  only: string[];
  log: (message: string) => void;
  /** Set when `hotframe run` cannot run this runtime's programs: only baselines are measured. */
  hotframeMissing?: string;
}

/** n in a full run, q in a --quick one. */
export function count(config: BenchConfig, n: number, q: number): number {
  return config.quick ? q : n;
}
