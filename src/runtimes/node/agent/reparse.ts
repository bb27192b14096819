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
): { program: AnyNode; restore: () => void; tailMoved: boolean } {
  const whole = () => ({ program: parseModule(source, esm), restore: () => {}, tailMoved: true });
  const body: AnyNode[] = oldProgram.body;
  if (body.length < 4) return whole();
  const shortest = Math.min(oldSource.length, source.length);
  const prefix = longestCommon(shortest, (n) => oldSource.slice(0, n) === source.slice(0, n));
  const suffix = longestCommon(
    shortest - prefix,
    (n) => oldSource.slice(oldSource.length - n) === source.slice(source.length - n),
  );
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
    // Where the first statement starts, so that acorn does not count the lines before it.
    const at = body[first].loc.start;
    const options = { ...parseOptions(esm), ...(start > 0 ? { startLocation: { ...at } } : {}) };
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
    tailMoved: tail.length > 0 && (delta !== 0 || lines !== 0),
  };
}

/** The largest n <= limit for which same(n) holds (it holds for 0 and for every n below one that
 * holds): a binary search, since comparing two strings is much faster than a loop over chars. */
export function longestCommon(limit: number, same: (n: number) => boolean): number {
  let low = 0;
  let high = limit;
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (same(mid)) low = mid;
    else high = mid - 1;
  }
  return low;
}

function newlines(text: string, from: number, to: number): number {
  let n = 0;
  for (let at = text.indexOf("\n", from); at >= 0 && at < to; at = text.indexOf("\n", at + 1)) n++;
  return n;
}

/** Every node of a statement and every distinct position object in it (acorn shares position
 * objects between nodes that start together), collected once: the same statement is usually
 * moved again by later edits, and a flat loop is much faster than a tree walk. */
interface Flat {
  nodes: AnyNode[];
  positions: { line: number }[];
}
const flattened = new WeakMap<AnyNode, Flat>();

function flatten(statement: AnyNode): Flat {
  let flat = flattened.get(statement);
  if (flat) return flat;
  flat = { nodes: [], positions: [] };
  const { nodes, positions } = flat;
  const seen = new Set<object>();
  const collect = (node: AnyNode): void => {
    nodes.push(node);
    for (const position of [node.loc?.start, node.loc?.end]) {
      if (position && !seen.has(position)) {
        seen.add(position);
        positions.push(position);
      }
    }
    for (const key in node) {
      if (key === "loc") continue;
      const value = node[key];
      if (Array.isArray(value)) {
        for (const item of value) if (isNode(item)) collect(item);
      } else if (isNode(value)) collect(value);
    }
  };
  collect(statement);
  flattened.set(statement, flat);
  return flat;
}

/** Move statements by `delta` characters and `lines` lines. */
function shift(statements: AnyNode[], delta: number, lines: number): void {
  if (delta === 0 && lines === 0) return;
  for (const statement of statements) {
    const { nodes, positions } = flatten(statement);
    for (const node of nodes) {
      node.start += delta;
      node.end += delta;
    }
    if (lines !== 0) for (const position of positions) position.line += lines;
  }
}

function isNode(value: unknown): boolean {
  return (
    value !== null && typeof value === "object" && typeof (value as { type?: unknown }).type === "string"
  );
}
