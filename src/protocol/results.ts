import type { PatchError, RejectedPatchResult } from "./messages.js";

/**
 * The TypeScript twin of the Python agent's protocol.py: every PatchResult built outside the
 * agents (a file that cannot be read or decoded, a program gone before it answered) is built here,
 * with the codes of docs/protocol.md, so that tools act on the same codes whoever built the result.
 */

/** The controller's catalogue of reasons: each code and the kind of error it is. */
export const CONTROLLER_REASONS = {
  "not-utf8": "syntax",
  "file-gone": "refused",
  "program-exited": "internal",
} as const satisfies Record<string, PatchError["kind"]>;

export type ControllerCode = keyof typeof CONTROLLER_REASONS;

/** A patch that changed nothing, for `error`. */
export function rejected(error: PatchError): RejectedPatchResult {
  return { outcome: "rejected", functions: [], error };
}

export function notUtf8(at: { byte: number; offset: number; line: number; column: number }): PatchError {
  const byte = at.byte.toString(16).padStart(2, "0");
  return {
    ...controllerError(
      "not-utf8",
      `the file is not valid UTF-8 (byte 0x${byte} at offset ${at.offset}): save it as UTF-8`,
    ),
    line: at.line,
    column: at.column,
  };
}

export function fileDeleted(): PatchError {
  return controllerError("file-gone", "the file was deleted: the program keeps running its code");
}

/** `why`: the system's error code (EACCES, EISDIR, …). */
export function fileUnreadable(why: string): PatchError {
  return controllerError("file-gone", `cannot read the file (${why}): the program keeps running its code`);
}

export function programExited(): PatchError {
  return controllerError("program-exited", "the program exited before the patch was applied");
}

function controllerError(code: ControllerCode, message: string): PatchError {
  return { kind: CONTROLLER_REASONS[code], code, message };
}
