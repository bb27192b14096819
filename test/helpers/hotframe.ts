import { type ChildProcess, spawn } from "node:child_process";
import {
  existsSync,
  type FSWatcher,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  watch,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { after } from "node:test";
import { fileURLToPath } from "node:url";
import type { SessionEvent } from "../../src/session/events.js";

/** dist/test/helpers → the repository root. */
export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
export const CLI = join(REPO, "dist", "src", "cli", "main.js");

/** How long any single awaited thing may take before the test fails (not a sleep: a bound). */
const BOUND_MS = 30_000;

/** A fresh folder holding the given files (paths relative to it). */
export function makeProject(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "hotframe-test-"));
  for (const [name, text] of Object.entries(files)) writeProjectFile(dir, name, text);
  return dir;
}

export function writeProjectFile(dir: string, name: string, text: string | Buffer): string {
  const path = join(dir, name);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
  return path;
}

export type EditEvent = Extract<SessionEvent, { type: "edit" }>;

/** Every run a test started: a failed test must not leave its program running (the file would hang). */
const RUNS = new Set<HotframeRun>();
after(() => {
  for (const run of RUNS) run.child.kill("SIGKILL");
});

/** `hotframe run …` as a real child process, with its output and event log observable. */
export class HotframeRun {
  readonly stdout: string[] = [];
  readonly stderr: string[] = [];
  readonly events: SessionEvent[] = [];
  readonly child: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  readonly eventsFile: string;
  private eventsRead = 0;
  private eventsWatcher: FSWatcher | undefined;
  private readonly waiters = new Set<() => void>();

  /** `args` are hotframe's run arguments (options, entry point, program arguments). */
  constructor(
    cwd: string,
    args: string[],
    options: { env?: Record<string, string>; stdin?: "pipe" | "ignore" } = {},
  ) {
    this.eventsFile = join(mkdtempSync(join(tmpdir(), "hotframe-events-")), "events.jsonl");
    this.child = spawn(process.execPath, [CLI, "run", "--events", this.eventsFile, ...args], {
      cwd,
      stdio: [options.stdin ?? "pipe", "pipe", "pipe"],
      env: { ...process.env, NO_COLOR: "1", ...options.env },
    });
    RUNS.add(this);
    this.collect(this.child.stdout, this.stdout);
    this.collect(this.child.stderr, this.stderr);
    this.exited = new Promise((resolve) =>
      this.child.on("exit", (code, signal) => {
        this.readEvents();
        this.eventsWatcher?.close();
        RUNS.delete(this);
        this.notify();
        resolve({ code, signal });
      }),
    );
  }

  /** Resolves with the first stdout line (from `from` on) that matches. */
  stdoutLine(match: RegExp, from = 0): Promise<string> {
    return this.until(`stdout line ${match}`, () => this.stdout.slice(from).find((l) => match.test(l)));
  }

  stderrLine(match: RegExp, from = 0): Promise<string> {
    return this.until(`stderr line ${match}`, () => this.stderr.slice(from).find((l) => match.test(l)));
  }

  /** Resolves with the first event (from index `from` on) that satisfies `match`. */
  event<T extends SessionEvent>(match: (e: SessionEvent) => e is T, from?: number): Promise<T>;
  event(match: (e: SessionEvent) => boolean, from?: number): Promise<SessionEvent>;
  event(match: (e: SessionEvent) => boolean, from = 0): Promise<SessionEvent> {
    return this.until("event", () => {
      this.readEvents();
      return this.events.slice(from).find(match);
    });
  }

  /** How many events were written so far: `event(match, mark())` waits for a later one. */
  mark(): number {
    this.readEvents();
    return this.events.length;
  }

  /** The next edit event after the ones seen so far: call before writing the file. */
  nextEdit(): Promise<EditEvent> {
    return this.event((e): e is EditEvent => e.type === "edit", this.mark());
  }

  /** Resolves once the agent said hello (the program is running under hotframe). */
  started(): Promise<SessionEvent> {
    return this.event((e) => e.type === "started");
  }

  write(text: string): void {
    this.child.stdin?.write(text);
  }

  private until<T>(what: string, probe: () => T | undefined): Promise<T> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(
          new Error(
            `timed out waiting for ${what}\n--- stdout\n${this.stdout.join("\n")}\n--- stderr\n${this.stderr.join("\n")}`,
          ),
        );
      }, BOUND_MS);
      const check = () => {
        const found = probe();
        if (found !== undefined) {
          clearTimeout(timer);
          this.waiters.delete(check);
          resolve(found);
        } else if (this.child.exitCode !== null || this.child.signalCode !== null) {
          clearTimeout(timer);
          this.waiters.delete(check);
          reject(
            new Error(
              `program exited while waiting for ${what}\n--- stdout\n${this.stdout.join("\n")}\n--- stderr\n${this.stderr.join("\n")}`,
            ),
          );
        }
      };
      this.waiters.add(check);
      this.ensureEventsWatcher();
      check();
    });
  }

  private notify(): void {
    for (const waiter of [...this.waiters]) waiter();
  }

  private ensureEventsWatcher(): void {
    if (this.eventsWatcher || !existsSync(this.eventsFile)) return;
    this.eventsWatcher = watch(this.eventsFile, () => this.notify());
  }

  private readEvents(): void {
    if (!existsSync(this.eventsFile)) return;
    const lines = readFileSync(this.eventsFile, "utf8").split("\n");
    // The last element is an unfinished line (or ""): read it next time.
    for (; this.eventsRead < lines.length - 1; this.eventsRead++) {
      this.events.push(JSON.parse(lines[this.eventsRead] as string) as SessionEvent);
    }
  }

  private collect(stream: NodeJS.ReadableStream | null, into: string[]): void {
    let partial = "";
    stream?.setEncoding("utf8");
    stream?.on("data", (chunk: string) => {
      partial += chunk;
      const lines = partial.split("\n");
      partial = lines.pop() ?? "";
      into.push(...lines);
      this.ensureEventsWatcher();
      this.notify();
    });
  }
}
