/** The `(hf)` prompt's commands: pdb's names and abbreviations (and node inspect's where they
 * fit). A line is parsed into a Command value; anything that is not a command is evaluated. */

export interface CommandSpec {
  name: string;
  aliases: readonly string[];
  usage: string;
  help: string;
}

export const COMMANDS: readonly CommandSpec[] = [
  spec(
    "break",
    ["b"],
    "break [file:line | function] [if condition]",
    "set a breakpoint; with no argument, list them",
  ),
  spec(
    "tbreak",
    [],
    "tbreak [file:line | function] [if condition]",
    "a breakpoint removed after its first stop",
  ),
  spec("clear", ["cl"], "clear [number...]", "remove breakpoints (all of them with no argument)"),
  spec("disable", [], "disable number...", "disable breakpoints (they stay in the list)"),
  spec("enable", [], "enable number...", "enable breakpoints"),
  spec("condition", [], "condition number [expression]", "set (or remove) a breakpoint's condition"),
  spec("ignore", [], "ignore number count", "the next `count` hits of a breakpoint do not stop"),
  spec("continue", ["c", "cont"], "continue", "run until a breakpoint or the end"),
  spec("next", ["n"], "next", "run to the next line of this function (calls run through)"),
  spec("step", ["s"], "step", "run to the next line, into calls"),
  spec("return", ["r", "finish", "out", "o"], "return", "run until this function returns"),
  spec("until", ["unt"], "until", "run to a line after this one in this function (leaves loops)"),
  spec("where", ["w", "bt", "backtrace"], "where", "the stack, the selected frame marked"),
  spec("up", ["u"], "up [count]", "select an older frame (the caller)"),
  spec("down", ["d"], "down [count]", "select a newer frame"),
  spec("frame", ["f"], "frame N", "select frame N (0 is the top)"),
  spec("list", ["l"], "list [line]", "source around the line; again: the next lines"),
  spec("longlist", ["ll"], "ll", "the whole function of the selected frame"),
  spec("print", ["p"], "p expression", "evaluate and print (side effects happen, as in pdb)"),
  spec("pp", [], "pp expression", "evaluate and pretty-print"),
  spec("args", ["a"], "args", "the arguments of the selected frame"),
  spec("locals", [], "locals", "the local variables of the selected frame"),
  spec("display", [], "display [expression]", "show an expression at every stop; alone: list them"),
  spec("undisplay", [], "undisplay [expression]", "stop showing it (all with no argument)"),
  spec("restart", [], "restart [N]", "restart frame N (default 0) from its first line with the newest code"),
  spec("catch", [], "catch uncaught | raised | none", "pause on exceptions"),
  spec("threads", [], "threads", "the program's threads"),
  spec("thread", [], "thread N", "select a paused thread"),
  spec("help", ["h"], "help [command]", "this list, or one command's help"),
  spec("quit", ["q", "exit", "kill"], "quit", "end the program and the debugger"),
];

function spec(name: string, aliases: string[], usage: string, help: string): CommandSpec {
  return { name, aliases, usage, help };
}

export type Command =
  | { kind: "command"; name: string; argument: string }
  | { kind: "evaluate"; expression: string }
  | { kind: "empty" };

const BY_NAME = new Map(COMMANDS.flatMap((c) => [c.name, ...c.aliases].map((n) => [n, c] as const)));

export function findCommand(word: string): CommandSpec | undefined {
  return BY_NAME.get(word);
}

export function parseCommand(line: string): Command {
  const text = line.trim();
  if (text === "") return { kind: "empty" };
  if (text.startsWith("!")) return { kind: "evaluate", expression: text.slice(1).trim() };
  const match = /^(\S+)\s*(.*)$/s.exec(text) as RegExpExecArray;
  const command = findCommand(match[1] as string);
  // `p = 3` or `c.x` is code, not a command (pdb decides the same way for assignments).
  const argument = match[2] as string;
  if (command && !/^=[^=]/.test(argument) && !/^[.[(]/.test(argument)) {
    return { kind: "command", name: command.name, argument };
  }
  return { kind: "evaluate", expression: text };
}

/** The command closest to a mistyped word (edit distance ≤ 2), for the one-line answer. */
export function nearestCommand(word: string): string | undefined {
  let best: { name: string; distance: number } | undefined;
  for (const name of BY_NAME.keys()) {
    const distance = editDistance(word, name);
    if (distance <= 2 && (!best || distance < best.distance))
      best = { name: (BY_NAME.get(name) as CommandSpec).name, distance };
  }
  return best?.name;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row.push(
        Math.min((previous[j] as number) + 1, (row[j - 1] as number) + 1, (previous[j - 1] as number) + cost),
      );
    }
    previous = row;
  }
  return previous[b.length] as number;
}

/** `app.py:42`, `42`, `compute`, `Order.total`, each with an optional `if condition`. */
export type BreakTarget =
  | { kind: "line"; file?: string; line: number; condition?: string }
  | { kind: "function"; name: string; condition?: string };

export function parseBreakTarget(argument: string): BreakTarget | string {
  const [where, ...rest] = argument.split(/\s+if\s+/);
  const condition = rest.length > 0 ? rest.join(" if ").trim() : undefined;
  const target = (where ?? "").trim().replace(/,$/, "");
  const withCondition = condition ? { condition } : {};
  const fileLine = /^(.+):(\d+)$/.exec(target);
  if (fileLine)
    return { kind: "line", file: fileLine[1] as string, line: Number(fileLine[2]), ...withCondition };
  if (/^\d+$/.test(target)) return { kind: "line", line: Number(target), ...withCondition };
  if (/^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*$/.test(target))
    return { kind: "function", name: target, ...withCondition };
  return `cannot read '${target}' as a breakpoint: expected file:line, a line number or a function name`;
}
