import type { ChildProcess } from "node:child_process";
import { after } from "node:test";

/** How long any single awaited thing may take before the test fails (a bound, not a sleep). */
export const BOUND_MS = 30_000;

/** Programs still running when a test file ends (a failed test) are stopped, not left behind. */
const RUNNING = new Set<ChildProcess>();
after(() => {
  for (const child of RUNNING) child.kill("SIGKILL");
});

/**
 * A real child process whose output tests await line by line: every wait is for an event (a line,
 * a message, the exit), bounded by BOUND_MS so that a broken run fails instead of hanging.
 */
export class ObservedProcess {
  readonly stdout: string[] = [];
  readonly stderr: string[] = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  protected stdoutText = "";
  protected stderrText = "";
  private readonly waiters = new Set<() => void>();
  /** Set once it exited and its output is fully read: nothing more can arrive. */
  private exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;

  constructor(readonly child: ChildProcess) {
    RUNNING.add(child);
    this.collect(child.stdout, this.stdout, (text) => {
      this.stdoutText += text;
    });
    this.collect(child.stderr, this.stderr, (text) => {
      this.stderrText += text;
    });
    this.exited = new Promise((resolve) =>
      child.on("close", (code, signal) => {
        RUNNING.delete(child);
        const exit = { code, signal };
        this.exit = exit;
        this.onExit();
        this.notify();
        resolve(exit);
      }),
    );
  }

  get output(): { stdout: string; stderr: string } {
    return { stdout: this.stdoutText, stderr: this.stderrText };
  }

  /** Resolves with the first stdout line (from index `from` on) that matches. */
  stdoutLine(match: RegExp, from = 0): Promise<string> {
    return this.until(`stdout line ${match}`, () => this.stdout.slice(from).find((l) => match.test(l)));
  }

  stderrLine(match: RegExp, from = 0): Promise<string> {
    return this.until(`stderr line ${match}`, () => this.stderr.slice(from).find((l) => match.test(l)));
  }

  /** Resolves once the process has exited and its output is fully read (bounded, unlike `exited`). */
  ended(): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    return this.until("the end of the process", () => this.exit);
  }

  write(text: string): void {
    this.child.stdin?.write(text);
  }

  /** Resolves with what `probe` finds, re-probing whenever something arrives. */
  until<T>(what: string, probe: () => T | undefined): Promise<T> {
    return new Promise((resolve, reject) => {
      const fail = (why: string) => {
        clearTimeout(timer);
        this.waiters.delete(check);
        reject(
          new Error(
            `${why} waiting for ${what}\n--- stdout\n${this.stdoutText}\n--- stderr\n${this.stderrText}`,
          ),
        );
      };
      const timer = setTimeout(() => fail("timed out"), BOUND_MS);
      const check = () => {
        const found = probe();
        if (found !== undefined) {
          clearTimeout(timer);
          this.waiters.delete(check);
          resolve(found);
        } else if (this.exit) {
          fail("program exited");
        }
      };
      this.waiters.add(check);
      check();
    });
  }

  /** Something arrived (also from outside the process, e.g. an HTTP reply): let every waiter
   * probe again. */
  notify(): void {
    for (const waiter of [...this.waiters]) waiter();
  }

  /** Hook run once when the process has exited, before waiters are told. */
  protected onExit(): void {}

  private collect(stream: NodeJS.ReadableStream | null, into: string[], raw: (text: string) => void): void {
    let partial = "";
    stream?.setEncoding("utf8");
    stream?.on("data", (chunk: string) => {
      raw(chunk);
      partial += chunk;
      const lines = partial.split("\n");
      partial = lines.pop() ?? "";
      into.push(...lines);
      this.notify();
    });
  }
}
