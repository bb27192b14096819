import { spawn } from "node:child_process";
import { type FSWatcher, mkdirSync, mkdtempSync, readFileSync, watch, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { SessionEvent } from "../../src/session/events.js";
import { ObservedProcess } from "./observed-process.js";

/** dist/test/helpers → the repository root. */
export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
export const CLI = join(REPO, "dist", "src", "cli", "main.js");

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

/** `hotframe run …` (or `hotframe debug …`) as a real child process, with its output and event
 * log observable. */
export class HotframeRun extends ObservedProcess {
  readonly events: SessionEvent[] = [];
  readonly eventsFile: string;
  private eventsRead = 0;
  private readonly eventsWatcher: FSWatcher;

  /** `args` are hotframe's run arguments (options, entry point, program arguments). */
  constructor(
    cwd: string,
    args: string[],
    options: { env?: Record<string, string>; stdin?: "pipe" | "ignore"; command?: "run" | "debug" } = {},
  ) {
    const eventsFile = join(mkdtempSync(join(tmpdir(), "hotframe-events-")), "events.jsonl");
    // Created here, so it can be watched from the start (the CLI truncates it: same file).
    writeFileSync(eventsFile, "");
    super(
      spawn(process.execPath, [CLI, options.command ?? "run", "--events", eventsFile, ...args], {
        cwd,
        stdio: [options.stdin ?? "pipe", "pipe", "pipe"],
        env: { ...process.env, NO_COLOR: "1", ...options.env },
      }),
    );
    this.eventsFile = eventsFile;
    this.eventsWatcher = watch(eventsFile, () => this.notify());
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

  protected override onExit(): void {
    this.readEvents();
    this.eventsWatcher.close();
  }

  private readEvents(): void {
    const lines = readFileSync(this.eventsFile, "utf8").split("\n");
    // The last element is an unfinished line (or ""): read it next time.
    for (; this.eventsRead < lines.length - 1; this.eventsRead++) {
      this.events.push(JSON.parse(lines[this.eventsRead] as string) as SessionEvent);
    }
  }
}
