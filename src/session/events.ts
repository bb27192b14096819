import { closeSync, openSync, writeSync } from "node:fs";
import type { BreakpointState, FunctionOutcome, PatchError, PauseReason } from "../protocol/messages.js";

/**
 * What a session reports, for every runtime. The terminal prints these; `--events <file>` writes
 * them as JSON Lines. docs/events.md documents this schema: keep the two in step.
 */
export type SessionEvent =
  /** `runtime`: the controller's name ("python", "node"). */
  | { type: "started"; runtime: string; pid: number; root: string; time: string }
  | {
      type: "edit";
      /** Absolute path of the edited file. */
      file: string;
      outcome: "applied" | "partial" | "rejected";
      functions: FunctionOutcome[];
      /** From the moment the change was seen to the moment the patch was verified live. */
      durationMs: number;
      error?: PatchError;
      time: string;
    }
  | { type: "warning"; message: string; file?: string; time: string }
  | { type: "exit"; code: number | null; signal: string | null; time: string }
  // `hotframe debug` only:
  | {
      type: "paused";
      reason: PauseReason;
      thread: { id: number; name: string };
      /** The paused stack, top first. */
      frames: { file: string; line: number; function: string }[];
      /** Numbers of the breakpoints that stopped it. */
      breakpoints: number[];
      /** E.g. the exception of an exception pause (`ZeroDivisionError: division by zero (uncaught: …)`). */
      description?: string;
      time: string;
    }
  | { type: "resumed"; thread: number; time: string }
  | {
      type: "restarted";
      /** The restarted function and where it paused: its first line, in the new code. */
      function: string;
      file: string;
      line: number;
      /** The edited file whose save restarted it; absent for `restart N`. */
      afterEdit?: string;
      time: string;
    }
  | {
      type: "breakpoint";
      change: "set" | "changed" | "removed";
      number: number;
      state: BreakpointState;
      file?: string;
      line?: number;
      function?: string;
      message?: string;
      time: string;
    };

/** Distributes an event without its timestamp (`at` adds it); T is one member of SessionEvent. */
export type Untimed<T> = T extends unknown ? Omit<T, "time"> : never;

export function at(event: Untimed<SessionEvent>): SessionEvent {
  return { ...event, time: new Date().toISOString() } as SessionEvent;
}

/** `--events <file>`: one JSON object per line, written synchronously so readers see it in order. */
export class EventLog {
  private readonly fd: number;

  constructor(path: string) {
    this.fd = openSync(path, "w");
  }

  write(event: SessionEvent): void {
    writeSync(this.fd, `${JSON.stringify(event)}\n`);
  }

  close(): void {
    closeSync(this.fd);
  }
}
