/**
 * When a breakpoint hit stops the program: its hit condition (DAP's `N`, `>=N`, `>N`, `==N`,
 * `%N`) and pdb's ignore count, as data and pure functions (the worker evaluates conditions and
 * log messages in the paused frame).
 */

export type HitTest = { op: ">=" | ">" | "==" | "%"; n: number };

/** A hit condition as written, or undefined when it is not one of the forms. */
export function parseHitCondition(text: string): HitTest | undefined {
  const match = /^\s*(>=|>|==|%)?\s*(\d+)\s*$/.exec(text);
  if (!match) return undefined;
  return { op: (match[1] as HitTest["op"] | undefined) ?? ">=", n: Number(match[2]) };
}

export function hitPasses(test: HitTest, hits: number): boolean {
  switch (test.op) {
    case ">=":
      return hits >= test.n;
    case ">":
      return hits > test.n;
    case "==":
      return hits === test.n;
    case "%":
      return test.n > 0 && hits % test.n === 0;
  }
}

/** A log message's parts: text, and `{expression}`s to evaluate in the frame. */
export function logParts(message: string): ({ text: string } | { expression: string })[] {
  const parts: ({ text: string } | { expression: string })[] = [];
  let at = 0;
  for (const match of message.matchAll(/\{([^{}]+)\}/g)) {
    if (match.index > at) parts.push({ text: message.slice(at, match.index) });
    parts.push({ expression: match[1] as string });
    at = match.index + match[0].length;
  }
  if (at < message.length) parts.push({ text: message.slice(at) });
  return parts;
}

/**
 * Where a line of the old text is in the new one, for a breakpoint that follows its line of code:
 * lines before the first changed line stay, lines after the last changed one move by the
 * difference, and a line inside the change goes to where the change starts (`edited`).
 */
export function followLine(before: string, after: string, line: number): { line: number; edited: boolean } {
  return lineFollower(before, after)(line);
}

/** followLine for many lines of one edit: the two texts are compared once. */
export function lineFollower(
  before: string,
  after: string,
): (line: number) => { line: number; edited: boolean } {
  const a = before.split("\n");
  const b = after.split("\n");
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (
    tail < a.length - head &&
    tail < b.length - head &&
    a[a.length - 1 - tail] === b[b.length - 1 - tail]
  )
    tail++;
  return (line) => {
    if (line <= head) return { line, edited: false };
    if (line > a.length - tail) return { line: line + b.length - a.length, edited: false };
    return { line: Math.min(head + 1, b.length), edited: true };
  };
}
