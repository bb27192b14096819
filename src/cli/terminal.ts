import { relative } from "node:path";
import type { FunctionOutcome } from "../protocol/messages.js";
import type { SessionEvent } from "../session/events.js";

export interface TerminalOptions {
  color: boolean;
  /** Only what went wrong: rejected and refused edits, warnings. */
  quiet: boolean;
  verbose: boolean;
  /** File names are shown relative to this folder. */
  cwd: string;
}

const STYLE = { green: 32, yellow: 33, red: 31, dim: 2 } as const;

/** Writes hotframe's own lines to stderr (never stdout: that belongs to the program). */
export class TerminalReporter {
  constructor(
    private readonly options: TerminalOptions,
    private readonly write: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
  ) {}

  event(event: SessionEvent): void {
    for (const line of this.format(event)) this.write(line);
  }

  /** A line about hotframe itself (where a debugger can attach); `always`: even with --quiet. */
  note(message: string, always = false): void {
    if (always || !this.options.quiet) this.write(this.paint("dim", `hotframe: ${message}`));
  }

  verbose(message: string): void {
    if (this.options.verbose) this.write(this.paint("dim", `hotframe: ${message}`));
  }

  private format(event: SessionEvent): string[] {
    const quiet = this.options.quiet;
    switch (event.type) {
      case "started":
        return quiet
          ? []
          : [this.paint("dim", `hotframe: ${event.runtime} pid ${event.pid}, watching ${event.root}`)];
      case "warning":
        return [this.paint("yellow", `⚠ ${event.file ? `${this.show(event.file)}  ` : ""}${event.message}`)];
      case "exit":
        return [];
      case "edit":
        return this.formatEdit(event);
      default:
        return []; // the debugger's events: its terminal front end shows them (debug-terminal.ts)
    }
  }

  private formatEdit(event: Extract<SessionEvent, { type: "edit" }>): string[] {
    const file = this.show(event.file);
    const lines: string[] = [];
    const timing = this.paint("dim", `(${event.durationMs.toFixed(1)} ms)`);
    if (event.outcome === "rejected") {
      const error = event.error;
      const where = error?.line ? `${file}:${error.line}${error.column ? `:${error.column}` : ""}` : file;
      const message = error?.message ?? "the edit cannot be applied";
      const why =
        error?.kind === "syntax" && !/^\w*Error\b/.test(message) ? `SyntaxError: ${message}` : message;
      lines.push(
        this.paint("red", `✗ ${where}  ${why} — nothing changed, the program runs the previous code`),
      );
      for (const refused of event.functions.filter((f) => f.status === "refused")) {
        lines.push(this.paint("red", `    ${describe(refused)}: ${refused.reason ?? "refused"}`));
      }
      if (error?.traceback)
        lines.push(
          ...error.traceback
            .trimEnd()
            .split("\n")
            .map((l) => `    ${l}`),
        );
      return lines;
    }
    if (!this.options.quiet || event.outcome === "partial") {
      // ✓ only when every change is live: a function running its old code is not yet.
      const live = event.outcome === "applied" && !event.functions.some((f) => f.status === "running-old");
      const symbol = live ? this.paint("green", "✓") : this.paint("yellow", "⚠");
      lines.push(`${symbol} ${file}  ${summarize(event.functions)}  ${timing}`);
    }
    for (const f of event.functions) {
      if (f.status === "running-old" && !this.options.quiet) {
        const why =
          f.reason ?? "a frame running it keeps the old code; its new code applies from its next call";
        lines.push(this.paint("yellow", `⚠ ${file}  ${describe(f)}: ${why}`));
      } else if (f.status === "refused") {
        const where = f.line ? `${file}:${f.line}` : file;
        lines.push(this.paint("red", `✗ ${where}  ${describe(f)} not applied: ${f.reason ?? "refused"}`));
      }
    }
    return lines;
  }

  private show(path: string): string {
    const rel = relative(this.options.cwd, path);
    return rel === "" ? "." : rel.startsWith("..") ? path : rel;
  }

  private paint(style: keyof typeof STYLE, text: string): string {
    return this.options.color ? `\x1b[${STYLE[style]}m${text}\x1b[0m` : text;
  }
}

/** `price() updated, loop() running old code, new: discount(), removed: legacy()` */
function summarize(functions: FunctionOutcome[]): string {
  const parts: string[] = [];
  for (const f of functions) {
    if (f.status === "updated") parts.push(`${describe(f)} updated`);
    else if (f.status === "running-old") parts.push(`${describe(f)} running old code`);
  }
  const restarted = functions.filter((f) => f.status === "restarted");
  parts.push(...restarted.map((f) => `${describe(f)} restarted`));
  const added = functions.filter((f) => f.status === "added");
  if (added.length > 0) parts.push(`new: ${added.map(describe).join(", ")}`);
  const removed = functions.filter((f) => f.status === "removed");
  if (removed.length > 0) parts.push(`removed: ${removed.map(describe).join(", ")}`);
  return parts.length > 0 ? parts.join(", ") : "no code changed";
}

/** A qualname's number when its name repeats: `f #2` (the Node agent), `f#2`. */
const NUMBER = /\s?#\d+$/;
/** A function named by what it is rather than by a name: `app.get('/users') handler`. */
const DESCRIBED = /(^|\s)(handler|callback|getter|setter|arrow|function)$/;
/** Ends with a name the user calls it by (`total`, `#count`, `arrow in makeCounter`). */
const CALLED = /(^|[.\s])#?[\w$]+$/;

/**
 * A definition named as the user writes it, by its kind: a function `price()`, a method
 * `Order.total()`, a callback `app.get('/users') handler`, a class `Order`, a statement by what
 * it binds (`TAX_RATE`, `Order.LIMIT`) or by its own text (`app.get("/health", h)`,
 * docs/protocol.md).
 */
function describe(f: FunctionOutcome): string {
  switch (f.kind) {
    case "statement":
      if (f.qualname === "<module>") return f.name;
      return /^[\w$]+$/.test(f.name) ? `${f.qualname}.${f.name}` : `${f.name} in ${f.qualname}`;
    case "class":
      return f.qualname;
    default: {
      const number = NUMBER.exec(f.qualname)?.[0] ?? "";
      const name = f.qualname.slice(0, f.qualname.length - number.length);
      const call = CALLED.test(name) && !DESCRIBED.test(name) ? "()" : "";
      return `${name}${call}${number}`;
    }
  }
}
