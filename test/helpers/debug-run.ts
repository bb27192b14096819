import type { SessionEvent } from "../../src/session/events.js";
import { HotframeRun } from "./hotframe.js";

export type Paused = Extract<SessionEvent, { type: "paused" }>;
export type Restarted = Extract<SessionEvent, { type: "restarted" }>;

/** `hotframe debug …` driven through its stdin (commands from a pipe), observed through its
 * event log and output. */
export class DebugRun extends HotframeRun {
  constructor(dir: string, args: string[]) {
    super(dir, args, { command: "debug" });
  }

  /** Send one command line. */
  send(line: string): void {
    this.write(`${line}\n`);
  }

  paused(from: number): Promise<Paused> {
    return this.event((e): e is Paused => e.type === "paused", from);
  }

  /** A restart, once the pause it ends in is seen too (the log may show one before the other). */
  async restarted(from: number): Promise<Restarted> {
    const restarted = await this.event((e): e is Restarted => e.type === "restarted", from);
    await this.paused(this.events.indexOf(restarted) + 1);
    return restarted;
  }

  /** Run a command and resolve with the first stderr line after its echo that matches. */
  async answer(line: string, match: RegExp): Promise<string> {
    const from = this.stderr.length;
    this.send(line);
    const echoed = await this.stderrLine(new RegExp(`^\\(hf\\) ${escape(line)}$`), from);
    return this.stderrLine(match, this.stderr.indexOf(echoed, from) + 1);
  }

  async pausedAfter(line: string): Promise<Paused> {
    const mark = this.mark();
    this.send(line);
    return this.paused(mark);
  }
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

export function lineOf(text: string, needle: string): number {
  return text.split("\n").findIndex((l) => l.includes(needle)) + 1;
}
