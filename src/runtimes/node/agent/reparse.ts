import { type Options, Parser } from "acorn";
import { type AnyNode, parseModule, parseOptions } from "./model.js";

/**
 * The parse of an edited file that re-parses only the top-level statements the edit touched (plus
 * one on each side, since an edit at a boundary can join or split statements); the statements
 * before are reused as they are, those after are reused with their positions moved. Anything
 * unusual (a parse error, an edit outside any statement) falls back to parsing the whole file, so
 * errors are reported exactly as a whole parse reports them.
 */
export function reparse(
  oldSource: string,
  oldProgram: AnyNode,
  source: string,
  esm: boolean,
): { program: AnyNode; restore: () => void } {
  const whole = () => ({ program: parseModule(source, esm), restore: () => {} });
  const body: AnyNode[] = oldProgram.body;
  if (body.length < 4) return whole();
  const shortest = Math.min(oldSource.length, source.length);
  let prefix = 0;
  while (prefix < shortest && oldSource.charCodeAt(prefix) === source.charCodeAt(prefix)) prefix++;
  let suffix = 0;
  while (
    suffix < shortest - prefix &&
    oldSource.charCodeAt(oldSource.length - 1 - suffix) === source.charCodeAt(source.length - 1 - suffix)
  )
    suffix++;
  const changedEnd = oldSource.length - suffix;
  const delta = source.length - oldSource.length;

  let first = body.findIndex((s) => s.end >= prefix);
  if (first < 0) first = body.length - 1;
  first = Math.max(0, first - 1);
  let last = body.length - 1;
  while (last > first && body[last].start > changedEnd) last--;
  last = Math.min(body.length - 1, last + 1);
  // The reused tail must start on a line of its own: then its columns are unchanged.
  while (last + 1 < body.length && !oldSource.slice(body[last].end, body[last + 1].start).includes("\n"))
    last++;
  const start = first === 0 ? 0 : body[first].start;
  const oldEnd = last === body.length - 1 ? oldSource.length : body[last].end;
  if (prefix < start || changedEnd > oldEnd) return whole();
  const end = oldEnd + delta;

  let region: AnyNode;
  try {
    const options = parseOptions(esm);
    region = new (Parser as unknown as new (o: Options, input: string, at: number) => { parse(): AnyNode })(
      options,
      source.slice(0, end),
      start,
    ).parse();
  } catch {
    return whole();
  }
  const lines = newlines(source, start, end) - newlines(oldSource, start, oldEnd);
  // The statements after the edit are moved in place (copying them costs more than parsing);
  // `restore` moves them back when the patch is not applied and the old parse stays in use.
  const tail = body.slice(last + 1);
  shift(tail, delta, lines);
  return {
    program: {
      ...oldProgram,
      start: 0,
      end: source.length,
      body: [...body.slice(0, first), ...region.body, ...tail],
    },
    restore: () => shift(tail, -delta, -lines),
  };
}

function newlines(text: string, from: number, to: number): number {
  let n = 0;
  for (let at = text.indexOf("\n", from); at >= 0 && at < to; at = text.indexOf("\n", at + 1)) n++;
  return n;
}

/** Move subtrees by `delta` characters and `lines` lines. acorn shares position objects between
 * nodes that start together, so each one is moved once. */
function shift(nodes: AnyNode[], delta: number, lines: number): void {
  if (delta === 0 && lines === 0) return;
  const seen = new Set<object>();
  const move = (node: AnyNode): void => {
    node.start += delta;
    node.end += delta;
    for (const position of [node.loc?.start, node.loc?.end]) {
      if (position && !seen.has(position)) {
        seen.add(position);
        position.line += lines;
      }
    }
    for (const key in node) {
      if (key === "loc") continue;
      const value = node[key];
      if (Array.isArray(value)) {
        for (const item of value) if (isNode(item)) move(item);
      } else if (isNode(value)) move(value);
    }
  };
  for (const node of nodes) move(node);
}

function isNode(value: unknown): boolean {
  return (
    value !== null && typeof value === "object" && typeof (value as { type?: unknown }).type === "string"
  );
}
