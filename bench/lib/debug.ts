/**
 * The debugger's cost, for any runtime: a DebugSubject says how to run one call-heavy program
 * several ways (the first, `hotframe run`, is the reference) and how to drive one debugging
 * session; this module measures and builds the section. A runtime adds a row by passing its own
 * subject (bench/python/debug.ts builds Python's).
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { overwrite } from "./latency.js";
import { type Goal, goal, ratioGoal, type Section } from "./report.js";
import { median, min, ms, ratioWithRange } from "./stats.js";

/** One way to run the overhead program; it prints `result {"workload": [ms per round…]}`, and may
 * print the resolution of its clock before it: `clock-step <ms>`. */
export interface Variant {
  name: string;
  command: string;
  args: string[];
  /** Written to its stdin (then closed): the debugger's commands. */
  stdin?: string;
}

export interface DebugSubject {
  /** "Python 3.11.7" */
  label: string;
  dir: string;
  /** The reference first (`hotframe run`), then `hotframe debug` ones, then the runtime's own debugger. */
  variants: Variant[];
  /** Ratio goals: variant name → the most it may cost against the reference. */
  limits: Record<string, number>;
  /** A `hotframe debug` session on a program that prints `before <epoch ms>` right before each
   * call of the function `breakCommand` stops in. */
  session: {
    command: string;
    args: string[];
    breakCommand: string;
    /** The file whose edit changes the paused function, and its edited text for sample i. */
    file: string;
    edited: (i: number) => string;
    samples: number;
    /** The same session's program started without waiting first (so it never idles: the agent
     * prepares nothing while it runs): each of `sessions` sessions times its first edit while paused. */
    neverIdle?: { args: string[]; sessions: number };
  };
}

export interface DebugMeasurement {
  rows: string[][];
  goals: Goal[];
  notes: string[];
}

type Timings = Record<string, number[]>;

interface VariantRun {
  timings: Timings;
  clockStep?: number;
}

const NO_BREAKPOINTS = "hotframe debug, no breakpoints";
const UNUSED_BREAKPOINTS = "hotframe debug, breakpoints in functions not called";

/**
 * The ways every runtime runs its program, the reference first, and their goals (issue 10):
 * `hotframe <command> …program` is `hotframe(command, options)`; `unusedBreaks` are the debugger
 * commands that set breakpoints in code the program never calls.
 */
export function hotframeVariants(
  node: string,
  hotframe: (command: "run" | "debug", options: string[]) => string[],
  program: string[],
  unusedBreaks: string[],
): Pick<DebugSubject, "variants" | "limits"> {
  return {
    variants: [
      { name: "hotframe run", command: node, args: [...hotframe("run", []), ...program] },
      { name: NO_BREAKPOINTS, command: node, args: [...hotframe("debug", ["--continue"]), ...program] },
      {
        name: UNUSED_BREAKPOINTS,
        command: node,
        args: [...hotframe("debug", []), ...program],
        stdin: [...unusedBreaks, "continue", ""].join("\n"),
      },
    ],
    limits: { [NO_BREAKPOINTS]: 1.03, [UNUSED_BREAKPOINTS]: 1.05 },
  };
}

/** The section of one runtime's measurements; `workload` says what its program times, `aside`
 * what else is (or is not) beside hotframe. */
export function debugSection(
  title: string,
  workload: string,
  aside: string,
  pairs: number,
  measured: DebugMeasurement,
): Section {
  return {
    title,
    method:
      `${workload} in-process (best round per process); each way of running it ${pairs} times, in ` +
      "rotated order; ratio = median over rounds of (way / `hotframe run`) in the same round, with " +
      "the range over rounds beside it (a goal whose range spans more than 1.5× is inconclusive). " +
      `${aside} \`hotframe debug\` has \`catch uncaught\` on, as by default. Pause: from the program's ` +
      "line printed just before the call that stops to the `■ paused` line on hotframe's stderr; edit: " +
      "from writing the 1,000-line module (the paused probe() changed) to the `↻ … restarted` line.",
    headers: ["runtime", "measurement", "how", "time (median)", "vs hotframe run"],
    rows: measured.rows,
    goals: measured.goals,
    notes: measured.notes,
  };
}

/** The longest one run of the overhead program may take. */
const VARIANT_TIMEOUT_MS = 300_000;
/** The longest the session driver waits for the next thing it expects (a pause, a restart, the end). */
const SESSION_STEP_TIMEOUT_MS = 60_000;

async function measureDebugger(
  subject: DebugSubject,
  pairs: number,
  log: (m: string) => void,
): Promise<DebugMeasurement> {
  const notes: string[] = [];
  const best: Record<string, Record<string, number[]>> = {}; // variant → workload → best round per process
  const clockSteps: number[] = [];
  log(`${subject.label} debugger overhead: ${pairs} rounds of ${subject.variants.length} processes`);
  for (let i = 0; i < pairs; i++) {
    // Rotated order: drift in the machine's load hits every variant alike.
    const order = subject.variants.map(
      (_, k) => subject.variants[(k + i) % subject.variants.length] as Variant,
    );
    for (const variant of order) {
      const run = await runVariant(variant, subject.dir).catch((error: Error) => {
        notes.push(`${subject.label}, ${variant.name}: ${error.message.split("\n")[0]}`);
        return undefined;
      });
      if (run?.clockStep !== undefined) clockSteps.push(run.clockStep);
      for (const [workload, rounds] of Object.entries(run?.timings ?? {})) {
        const byWorkload = (best[variant.name] ??= {});
        (byWorkload[workload] ??= []).push(min(rounds));
      }
    }
  }
  if (clockSteps.length > 0)
    notes.push(
      `${subject.label}: the program's CPU clock advances in steps of up to ${ms(median(clockSteps))} ` +
        `(median over its ${clockSteps.length} processes)`,
    );
  const reference = subject.variants[0] as Variant;
  const rows: string[][] = [];
  const goals: Goal[] = [];
  for (const workload of Object.keys(best[reference.name] ?? {})) {
    const base = best[reference.name]?.[workload] ?? [];
    for (const variant of subject.variants) {
      const times = best[variant.name]?.[workload] ?? [];
      const ratios = times.map((t, k) => t / (base[k] ?? Number.NaN)).filter(Number.isFinite);
      const cell = variant === reference ? "1.00×" : ratioWithRange(ratios);
      rows.push([subject.label, workload, variant.name, ms(median(times)), cell]);
      const limit = subject.limits[variant.name];
      if (limit !== undefined)
        goals.push(ratioGoal(`${subject.label}, ${workload}: ${variant.name}`, limit, ratios));
    }
  }
  const session = await measureSession(subject, subject.session.args, subject.session.samples, 0).catch(
    (error: Error) => {
      notes.push(`${subject.label}, session: ${error.message.split("\n")[0]}`);
      return undefined;
    },
  );
  const firstEdits: number[] = [];
  for (let i = 0; i < (subject.session.neverIdle?.sessions ?? 0); i++) {
    // Edit numbers go on from the first session's: each edit changes the file.
    const busy = await measureSession(
      subject,
      subject.session.neverIdle?.args ?? [],
      1,
      subject.session.samples + i,
    ).catch((error: Error) => {
      notes.push(`${subject.label}, session never idle: ${error.message.split("\n")[0]}`);
      return undefined;
    });
    firstEdits.push(...(busy?.restarts ?? []));
  }
  const pause = median(session?.pauses ?? []);
  const restart = median(session?.restarts ?? []);
  rows.push([subject.label, "breakpoint hit → paused shown", "hotframe debug", ms(pause), ""]);
  rows.push([
    subject.label,
    "edit saved while paused → restarted, paused at its new first line",
    "hotframe debug",
    ms(restart),
    "",
  ]);
  if (subject.session.neverIdle)
    rows.push([
      subject.label,
      "first edit saved while paused, in a program that never idled → restarted",
      "hotframe debug",
      ms(median(firstEdits)),
      "",
    ]);
  const samples = (n: number[] | undefined) => `${ms(median(n ?? []))} (median of ${(n ?? []).length})`;
  goals.push(
    goal(
      `${subject.label}: pause → first prompt`,
      "≤ 50 ms",
      samples(session?.pauses),
      Number.isFinite(pause) ? pause <= 50 : undefined,
    ),
    goal(
      `${subject.label}: edit while paused → restarted (1,000-line module)`,
      "≤ 30 ms",
      samples(session?.restarts),
      Number.isFinite(restart) ? restart <= 30 : undefined,
    ),
  );
  if (subject.session.neverIdle)
    goals.push(
      goal(
        `${subject.label}: first edit while paused, program never idle → restarted (1,000-line module)`,
        "≤ 30 ms",
        samples(firstEdits),
        firstEdits.length > 0 ? median(firstEdits) <= 30 : undefined,
      ),
    );
  return { rows, goals, notes };
}

/** measureDebugger for each subject (one per interpreter or Node version), their rows together. */
export async function measureEach(
  subjects: DebugSubject[],
  pairs: number,
  log: (m: string) => void,
): Promise<DebugMeasurement> {
  const all: DebugMeasurement = { rows: [], goals: [], notes: [] };
  for (const subject of subjects) {
    const one = await measureDebugger(subject, pairs, log);
    all.rows.push(...one.rows);
    all.goals.push(...one.goals);
    all.notes.push(...one.notes);
  }
  return all;
}

async function runVariant(variant: Variant, cwd: string): Promise<VariantRun> {
  const child = spawn(variant.command, variant.args, { cwd, stdio: ["pipe", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stdout.setEncoding("utf8").on("data", (c: string) => (out += c));
  child.stderr.setEncoding("utf8").on("data", (c: string) => (err = (err + c).slice(-4000)));
  child.stdin.end(variant.stdin ?? "");
  // A debugger that never lets its program end must not hang the benchmark.
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill("SIGKILL");
  }, VARIANT_TIMEOUT_MS);
  const code = await new Promise<number | null>((done) => child.on("close", done));
  clearTimeout(timer);
  if (timedOut) throw new Error(`killed after ${VARIANT_TIMEOUT_MS / 1000} s: ${err.slice(-300)}`);
  // pdb prints its prompt before the program's output, on the same line.
  const at = out.indexOf("result {");
  if (code !== 0 || at < 0) throw new Error(`exit ${code}, no result: ${err.slice(-300)}`);
  const step = /^clock-step (\S+)$/m.exec(out)?.[1];
  return {
    timings: JSON.parse(out.slice(at + "result ".length).split("\n")[0] as string) as Timings,
    ...(step !== undefined && Number.isFinite(Number(step)) ? { clockStep: Number(step) } : {}),
  };
}

/** Pauses at the breakpoint (time from the program's `before` line to the pause shown), and
 * edits while paused (time from the save to the restart shown), alternately. A step that does not
 * come within SESSION_STEP_TIMEOUT_MS ends the session (killed) and fails its rows, saying what it
 * waited for. */
async function measureSession(
  subject: DebugSubject,
  args: string[],
  samples: number,
  firstEdit: number,
): Promise<{ pauses: number[]; restarts: number[] }> {
  const { session } = subject;
  const child = spawn(session.command, args, { cwd: subject.dir, stdio: ["pipe", "pipe", "pipe"] });
  const pauses: number[] = [];
  const restarts: number[] = [];
  let before = Number.NaN;
  let savedAt = Number.NaN;
  let edits = 0;
  let pending: (() => void) | undefined;
  let waitingFor = "the entry pause";
  let timedOut = false;
  let timer: NodeJS.Timeout | undefined;
  const expect = (what: string) => {
    waitingFor = what;
    clearTimeout(timer);
    timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, SESSION_STEP_TIMEOUT_MS);
  };
  expect(waitingFor);
  const send = (line: string) => child.stdin.write(`${line}\n`);
  const lines = (stream: NodeJS.ReadableStream, onLine: (line: string) => void) => {
    let buffered = "";
    stream.setEncoding("utf8");
    stream.on("data", (chunk: string) => {
      buffered += chunk;
      for (let nl = buffered.indexOf("\n"); nl >= 0; nl = buffered.indexOf("\n")) {
        onLine(buffered.slice(0, nl));
        buffered = buffered.slice(nl + 1);
      }
    });
  };
  lines(child.stdout, (line) => {
    if (line.startsWith("before ")) before = Number(line.slice("before ".length));
  });
  let stderr = "";
  let entered = false;
  lines(child.stderr, (line) => {
    const now = Date.now();
    stderr = (stderr + line + "\n").slice(-3000);
    if (!entered && line.startsWith("■ paused")) {
      entered = true; // the entry pause
      send(session.breakCommand);
      send("continue");
      expect("the first breakpoint hit");
      return;
    }
    if (line.startsWith("■ paused")) {
      pauses.push(now - before);
      if (pauses.length % 2 === 0 && edits < samples) {
        savedAt = Date.now();
        overwrite(join(subject.dir, session.file), session.edited(firstEdit + edits++));
        expect(`the restart after edit ${edits}`);
      } else {
        send("continue");
        expect(`breakpoint hit ${pauses.length + 1}`);
      }
    } else if (line.startsWith("↻")) {
      restarts.push(now - savedAt);
      send("continue");
      expect(`breakpoint hit ${pauses.length + 1}`);
    }
    if (pauses.length >= samples * 2 && restarts.length >= samples) {
      send("quit");
      expect("the program's end after quit");
      pending?.();
    }
  });
  const exited = new Promise<number | null>((done) => child.on("close", done));
  await Promise.race([new Promise<void>((done) => (pending = done)), exited]);
  const code = await exited;
  clearTimeout(timer);
  if (timedOut)
    throw new Error(
      `no ${waitingFor} within ${SESSION_STEP_TIMEOUT_MS / 1000} s (killed): ${stderr.slice(-300).replace(/\n/g, " | ")}`,
    );
  if (pauses.length < samples)
    throw new Error(
      `exit ${code} after ${pauses.length} pauses: ${stderr.slice(-300).replace(/\n/g, " | ")}`,
    );
  return { pauses, restarts };
}
