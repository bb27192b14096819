import { createReadStream } from "node:fs";
import { createInterface, type Interface } from "node:readline";
import type { Readable } from "node:stream";

/** Where the `(hf)` prompt's commands come from: a terminal, a pipe, or a --script file. */
export interface CommandInput {
  /** The next command line; undefined when there are no more. */
  next(prompt: string): Promise<string | undefined>;
  /** The program runs: stop reading (a terminal is the program's again). */
  idle(): void;
  close(): void;
}

/** Lines of a pipe or a file, read ahead into a queue (the program does not share this input). */
export class LineInput implements CommandInput {
  private readonly lines: string[] = [];
  private ended = false;
  private waiter: (() => void) | undefined;
  private readonly reader: Interface;

  constructor(
    stream: Readable,
    private readonly echo: (line: string) => void,
  ) {
    this.reader = createInterface({ input: stream, terminal: false });
    this.reader.on("line", (line) => {
      this.lines.push(line);
      this.wake();
    });
    this.reader.on("close", () => {
      this.ended = true;
      this.wake();
    });
  }

  static file(path: string, echo: (line: string) => void): LineInput {
    return new LineInput(createReadStream(path, "utf8"), echo);
  }

  private wake(): void {
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.();
  }

  async next(prompt: string): Promise<string | undefined> {
    while (this.lines.length === 0 && !this.ended)
      await new Promise<void>((resolve) => (this.waiter = resolve));
    const line = this.lines.shift();
    if (line !== undefined) this.echo(`${prompt}${line}`);
    return line;
  }

  idle(): void {}

  close(): void {
    this.reader.close();
  }
}

/** A terminal: readline with history, line editing and completion; paused while the program runs. */
export class TerminalInput implements CommandInput {
  private readonly reader: Interface;
  private pending: ((line: string | undefined) => void) | undefined;

  constructor(complete: (line: string) => Promise<string[]>) {
    this.reader = createInterface({
      input: process.stdin,
      output: process.stderr,
      terminal: true,
      historySize: 1000,
      completer: (line: string, callback: (error: null, result: [string[], string]) => void) => {
        const word = /[\w.]*$/.exec(line)?.[0] ?? "";
        complete(line).then(
          (names) => callback(null, [names.filter((n) => n.startsWith(word)), word]),
          () => callback(null, [[], word]),
        );
      },
    });
    this.reader.on("line", (line) => this.answer(line));
    this.reader.on("close", () => this.answer(undefined));
    this.reader.on("SIGINT", () => {
      // Ctrl-C at the prompt drops the line being typed, as in pdb.
      process.stderr.write("^C\n");
      this.reader.write("", { ctrl: true, name: "u" });
      this.reader.prompt();
    });
    this.idle();
  }

  private answer(line: string | undefined): void {
    const pending = this.pending;
    this.pending = undefined;
    pending?.(line);
  }

  next(prompt: string): Promise<string | undefined> {
    return new Promise((resolve) => {
      this.pending = resolve;
      this.reader.setPrompt(prompt);
      process.stdin.setRawMode(true);
      this.reader.resume();
      this.reader.prompt();
    });
  }

  idle(): void {
    this.reader.pause();
    // Cooked again: the program reads its own input, and Ctrl-C is a signal (the agent pauses).
    process.stdin.setRawMode(false);
  }

  close(): void {
    this.reader.close();
  }
}
