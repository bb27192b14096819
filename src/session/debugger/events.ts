import type { Untimed, SessionEvent } from "../events.js";
import type { DebugNotice } from "./model.js";

/** The event-log form (docs/events.md) of what the debugger model tells its views. */
export function sessionEvents(notice: DebugNotice): Untimed<SessionEvent>[] {
  switch (notice.type) {
    case "stopped": {
      const { stop } = notice;
      const paused: Untimed<SessionEvent> = {
        type: "paused",
        reason: stop.reason,
        thread: { id: stop.threadId, name: stop.threadName },
        frames: stop.frames.map((f) => ({ file: f.source, line: f.line, function: f.name })),
        breakpoints: stop.hitBreakpoints,
        ...(stop.description ? { description: stop.description } : {}),
      };
      const top = stop.frames[0];
      if (!stop.restarted || !top) return [paused];
      const restarted: Untimed<SessionEvent> = {
        type: "restarted",
        function: stop.restarted.function,
        file: top.source,
        line: top.line,
        ...(stop.restarted.afterEdit ? { afterEdit: stop.restarted.afterEdit } : {}),
      };
      return [restarted, paused];
    }
    case "resumed":
      return [{ type: "resumed", thread: notice.threadId }];
    case "breakpoint": {
      const bp = notice.breakpoint;
      return [
        {
          type: "breakpoint",
          change: notice.change,
          number: bp.number,
          state: bp.state,
          ...(bp.file ? { file: bp.file } : {}),
          ...(bp.line ? { line: bp.line } : {}),
          ...(bp.function ? { function: bp.function } : {}),
          ...(bp.message ? { message: bp.message } : {}),
        },
      ];
    }
    case "output":
      return [];
  }
}
