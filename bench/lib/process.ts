/** Child processes for benchmarks: spawn, read stdout line by line, wait for a line, stop. */
import { type ChildProcess, spawn } from "node:child_process";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** dist/bench/lib → the repository root. */
export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
export const CLI = join(REPO, "dist", "src", "cli", "main.js");

/** Wall-clock time in ms with sub-ms resolution (comparable with Python's time.time()*1000). */
export function wallNow(): number {
  return performance.timeOrigin + performance.now();
}

export function sleep(msDelay: number): Promise<void> {
  return new Promise((done) => setTimeout(done, msDelay));
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface SpawnOptions {
  cwd: string;
  env?: NodeJS.ProcessEnv;
}

/** A running program whose stdout lines can be awaited. */
export class LineProcess {
  readonly child: ChildProcess;
  readonly lines: string[] = [];
  stderr = "";
  readonly exited: Promise<Exit>;
  readonly startedAt = wallNow();
  private exit: Exit | undefined;
  private buffered = "";
  private waiters = new Set<() => void>();

  constructor(command: string, args: string[], options: SpawnOptions) {
    this.child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ["ignore", "pipe", "pipe"],
      detached: true, // its own process group: stop() can end the program and anything it started
    });
    this.child.stdout?.setEncoding("utf8");
    this.child.stderr?.setEncoding("utf8");
    this.child.stdout?.on("data", (chunk: string) => {
      this.buffered += chunk;
      let nl = this.buffered.indexOf("\n");
      while (nl >= 0) {
        this.lines.push(this.buffered.slice(0, nl));
        this.buffered = this.buffered.slice(nl + 1);
        nl = this.buffered.indexOf("\n");
      }
      this.wake();
    });
    this.child.stderr?.on("data", (chunk: string) => {
      this.stderr = (this.stderr + chunk).slice(-20_000);
    });
    this.exited = new Promise((done) => {
      this.child.on("exit", (code, signal) => {
        this.exit = { code, signal };
        this.wake();
        done(this.exit);
      });
      this.child.on("error", (error) => {
        this.stderr += String(error);
        this.exit = { code: null, signal: null };
        this.wake();
        done(this.exit);
      });
    });
  }

  private wake(): void {
    for (const waiter of this.waiters) waiter();
  }

  /** The first line (from index `from` on) that matches, or an error after `timeoutMs`. */
  async waitForLine(match: (line: string) => boolean, timeoutMs: number, from = 0): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    let index = from;
    for (;;) {
      for (; index < this.lines.length; index++) {
        const line = this.lines[index] as string;
        if (match(line)) return line;
      }
      if (this.exit)
        throw new Error(
          `program exited (${this.exit.code ?? this.exit.signal}): ${this.stderr.trim().split("\n").slice(-1)[0] ?? ""}\n${this.stderr.slice(-2000)}`,
        );
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out after ${timeoutMs} ms; stderr: ${this.stderr.slice(-2000)}`);
      await new Promise<void>((done) => {
        const timer = setTimeout(finish, left);
        function finish() {
          clearTimeout(timer);
          waiters.delete(finish);
          done();
        }
        const waiters = this.waiters;
        waiters.add(finish);
      });
    }
  }

  /** SIGTERM, then SIGKILL to the process group if it is still there after `graceMs`. */
  async stop(graceMs = 3000): Promise<Exit> {
    if (this.exit) return this.exit;
    const pid = this.child.pid;
    try {
      this.child.kill("SIGTERM");
    } catch {}
    const timer = setTimeout(() => {
      if (pid !== undefined) {
        try {
          process.kill(-pid, "SIGKILL");
        } catch {}
      }
    }, graceMs);
    const exit = await this.exited;
    clearTimeout(timer);
    // Anything left in the group (e.g. a program whose hotframe controller died first).
    if (pid !== undefined) {
      try {
        process.kill(-pid, "SIGKILL");
      } catch {}
    }
    return exit;
  }
}

/** Runs a command to its end; wall time from spawn to exit. */
export async function runToExit(
  command: string,
  args: string[],
  options: SpawnOptions & { timeoutMs?: number },
): Promise<{ exit: Exit; wallMs: number; lines: string[]; stderr: string }> {
  const start = performance.now();
  const proc = new LineProcess(command, args, options);
  const timer = setTimeout(() => void proc.stop(), options.timeoutMs ?? 300_000);
  const exit = await proc.exited;
  const wallMs = performance.now() - start;
  clearTimeout(timer);
  // stdout may still be flushing after 'exit'
  await new Promise<void>((done) => {
    if (proc.child.stdout?.readableEnded) done();
    else proc.child.stdout?.once("close", () => done());
  });
  return { exit, wallMs, lines: proc.lines, stderr: proc.stderr };
}

/** The hotframe CLI invocation for a program (options first, then the entry point and its args). */
export function hotframeArgs(
  options: { events?: string; watch: string; extra?: string[]; command?: "run" | "debug" },
  entry: string[],
): string[] {
  const args = [CLI, options.command ?? "run", "--quiet", "--no-color", "--watch", options.watch];
  if (options.events) args.push("--events", options.events);
  if (options.extra) args.push(...options.extra);
  return [...args, ...entry];
}
