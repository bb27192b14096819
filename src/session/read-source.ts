import { readFile } from "node:fs/promises";
import type { PatchError } from "../protocol/messages.js";
import { fileDeleted, fileUnreadable, notUtf8 } from "../protocol/results.js";

export type SourceRead = { ok: true; text: string } | { ok: false; gone: boolean; error: PatchError };

/** Reads an edited file as UTF-8; a file that is gone, unreadable or not UTF-8 says where and why. */
export async function readSource(path: string): Promise<SourceRead> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return { ok: false, gone: true, error: fileDeleted() };
    return { ok: false, gone: false, error: fileUnreadable(code ?? String(error)) };
  }
  try {
    let text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    return { ok: true, text };
  } catch {
    const { line, column, offset } = firstInvalidUtf8(bytes);
    return { ok: false, gone: false, error: notUtf8({ byte: bytes[offset] ?? 0, offset, line, column }) };
  }
}

/** 1-based line and column (in characters) of the first byte that is not valid UTF-8. */
function firstInvalidUtf8(bytes: Buffer): { line: number; column: number; offset: number } {
  let low = 0;
  let high = bytes.length;
  // The longest valid prefix, by bisection: decode() is all-or-nothing.
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (validPrefix(bytes.subarray(0, mid))) low = mid;
    else high = mid - 1;
  }
  // The bad sequence may have started with a lead byte that was still valid on its own: back up to
  // the last complete character, where the bad sequence begins.
  while (low > 0 && !validPrefix(bytes.subarray(0, low), false)) low--;
  const prefix = new TextDecoder("utf-8").decode(bytes.subarray(0, low));
  const lines = prefix.split("\n");
  return { line: lines.length, column: (lines.at(-1)?.length ?? 0) + 1, offset: low };
}

function validPrefix(bytes: Uint8Array, stream = true): boolean {
  try {
    // stream: an unfinished sequence at the end is not an error yet; a wrong byte is.
    new TextDecoder("utf-8", { fatal: true }).decode(bytes, { stream });
    return true;
  } catch {
    return false;
  }
}
