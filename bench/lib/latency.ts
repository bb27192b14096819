/**
 * Patch latency, end to end: the bench takes a wall-clock time just before it writes the file, the
 * program prints a wall-clock time as soon as it observes the new behaviour. Protocol of the
 * benchmark programs (Python and Node alike):
 *   ready <value> <wall ms> [...]     once, when the program is where it should be
 *   changed <value> <wall ms> [...]   as soon as probe() returns something new
 */
import { closeSync, ftruncateSync, openSync, writeSync } from "node:fs";
import { type LineProcess, sleep, wallNow } from "./process.js";

/** Time a user takes before the first save, at the least: the program goes idle in it (the agents
 * prepare the first patch then: Node's agent/prepare.ts, Python's hotframe_agent/preparer.py). */
export const BEFORE_FIRST_SAVE_MS = 6000;

export interface ReadyLine {
  value: string;
  wallMs: number;
  rest: string[];
}

export function parseProtocolLine(line: string): ReadyLine {
  const [, value, wall, ...rest] = line.split(" ");
  return { value: value ?? "", wallMs: Number(wall), rest };
}

export async function waitReady(proc: LineProcess, timeoutMs: number): Promise<ReadyLine> {
  const line = await proc.waitForLine((l) => l.startsWith("ready "), timeoutMs);
  return parseProtocolLine(line);
}

/**
 * Saves `text` over `file` in place without truncating it first: the file is never seen empty.
 * (A plain truncate-and-write, as writeFileSync does, can be caught between the two steps by the
 * watcher on a loaded machine, and hotframe then patches in an empty module: see docs/benchmarks.md.)
 */
export function overwrite(file: string, text: string): void {
  const data = Buffer.from(text);
  const fd = openSync(file, "r+");
  try {
    writeSync(fd, data, 0, data.length, 0);
    ftruncateSync(fd, data.length);
  } finally {
    closeSync(fd);
  }
}

export interface EditSeries {
  latencies: number[];
  failures: string[];
}

/**
 * Writes `edits` versions of `file` (source(k) for k = first…) into a running program and measures,
 * for each, file written → "changed k" printed by the program. Waits `gapMs` between edits so that
 * one edit is not merged into the previous one's burst.
 */
export async function editSeries(options: {
  proc: LineProcess;
  file: string;
  source: (k: number) => string;
  edits: number;
  first?: number;
  gapMs: number;
  timeoutMs: number;
  /** The line that shows edit k took effect (default "changed k"). */
  expect?: (k: number) => string;
  /** A line that shows the edit failed (stop waiting for it). */
  failOn?: (line: string) => boolean;
}): Promise<EditSeries> {
  const latencies: number[] = [];
  const failures: string[] = [];
  const first = options.first ?? 1;
  for (let k = first; k < first + options.edits; k++) {
    const text = options.source(k);
    const prefix = options.expect ? options.expect(k) : `changed ${k} `;
    const from = options.proc.lines.length;
    const writtenAt = wallNow();
    overwrite(options.file, text);
    try {
      // includes(), not startsWith(): `node --watch` may put terminal escapes before a program's line
      const failOn = options.failOn ?? (() => false);
      const line = await options.proc.waitForLine(
        (l) => l.includes(prefix) || failOn(l),
        options.timeoutMs,
        from,
      );
      if (!line.includes(prefix)) throw new Error(`the program says: ${line}`);
      latencies.push(parseProtocolLine(line.slice(line.indexOf(prefix))).wallMs - writtenAt);
    } catch (error) {
      failures.push(`edit ${k}: ${(error as Error).message.split("\n")[0]}`);
      if (failures.length >= 3 && latencies.length === 0) break; // it does not work at all: stop early
    }
    await sleep(options.gapMs);
  }
  return { latencies, failures };
}

/** One running program to edit in an interleaved series. */
export interface Subject {
  proc: LineProcess;
  file: string;
  source: (k: number) => string;
  expect?: (k: number) => string;
  timeoutMs: number;
}

export interface SubjectSeries extends EditSeries {
  /** Latency of the first (warm-up) edit, not in `latencies`. */
  first: number | undefined;
}

/**
 * Edits several running programs in turn (edit 1 of each, then edit 2 of each, …) so that changes in
 * machine load hit every case alike. Edit 1 is a warm-up, reported apart as `first`.
 */
export async function interleavedEdits(
  subjects: Subject[],
  edits: number,
  gapMs: number,
): Promise<SubjectSeries[]> {
  const results: SubjectSeries[] = subjects.map(() => ({
    latencies: [],
    failures: [],
    first: undefined,
  }));
  for (let k = 1; k <= edits + 1; k++) {
    for (const [i, s] of subjects.entries()) {
      const r = results[i] as SubjectSeries;
      if (r.failures.length >= 3 && r.latencies.length === 0) continue; // it does not work at all
      const one = await editSeries({ ...s, edits: 1, first: k, gapMs });
      if (k === 1) r.first = one.latencies[0];
      else r.latencies.push(...one.latencies);
      r.failures.push(...one.failures);
    }
  }
  return results;
}
