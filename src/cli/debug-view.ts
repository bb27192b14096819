import { readFileSync } from "node:fs";
import { relative } from "node:path";
import type { StackFrame } from "../protocol/messages.js";
import type { ExitInfo } from "../runtimes/agent-process.js";
import type { BreakpointEntry } from "../session/debugger/breakpoints.js";
import type { Stop } from "../session/debugger/model.js";

/** How the terminal shows the debugger's state: pure formatting, no I/O but reading sources. */
export class DebugView {
  constructor(private readonly cwd: string) {}

  show(path: string): string {
    const rel = relative(this.cwd, path);
    return rel === "" || rel.startsWith("..") ? path : rel;
  }

  /** `compute(order=<Order 17>)` */
  call(frame: StackFrame): string {
    return frame.arguments === undefined ? frame.name : `${frame.name}(${frame.arguments})`;
  }

  where(frame: StackFrame): string {
    return `${this.show(frame.source)}:${frame.line}`;
  }

  /** The first line of a stop, and the source around it. */
  stop(stop: Stop): string[] {
    const top = stop.frames[0];
    const thread = stop.threadId === 1 ? "main thread" : `thread ${stop.threadId} ${stop.threadName}`;
    if (!top) {
      const lines = [`■ paused — ${this.reason(stop)}  [${thread}, no frames]`];
      return stop.description ? [...lines, `  ${stop.description}`] : lines;
    }
    if (stop.restarted) {
      const what = `${stop.restarted.function}() restarted with the new code`;
      const file = stop.restarted.afterEdit ? `${this.show(stop.restarted.afterEdit)}  ` : "";
      return [
        `↻ ${file}${what}, paused at ${this.where(top)} (its first line)`,
        ...this.around(top, top.line, 2),
      ];
    }
    const count = `${stop.frames.length} frame${stop.frames.length === 1 ? "" : "s"}`;
    const why = this.reason(stop);
    const lines = [`■ paused at ${this.where(top)} in ${this.call(top)} — ${why}  [${thread}, ${count}]`];
    if (stop.description) lines.push(`  ${stop.description}`);
    return [...lines, ...this.around(top, top.line, 2)];
  }

  private reason(stop: Stop): string {
    switch (stop.reason) {
      case "breakpoint":
        return stop.hitBreakpoints.length > 1
          ? `breakpoints ${stop.hitBreakpoints.join(", ")}`
          : `breakpoint ${stop.hitBreakpoints[0] ?? "?"}`;
      case "entry":
        return "before the program's first line";
      case "pause":
        return "interrupted";
      default:
        return stop.reason;
    }
  }

  /** Source lines `from`..`to` of the frame's file, ▶ on the frame's line. */
  listing(frame: StackFrame, from: number, to: number): string[] {
    const lines = sourceLines(frame.source);
    if (lines === undefined) return [`(cannot read ${this.show(frame.source)})`];
    const last = Math.min(to, lines.length);
    const width = String(last).length;
    const shown: string[] = [];
    for (let n = Math.max(1, from); n <= last; n++) {
      const mark = n === frame.line ? "▶" : " ";
      shown.push(` ${mark} ${String(n).padStart(width)} │ ${lines[n - 1] ?? ""}`.trimEnd());
    }
    return shown.length > 0 ? shown : ["(no more lines)"];
  }

  around(frame: StackFrame, line: number, context: number): string[] {
    return this.listing(frame, line - context, line + context);
  }

  frames(frames: StackFrame[], selected: number): string[] {
    if (frames.length === 0) return ["(no frames: none of the program's code is running)"];
    return frames.map((frame, index) => {
      const mark = index === selected ? "→" : " ";
      const old = frame.runningOld ? "  (old code: `restart " + index + "` runs the new)" : "";
      return `${mark} #${index} ${this.call(frame)} at ${this.where(frame)}${old}`;
    });
  }

  breakpoint(entry: BreakpointEntry): string {
    const where =
      entry.function !== undefined
        ? `${entry.function}${entry.file && entry.line ? ` (${this.show(entry.file)}:${entry.line})` : ""}`
        : `${this.show(entry.file ?? "?")}:${entry.line ?? entry.requestedLine ?? "?"}`;
    const parts = [`${entry.temporary ? "temporary breakpoint" : "breakpoint"} ${entry.number} at ${where}`];
    if (!entry.enabled) parts.push("disabled");
    if (entry.condition) parts.push(`if ${entry.condition}`);
    if (entry.state === "pending" || entry.state === "moved") parts.push(entry.message ?? entry.state);
    return parts.join(", ");
  }
}

/** How the program ended, as the debugger's views say it. */
export function exitLine(exit: ExitInfo): string {
  return `the program exited${exit.signal ? ` (${exit.signal})` : ` with code ${exit.code ?? "?"}`}`;
}

function sourceLines(path: string): string[] | undefined {
  try {
    return readFileSync(path, "utf8").split("\n");
  } catch {
    return undefined;
  }
}
