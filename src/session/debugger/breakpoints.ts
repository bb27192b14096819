import type {
  Breakpoint,
  BreakpointState,
  FunctionBreakpoint,
  SourceBreakpoint,
} from "../../protocol/messages.js";

/** Options of a breakpoint the user can change after setting it. */
export interface BreakpointOptions {
  condition?: string;
  hitCondition?: string;
  ignoreCount?: number;
  logMessage?: string;
  temporary?: boolean;
}

/** One breakpoint as the user knows it: numbered from 1 (pdb's numbers), never renumbered. */
export interface BreakpointEntry extends BreakpointOptions {
  number: number;
  /** Line breakpoints: the file; function breakpoints get theirs once the agent finds them. */
  file?: string;
  /** Where it was asked for (line breakpoints) and where it stops (once verified). */
  requestedLine?: number;
  line?: number;
  function?: string;
  enabled: boolean;
  state: BreakpointState;
  message?: string;
}

/**
 * The breakpoints of one debugging session. What the agent is told is derived from here: per
 * file the enabled line breakpoints (setBreakpoints replaces a file's list), and all enabled
 * function breakpoints. The agent's answers update the states.
 */
export class BreakpointBook {
  private readonly entries = new Map<number, BreakpointEntry>();
  private next = 1;

  all(): BreakpointEntry[] {
    return [...this.entries.values()];
  }

  get(number: number): BreakpointEntry | undefined {
    return this.entries.get(number);
  }

  addLine(file: string, line: number, options: BreakpointOptions): BreakpointEntry {
    return this.add({ file, requestedLine: line, ...options, state: "pending" });
  }

  addFunction(name: string, options: BreakpointOptions): BreakpointEntry {
    return this.add({ function: name, ...options, state: "pending" });
  }

  private add(entry: Omit<BreakpointEntry, "number" | "enabled">): BreakpointEntry {
    const full = { ...entry, number: this.next++, enabled: true };
    this.entries.set(full.number, full);
    return full;
  }

  /** Put back an entry removed before (a replacement the agent refused). */
  restore(entry: BreakpointEntry): void {
    this.entries.set(entry.number, entry);
  }

  remove(number: number): BreakpointEntry | undefined {
    const entry = this.entries.get(number);
    this.entries.delete(number);
    return entry;
  }

  /** The setBreakpoints list of one file. */
  lineSpecs(file: string): SourceBreakpoint[] {
    return this.all()
      .filter((e) => e.enabled && e.function === undefined && e.file === file)
      .map((e) => ({ id: e.number, line: e.requestedLine ?? 1, ...options(e) }));
  }

  functionSpecs(): FunctionBreakpoint[] {
    return this.all()
      .filter((e) => e.enabled && e.function !== undefined)
      .map((e) => ({ id: e.number, name: e.function as string, ...options(e) }));
  }

  /** The agent's view of one breakpoint; returns the entry when its state or place changed. */
  update(reported: Breakpoint): BreakpointEntry | undefined {
    const entry = this.entries.get(reported.id);
    if (!entry) return undefined;
    if (reported.state === "removed") {
      this.entries.delete(entry.number);
      entry.state = "removed";
      return entry;
    }
    const changed = entry.state !== reported.state || entry.line !== reported.line;
    entry.state = reported.state;
    entry.line = reported.line;
    // A breakpoint that moved with its line of code is asked for there from now on.
    if (reported.requestedLine !== undefined) entry.requestedLine = reported.requestedLine;
    if (reported.source) entry.file = reported.source;
    entry.message = reported.message;
    return changed ? entry : undefined;
  }
}

function options(entry: BreakpointEntry): BreakpointOptions {
  const { condition, hitCondition, ignoreCount, logMessage, temporary } = entry;
  return Object.fromEntries(
    Object.entries({ condition, hitCondition, ignoreCount, logMessage, temporary }).filter(
      ([, v]) => v !== undefined,
    ),
  ) as BreakpointOptions;
}
