import { resolve } from "node:path";
import type { DebugNotice, DebuggerModel, ResumeCommand, Stop } from "../session/debugger/model.js";
import { COMMANDS, findCommand, nearestCommand, parseBreakTarget, parseCommand } from "./debug-commands.js";
import type { CommandInput } from "./debug-input.js";
import type { DebugView } from "./debug-view.js";

/** What running one command line leaves: the prompt again, the program running, or the end. */
type After = "prompt" | "running" | "quit";

const PROMPT = "(hf) ";
const ENDED = Symbol("the program ended");
/** The commands that let the paused thread run, and the model's name for each. */
const RESUMING: Record<string, ResumeCommand | undefined> = {
  continue: "continue",
  next: "next",
  step: "stepIn",
  return: "stepOut",
  until: "until",
};
const LIST_CONTEXT = 5;
/** `catch X`: the exception filters it sets (`raised` pauses on uncaught ones too, said so). */
const CATCH_FILTERS: Record<string, string[] | undefined> = {
  uncaught: ["uncaught"],
  raised: ["uncaught", "raised"],
  none: [],
};
const CATCHING: Record<string, string | undefined> = {
  uncaught: "pausing where an exception is raised that nothing will catch",
  "uncaught raised": "pausing on every exception raised in the program's code",
  "": "exceptions do not pause",
};

/**
 * The terminal front end of the debugger: reads commands while a thread is paused, runs them on
 * the model, prints what happens. A thin view: every decision is the model's.
 */
export class DebugTerminal {
  private selected = 0;
  private lastLine = "";
  /** Where `list` continues (the last line it showed), per stop. */
  private listedTo: number | undefined;
  private readonly displays: string[] = [];
  private executing = false;
  /** The `display` lines of the last stop, shown before the next prompt. */
  private displaying: Promise<void> = Promise.resolve();

  constructor(
    private readonly model: DebuggerModel,
    private readonly view: DebugView,
    private readonly input: CommandInput,
    private readonly cwd: string,
    private readonly write: (line: string) => void,
  ) {
    model.onNotice((notice) => this.notice(notice));
  }

  private notice(notice: DebugNotice): void {
    switch (notice.type) {
      case "stopped":
        this.selected = 0;
        this.listedTo = undefined;
        // A restart caused by an edit is told with the edit (debug.ts), after its outcome.
        if (!notice.stop.restarted?.afterEdit) this.showStop(notice.stop);
        return;
      case "output":
        this.write(notice.text.replace(/\n$/, ""));
        return;
      case "breakpoint":
        // A command says what it changed itself; this is for what changes on its own (a file loads).
        if (!this.executing && notice.change === "changed" && notice.breakpoint.state !== "removed") {
          this.write(this.view.breakpoint(notice.breakpoint));
        }
        return;
      case "resumed":
        return;
    }
  }

  showStop(stop: Stop): void {
    for (const line of this.view.stop(stop)) this.write(line);
    this.displaying = this.showDisplays();
  }

  private async showDisplays(): Promise<void> {
    for (const expression of this.displays) {
      const text = await this.model.evaluate(expression, 0, { context: "watch" }).then(
        (r) => r.result,
        (e: Error) => `*** ${e.message}`,
      );
      this.write(`display ${expression}: ${text}`);
    }
  }

  /** Read and run commands whenever a thread is paused, until the program ends or `quit`. */
  async run(): Promise<"exited" | "quit" | "no-more-commands"> {
    for (;;) {
      const stop = await this.model.whenStopped();
      if (!stop) return "exited";
      await this.displaying;
      // The program can end while the prompt waits (killed, another thread exits it).
      const line = await Promise.race([this.input.next(PROMPT), this.model.ended.then(() => ENDED)]);
      if (typeof line === "symbol") return "exited";
      if (line === undefined) return "no-more-commands";
      let after: After;
      this.executing = true;
      try {
        after = await this.execute(line);
      } catch (error) {
        this.write(`*** ${(error as Error).message}`);
        after = "prompt";
      } finally {
        this.executing = false;
      }
      if (after === "quit") return "quit";
      if (after === "running") {
        this.input.idle();
        // The next stop can arrive before the resume's answer: one after `stop`, not the next one.
        await this.model.stopAfter(stop);
      }
    }
  }

  /** Run one command line (an empty one repeats the last command, as in pdb). */
  async execute(line: string): Promise<After> {
    let command = parseCommand(line);
    if (command.kind === "empty") {
      if (this.lastLine === "") return "prompt";
      command = parseCommand(this.lastLine);
    } else {
      this.lastLine = line;
    }
    if (command.kind === "evaluate") return this.evaluate(command.expression, false);
    if (command.kind !== "command") return "prompt";
    const { name, argument } = command;
    const resume = RESUMING[name];
    if (resume) {
      // A resume changes no breakpoint itself: what changes from here on (a file that loads as
      // the program runs, possibly before this answer is read) is news to show.
      this.executing = false;
      await this.model.resume(resume);
      return "running";
    }
    switch (name) {
      case "break":
      case "tbreak":
        return this.breakCommand(argument, name === "tbreak");
      case "clear":
        return this.forEachNumber(argument, true, async (n) => {
          const entry = await this.model.clear(n);
          this.write(`deleted ${this.view.breakpoint(entry)}`);
        });
      case "disable":
      case "enable":
        return this.forEachNumber(argument, false, async (n) => {
          const entry = await this.model.change(n, { enabled: name === "enable" });
          this.write(`${name}d breakpoint ${entry.number}`);
        });
      case "condition": {
        const [number, ...expression] = argument.trim().split(/\s+/);
        const condition = expression.join(" ");
        const entry = await this.model.change(this.number(number), {
          condition: condition === "" ? undefined : condition,
        });
        this.write(
          condition === ""
            ? `breakpoint ${entry.number} is now unconditional`
            : `new condition of breakpoint ${entry.number}: ${condition}`,
        );
        return "prompt";
      }
      case "ignore": {
        const [number, count] = argument.trim().split(/\s+/);
        const ignoreCount = Number(count ?? "0");
        if (!Number.isInteger(ignoreCount) || ignoreCount < 0) throw new Error("usage: ignore number count");
        const entry = await this.model.change(this.number(number), { ignoreCount });
        this.write(`breakpoint ${entry.number}: the next ${ignoreCount} hits do not stop`);
        return "prompt";
      }
      case "where":
        for (const l of this.view.frames(this.stop().frames, this.selected)) this.write(l);
        return "prompt";
      case "up":
      case "down":
        return this.select(
          this.selected + (name === "up" ? 1 : -1) * (argument.trim() === "" ? 1 : this.number(argument)),
        );
      case "frame":
        return this.select(this.number(argument));
      case "list":
        return this.list(argument);
      case "longlist": {
        const frame = this.model.frameAt(this.selected);
        const span = frame.definition ?? { startLine: frame.line, endLine: frame.line };
        for (const l of this.view.listing(frame, span.startLine, span.endLine)) this.write(l);
        return "prompt";
      }
      case "print":
      case "pp":
        return this.evaluate(argument, name === "pp");
      case "args":
        this.write(this.model.frameAt(this.selected).arguments?.split(", ").join("\n") || "(no arguments)");
        return "prompt";
      case "locals":
        return this.locals();
      case "display":
        if (argument.trim() === "") {
          for (const expression of this.displays) this.write(`display ${expression}`);
          return "prompt";
        }
        this.displays.push(argument.trim());
        await this.showDisplays();
        return "prompt";
      case "undisplay":
        this.displays.splice(
          0,
          this.displays.length,
          ...(argument.trim() === "" ? [] : this.displays.filter((d) => d !== argument.trim())),
        );
        return "prompt";
      case "restart": {
        const index = argument.trim() === "" ? this.selected : this.number(argument);
        const stop = await this.model.restart(index);
        return stop ? "prompt" : "running";
      }
      case "catch": {
        const which = argument.trim();
        if (which === "") {
          this.write(
            CATCHING[this.model.exceptionFilters.join(" ")] ?? this.model.exceptionFilters.join(" "),
          );
          return "prompt";
        }
        const filters = CATCH_FILTERS[which];
        if (!filters) throw new Error("usage: catch uncaught | raised | none");
        await this.model.setExceptionFilters(filters);
        this.write(CATCHING[filters.join(" ")] as string);
        return "prompt";
      }
      case "threads": {
        const stop = this.stop();
        for (const t of await this.model.threads()) {
          this.write(
            `${t.id === stop.threadId ? "→" : " "} thread ${t.id} ${t.name}${t.id === stop.threadId ? " (paused)" : " (running)"}`,
          );
        }
        return "prompt";
      }
      case "thread": {
        const n = this.number(argument);
        const paused = this.stop().threadId;
        if (n === paused) return "prompt";
        if (!(await this.model.threads()).some((t) => t.id === n))
          throw new Error(`there is no thread ${n}: \`threads\` lists them`);
        throw new Error(`thread ${n} is running: only thread ${paused} is paused`);
      }
      case "help":
        return this.help(argument.trim());
      case "quit":
        return "quit";
      default:
        throw new Error(`${name} is not available yet`);
    }
  }

  private stop(): Stop {
    const stop = this.model.stop;
    if (!stop) throw new Error("the program is running");
    return stop;
  }

  private number(text: string | undefined): number {
    const n = Number((text ?? "").trim());
    if (text === undefined || text.trim() === "" || !Number.isInteger(n))
      throw new Error(`expected a number, not '${text ?? ""}'`);
    return n;
  }

  private async forEachNumber(
    argument: string,
    allWhenNone: boolean,
    each: (n: number) => Promise<void>,
  ): Promise<After> {
    const words = argument
      .trim()
      .split(/\s+/)
      .filter((w) => w !== "");
    const numbers =
      words.length === 0 && allWhenNone
        ? this.model.breakpoints.all().map((e) => e.number)
        : words.map((w) => this.number(w));
    if (numbers.length === 0) throw new Error("which breakpoint? (a number, see `break`)");
    for (const n of numbers) await each(n);
    return "prompt";
  }

  private async breakCommand(argument: string, temporary: boolean): Promise<After> {
    if (argument.trim() === "") {
      const all = this.model.breakpoints.all();
      if (all.length === 0) this.write("no breakpoints");
      for (const entry of all) this.write(this.view.breakpoint(entry));
      return "prompt";
    }
    const target = parseBreakTarget(argument);
    if (typeof target === "string") throw new Error(target);
    const options = {
      ...(target.condition ? { condition: target.condition } : {}),
      ...(temporary ? { temporary } : {}),
    };
    const entry =
      target.kind === "function"
        ? await this.model.breakFunction(target.name, options)
        : await this.model.breakLine(
            target.file ? resolve(this.cwd, target.file) : this.model.frameAt(this.selected).source,
            target.line,
            options,
          );
    this.write(this.view.breakpoint(entry));
    return "prompt";
  }

  private select(index: number): After {
    const frames = this.stop().frames;
    if (index < 0 || index >= frames.length)
      throw new Error(index < 0 ? "already at the newest frame" : "already at the oldest frame");
    this.selected = index;
    this.listedTo = undefined;
    const frame = frames[index];
    if (frame) {
      this.write(`→ #${index} ${this.view.call(frame)} at ${this.view.where(frame)}`);
      for (const l of this.view.around(frame, frame.line, 1)) this.write(l);
    }
    return "prompt";
  }

  private list(argument: string): After {
    const frame = this.model.frameAt(this.selected);
    const asked = argument.trim();
    const from =
      asked !== ""
        ? Math.max(1, this.number(asked) - LIST_CONTEXT)
        : this.listedTo !== undefined
          ? this.listedTo + 1
          : frame.line - LIST_CONTEXT;
    const to = from + 2 * LIST_CONTEXT;
    for (const l of this.view.listing(frame, from, to)) this.write(l);
    this.listedTo = to;
    return "prompt";
  }

  private async locals(): Promise<After> {
    const [scope] = await this.model.scopes(this.selected);
    if (!scope) return "prompt";
    const variables = await this.model.variables(scope.variablesReference, 0, 100);
    for (const v of variables) this.write(`${v.name} = ${v.value}`);
    if ((scope.namedVariables ?? 0) > variables.length)
      this.write(`… ${(scope.namedVariables ?? 0) - variables.length} more`);
    return "prompt";
  }

  private async evaluate(expression: string, pretty: boolean): Promise<After> {
    if (expression.trim() === "") throw new Error("what should be printed? (p expression)");
    try {
      const { result } = await this.model.evaluate(expression, this.selected, { pretty });
      if (result !== "") this.write(result);
    } catch (error) {
      const word = /^[A-Za-z]\w*$/.test(expression.trim()) ? expression.trim() : undefined;
      const nearest = word !== undefined && !findCommand(word) ? nearestCommand(word) : undefined;
      const hint = nearest ? ` (unknown command '${word}': did you mean ${nearest}?)` : "";
      this.write(`*** ${(error as Error).message}${hint}`);
    }
    return "prompt";
  }

  private help(which: string): After {
    if (which !== "") {
      const command = findCommand(which);
      if (!command)
        throw new Error(
          `no command '${which}'${nearestCommand(which) ? ` (did you mean ${nearestCommand(which)}?)` : ""}`,
        );
      const aliases = command.aliases.length > 0 ? `  (also: ${command.aliases.join(", ")})` : "";
      this.write(`${command.usage}${aliases}\n    ${command.help}`);
      return "prompt";
    }
    for (const c of COMMANDS) this.write(`${c.usage.padEnd(44)} ${c.help}`);
    this.write(
      "anything else is evaluated in the selected frame (! forces it); an empty line repeats the last command",
    );
    return "prompt";
  }

  /** Tab completion: command names, and the names visible in the selected frame. */
  async completions(line: string): Promise<string[]> {
    const names = COMMANDS.flatMap((c) => [c.name, ...c.aliases]);
    if (!/\s/.test(line.trimStart()) && !line.includes(".")) {
      if (!this.model.stop) return names;
    }
    if (!this.model.stop) return [];
    return [...new Set([...names, ...(await this.model.names(this.selected))])];
  }
}
