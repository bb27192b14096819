import { lineFollower } from "./hits.js";

/**
 * The text each script of a patched file was compiled from, so that what V8 says of an older
 * script (the lines it can break on) is said in the lines of the file's newest text. The
 * module's own script was compiled from the text it loaded with, each patch's scripts from that
 * patch's text. A file never patched has one text and no record here.
 */
export class ScriptTexts {
  /** Script id → its text; null for the code of a rejected patch (compiled, never run). */
  private readonly compiledFrom = new Map<string, string | null>();
  /** File → the text its newest code was compiled from. */
  private readonly newest = new Map<string, string>();
  private readonly followers = new Map<string, ReturnType<typeof lineFollower>>();

  knows(file: string): boolean {
    return this.newest.has(file);
  }

  /** Before the first patch of `file`: its scripts so far were compiled from `text`. */
  beforeFirstPatch(file: string, text: string, scriptIds: Iterable<string>): void {
    this.newest.set(file, text);
    this.record(text, scriptIds);
  }

  /** After a patch of `file`: its scripts parsed since were compiled from `text` (undefined: the patch was rejected). */
  afterPatch(file: string, text: string | undefined, scriptIds: Iterable<string>): void {
    this.record(text ?? null, scriptIds);
    if (text === undefined || text === this.newest.get(file)) return;
    this.newest.set(file, text);
    this.followers.clear();
  }

  /** Was the script compiled from the newest text (its lines are the file's lines)? */
  isCurrent(file: string, scriptId: string): boolean {
    const from = this.compiledFrom.get(scriptId);
    return from === undefined || from === this.newest.get(file);
  }

  /** Where line `line` of script `scriptId` of `file` is in the newest text; undefined when that line's code is gone. */
  lineNow(file: string, scriptId: string, line: number): number | undefined {
    const now = this.newest.get(file);
    const from = this.compiledFrom.get(scriptId);
    if (now === undefined || this.isCurrent(file, scriptId)) return line;
    if (from === null || from === undefined) return undefined;
    let follow = this.followers.get(scriptId);
    if (!follow) {
      follow = lineFollower(from, now);
      this.followers.set(scriptId, follow);
    }
    const moved = follow(line);
    return moved.edited ? undefined : moved.line;
  }

  private record(text: string | null, scriptIds: Iterable<string>): void {
    for (const id of scriptIds) if (!this.compiledFrom.has(id)) this.compiledFrom.set(id, text);
  }
}
