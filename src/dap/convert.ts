import { basename } from "node:path";
import type { DebugProtocol } from "@vscode/debugprotocol";
import type { ExitInfo } from "../runtimes/agent-process.js";
import type { Scope, StackFrame, Variable } from "../protocol/messages.js";
import type { BreakpointEntry, BreakpointOptions } from "../session/debugger/breakpoints.js";
import type { Stop } from "../session/debugger/model.js";

/** The client's line and column numbering (DAP lets a client count from 0). */
export interface Numbering {
  line(ours: number): number;
  column(ours: number): number;
}

/** The model's shapes in DAP's: pure functions, one per shape. */

export function source(path: string): DebugProtocol.Source {
  return { name: basename(path), path };
}

export function breakpoint(entry: BreakpointEntry, numbering: Numbering): DebugProtocol.Breakpoint {
  const where = entry.line ?? entry.requestedLine;
  return {
    id: entry.number,
    verified: entry.state === "verified" || entry.state === "moved",
    ...(entry.file ? { source: source(entry.file) } : {}),
    ...(where !== undefined ? { line: numbering.line(where) } : {}),
    ...(entry.message ? { message: entry.message } : {}),
    ...(entry.state === "pending" ? { reason: "pending" as const } : {}),
  };
}

/** A DAP SourceBreakpoint or FunctionBreakpoint's options, as the model takes them. */
export function breakpointOptions(
  requested: DebugProtocol.SourceBreakpoint | DebugProtocol.FunctionBreakpoint,
): BreakpointOptions {
  const { condition, hitCondition, logMessage } = requested as DebugProtocol.SourceBreakpoint;
  return {
    ...(condition ? { condition } : {}),
    ...(hitCondition ? { hitCondition } : {}),
    ...(logMessage ? { logMessage } : {}),
  };
}

/** DAP's stop reason: a breakpoint set on a function says so. */
export function stopReason(stop: Stop, entries: (number: number) => BreakpointEntry | undefined): string {
  if (stop.reason !== "breakpoint") return stop.reason;
  const byFunction = stop.hitBreakpoints.some((n) => entries(n)?.function !== undefined);
  return byFunction ? "function breakpoint" : "breakpoint";
}

export function stopped(stop: Stop, reason: string): DebugProtocol.StoppedEvent["body"] {
  return {
    reason,
    threadId: stop.threadId,
    allThreadsStopped: false,
    ...(stop.hitBreakpoints.length > 0 ? { hitBreakpointIds: stop.hitBreakpoints } : {}),
    ...(stop.description ? { description: stop.description, text: stop.description } : {}),
  };
}

export function stackFrame(frame: StackFrame, numbering: Numbering): DebugProtocol.StackFrame {
  return {
    id: frame.id,
    // The frame that runs code older than the file's says so where the stack is shown.
    name: frame.runningOld ? `${frame.name} (running old code: restart the frame for the new)` : frame.name,
    source: source(frame.source),
    line: numbering.line(frame.line),
    column: numbering.column(frame.column ?? 1),
    canRestart: frame.canRestart,
  };
}

export function scope(s: Scope): DebugProtocol.Scope {
  return {
    name: s.name,
    variablesReference: s.variablesReference,
    expensive: s.expensive,
    ...(s.namedVariables !== undefined ? { namedVariables: s.namedVariables } : {}),
    ...(s.name === "Locals" ? { presentationHint: "locals" as const } : {}),
  };
}

export function variable(v: Variable): DebugProtocol.Variable {
  return {
    name: v.name,
    value: v.value,
    variablesReference: v.variablesReference,
    ...(v.type !== undefined ? { type: v.type } : {}),
    ...(v.namedVariables !== undefined ? { namedVariables: v.namedVariables } : {}),
    ...(v.indexedVariables !== undefined ? { indexedVariables: v.indexedVariables } : {}),
  };
}

/** The exit code DAP's `exited` event carries: a signal's death as a shell reports it (128 + n). */
export function exitCode(exit: ExitInfo, signals: Record<string, number>): number {
  if (exit.signal) return 128 + (signals[exit.signal] ?? 0);
  return exit.code ?? 1;
}
