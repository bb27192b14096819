import { readFileSync } from "node:fs";
import type { PatchError } from "../protocol/messages.js";
import { fileDeleted, fileUnreadable, notUtf8 } from "../protocol/results.js";

export type SourceRead = { ok: true; text: string } | { ok: false; gone: boolean; error: PatchError };

/** Reads an edited file as UTF-8; a file that is gone, unreadable or not UTF-8 says where and why.
 * Synchronous: a source file is read in well under a millisecond, while an asynchronous read waits
 * for a thread of libuv's pool twice (to read, to report), and the first one also loads and starts
 * fs/promises (5-17 ms measured): the first save would pay that. */
export function readSource(path: string): SourceRead {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return { ok: false, gone: true, error: fileDeleted() };
    return { ok: false, gone: false, error: fileUnreadable(code ?? String(error)) };
  }
  const declared = codingCookie(bytes);
  if (declared) return { ok: true, text: declared };
  try {
    let text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    return { ok: true, text };
  } catch {
    const { line, column, offset } = firstInvalidUtf8(bytes);
    return { ok: false, gone: false, error: notUtf8({ byte: bytes[offset] ?? 0, offset, line, column }) };
  }
}

/**
 * A Python file's PEP 263 coding cookie (`# -*- coding: latin-1 -*-` on line 1 or 2) names its
 * encoding: the text decoded with it, or undefined (no cookie, UTF-8, or an encoding this
 * runtime cannot decode: then the file is read as UTF-8).
 */
function codingCookie(bytes: Buffer): string | undefined {
  const head = bytes.subarray(0, 400).toString("latin1").split("\n").slice(0, 2);
  for (const line of head) {
    const cookie = /^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)/.exec(line);
    if (cookie) {
      const name = (cookie[1] ?? "").toLowerCase().replace(/_/g, "-");
      if (name === "utf-8" || name.startsWith("utf-8-")) return undefined;
      try {
        return new TextDecoder(name === "latin-1" ? "iso-8859-1" : name, { fatal: true }).decode(bytes);
      } catch {
        return undefined;
      }
    }
    if (!/^[ \t\f]*(#.*)?\r?$/.test(line)) return undefined; // only a comment or blank line may precede it
  }
  return undefined;
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
