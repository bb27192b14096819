import type { CallFrame, Inspector, Location } from "./inspector.js";

/** A caller with more break locations than this gets those from its current position on only. */
const MAX_FLOOD = 300;

/**
 * Stepping out of a function with the restart guard (restart-guard.ts). V8 leaves a function
 * while stepping only at a return position, and a `return` inside a try/finally has none (the
 * real return runs after the finally block, with no source position): `finish`, and `next` or
 * `step` at a return, would run on to the program's next break instead of stopping in the
 * caller. So, as V8 does for a caller it steps out to, every break location of the caller's
 * function gets a breakpoint for the duration of the step.
 */
export class CallerFlood {
  private ids = new Set<string>();

  constructor(private readonly inspector: Inspector) {}

  /** Breakpoints at the break locations of `caller`'s function. */
  async set(caller: CallFrame): Promise<void> {
    const start = caller.functionLocation ?? { ...caller.location, lineNumber: 0, columnNumber: 0 };
    let { locations } = await this.inspector.post<{ locations: Location[] }>(
      "Debugger.getPossibleBreakpoints",
      {
        start,
        restrictToFunction: true,
      },
    );
    if (locations.length > MAX_FLOOD) locations = locations.filter((l) => !before(l, caller.location));
    for (const location of locations) {
      const { breakpointId } = await this.inspector.post<{ breakpointId: string }>("Debugger.setBreakpoint", {
        location,
      });
      this.ids.add(breakpointId);
    }
  }

  /** Is this one of the flood's breakpoints? */
  has(id: string): boolean {
    return this.ids.has(id);
  }

  async clear(): Promise<void> {
    const ids = [...this.ids];
    this.ids = new Set();
    for (const breakpointId of ids) await this.inspector.post("Debugger.removeBreakpoint", { breakpointId });
  }
}

function before(a: Location, b: Location): boolean {
  return (
    a.lineNumber < b.lineNumber ||
    (a.lineNumber === b.lineNumber && (a.columnNumber ?? 0) < (b.columnNumber ?? 0))
  );
}
