/**
 * Code compiled by a patch is made of pieces of the user's source, each laid out at its own line
 * and column, so that stack frames and breakpoints in it read as the user's file (no source map).
 */

/** A parsed node: where it starts, as an offset and as a line and column. */
export interface Anchor {
  start: number;
  loc: { start: { line: number; column: number } };
}

/**
 * Line and column of offsets in one source: counted from a nearby node when there is one, else by
 * binary search over the line starts (found on first use: scanning a large file costs a few ms).
 */
export class LineIndex {
  private starts: number[] | undefined;

  constructor(private readonly source: string) {}

  /** 1-based line, 0-based column. */
  locate(offset: number, anchor?: Anchor): { line: number; column: number } {
    if (anchor && anchor.start <= offset) {
      let line = anchor.loc.start.line;
      let lineStart = anchor.start - anchor.loc.start.column;
      for (
        let at = this.source.indexOf("\n", anchor.start);
        at >= 0 && at < offset;
        at = this.source.indexOf("\n", at + 1)
      ) {
        line++;
        lineStart = at + 1;
      }
      return { line, column: offset - lineStart };
    }
    if (!this.starts) {
      this.starts = [0];
      for (let at = this.source.indexOf("\n"); at >= 0; at = this.source.indexOf("\n", at + 1))
        this.starts.push(at + 1);
    }
    let low = 0;
    let high = this.starts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if ((this.starts[mid] as number) <= offset) low = mid;
      else high = mid - 1;
    }
    return { line: low + 1, column: offset - (this.starts[low] as number) };
  }
}

/** A piece of code whose character `lead` (from its start) belongs at source offset `at`. */
export interface Placed {
  at: number;
  lead: number;
  text: string;
  /** A node starting at or before `at` on a nearby line, to count lines from. */
  anchor?: Anchor;
}

/**
 * `head`, the pieces in source order each followed by `separator`, and `tail`, padded with
 * newlines and spaces so that each piece sits where it is in the source. A piece that cannot get
 * its column (the one before it ends further right) keeps its line. Pieces must not overlap and
 * must keep their line breaks; `head` must be on one line.
 */
export function layout(
  index: LineIndex,
  pieces: Placed[],
  head: string,
  tail: string,
  separator: string,
): string {
  const out = [head];
  let line = 1;
  let column = head.length;
  for (const piece of [...pieces].sort((a, b) => a.at - b.at)) {
    const target = index.locate(piece.at, piece.anchor);
    const targetColumn = target.column - piece.lead;
    if (target.line > line) {
      out.push("\n".repeat(target.line - line));
      line = target.line;
      column = 0;
    }
    if (targetColumn > column) {
      out.push(" ".repeat(targetColumn - column));
      column = targetColumn;
    }
    const text = piece.text + separator;
    out.push(text);
    const lastBreak = text.lastIndexOf("\n");
    if (lastBreak < 0) column += text.length;
    else {
      for (let at = text.indexOf("\n"); at >= 0; at = text.indexOf("\n", at + 1)) line++;
      column = text.length - lastBreak - 1;
    }
  }
  out.push(tail);
  return out.join("");
}
