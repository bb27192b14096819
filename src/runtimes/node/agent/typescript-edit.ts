import type { AnyNode } from "./model/ast.js";
import { longestCommon } from "./reparse.js";
import { DECORATOR_HELPERS } from "./typescript-decorators.js";

/**
 * The part of an edited TypeScript file whose types need stripping again: the lines of the
 * top-level statements the edit touched, plus one statement on each side (an edit at a boundary
 * can join or split statements), found with the running JavaScript's statements — its lines are
 * the TypeScript's lines (typescript.ts keeps every line where it is). Only those lines are
 * stripped, after as many empty lines as come before them (so an error names its line and
 * column of the file), and the JavaScript of the other lines is the running one: the cost of a
 * save follows the edit, not the file (a 1,000-line file took 10–80 ms to strip whole).
 *
 * Whole-file stripping is kept for what depends on the rest of the file: enums and namespaces
 * (merged declarations), decorators (the helpers at the end, the file's classes), a file with
 * fewer than four statements, an edit of lines that do not begin and end top-level statements.
 * And a region that does not parse is stripped whole again, so that an error is the one a whole
 * parse finds (an unclosed comment in the region may close further down).
 */

export interface Region {
  /** What to strip: the region's lines of the new text, after empty lines for those before them. */
  text: string;
  /** The whole file's JavaScript from the region's stripped text. */
  assemble: (stripped: string) => string;
}

/** Text that needs the whole file to be rewritten (typescript-rewrite.ts). */
const FILE_WIDE = /@|\benum\b|\bnamespace\b|\bmodule\s+[\w$]+\s*[{.]/;

/** The region of `typed` (the new text) to strip, or undefined to strip the whole file. */
export function editRegion(
  oldTyped: string,
  oldJs: string,
  program: AnyNode,
  typed: string,
): Region | undefined {
  const body: AnyNode[] = program.body;
  if (body.length < 4 || oldJs.endsWith(`${DECORATOR_HELPERS}\n`)) return undefined;
  const shortest = Math.min(oldTyped.length, typed.length);
  const prefix = longestCommon(shortest, (n) => oldTyped.slice(0, n) === typed.slice(0, n));
  const suffix = longestCommon(
    shortest - prefix,
    (n) => oldTyped.slice(oldTyped.length - n) === typed.slice(typed.length - n),
  );
  const firstLine = lineOf(oldTyped, prefix);
  const lastLine = lineOf(oldTyped, oldTyped.length - suffix);
  // The statements around the edit, one more on each side, widened to whole lines of their own.
  let first = body.findIndex((s) => s.loc.end.line >= firstLine);
  if (first < 0) first = body.length - 1;
  first = Math.max(0, first - 1);
  while (first > 0 && body[first - 1].loc.end.line >= body[first].loc.start.line) first--;
  let last = body.length - 1;
  while (last > first && body[last].loc.start.line > lastLine) last--;
  last = Math.min(body.length - 1, last + 1);
  while (last + 1 < body.length && body[last + 1].loc.start.line <= body[last].loc.end.line) last++;
  const startLine = first === 0 ? 1 : body[first].loc.start.line;
  const endLine = last === body.length - 1 ? undefined : body[last].loc.end.line + 1;
  const oldStart = lineStart(oldTyped, startLine);
  const oldEnd = endLine === undefined ? oldTyped.length : lineStart(oldTyped, endLine);
  if (prefix < oldStart || oldTyped.length - suffix > oldEnd) return undefined;
  const end = typed.length - (oldTyped.length - oldEnd);
  const lines = typed.slice(oldStart, end);
  if (FILE_WIDE.test(lines)) return undefined;
  const jsStart = lineStart(oldJs, startLine);
  const jsEnd = endLine === undefined ? oldJs.length : lineStart(oldJs, endLine);
  const before = "\n".repeat(startLine - 1);
  return {
    text: before + lines,
    assemble: (stripped) => oldJs.slice(0, jsStart) + stripped.slice(before.length) + oldJs.slice(jsEnd),
  };
}

/** The 1-based line of an offset. */
function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let at = text.indexOf("\n"); at >= 0 && at < offset; at = text.indexOf("\n", at + 1)) line++;
  return line;
}

/** The offset where 1-based `line` starts (the text's length past its last line). */
function lineStart(text: string, line: number): number {
  let at = 0;
  for (let n = 1; n < line; n++) {
    const next = text.indexOf("\n", at);
    if (next < 0) return text.length;
    at = next + 1;
  }
  return at;
}
