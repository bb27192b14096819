import { fileURLToPath } from "node:url";
import { SLOT_TEXT } from "../names.js";
import { GUARD_TEXT } from "../restart-guard.js";
import type { CallFrame } from "./inspector.js";

/**
 * Which stack frames are the user's: hotframe's instrumentation and its own code never show.
 * A patched function is called through its old version's prologue (`if ($hf$s7 !== void 0)
 * return $hf$s7.apply(this, arguments)`), so one user call can be two V8 frames: the new version
 * on top, the old one below it at its prologue. They show as one frame; restarting it restarts
 * the old one, whose prologue dispatches to the newest version.
 */

/** What code a location is in. */
export type Place =
  | "user" // the program's own instrumented code
  | "instrumentation" // text hotframe inserted into it (prologue, counters, preamble)
  | "agent" // hotframe's agent
  | "other"; // Node itself, dependencies, code hotframe did not instrument

/**
 * Text the instrumentation inserts (instrument.ts): the dispatch prologue, the activation
 * counter of async functions and generators, the default-parameter guard, the module preamble,
 * a class's static block and the restart guard of `hotframe debug`.
 */
const INSERTED = new RegExp(
  String.raw`if\(${SLOT_TEXT}!==void 0\)return [^;]*;|\$hf\$n\d+=\(\$hf\$n\d+\|0\)\+1;try\{|\}finally\{\$hf\$n\d+--\}|${SLOT_TEXT}!==void 0\?void 0:\(|(?:import\.meta|module)\.hot=globalThis\[globalThis\.Symbol\.for\("hotframe"\)\]\.register\(.*?\);function \$hf\$t\(\)\{\}|;static\{\$hf\$t\.k\(.*?\)\}|^var \$hf\$[^;]*;|${GUARD_TEXT.source}`,
  "g",
);

/** Is column `column` (0-based) of this line of instrumented code inside inserted text? */
export function insideInstrumentation(lineText: string, column: number): boolean {
  for (const match of lineText.matchAll(INSERTED)) {
    if (column >= match.index && column < match.index + match[0].length) return true;
  }
  return false;
}

/** A frame as the user sees it: `v8` runs the code (values, location), `restart` is the call's lowest frame. */
export interface UserFrame {
  v8: CallFrame;
  restart: CallFrame;
  /** Index of `v8` in V8's list (for its callFrameId and scope numbers). */
  index: number;
}

/** The frames to show, top first: hotframe's own frames dropped, a dispatched call shown once. */
export function userFrames(frames: readonly CallFrame[], placeOf: (frame: CallFrame) => Place): UserFrame[] {
  const shown: UserFrame[] = [];
  let above: Place | undefined;
  frames.forEach((frame, index) => {
    const place = placeOf(frame);
    if (place === "user" || place === "other") shown.push({ v8: frame, restart: frame, index });
    else if (place === "instrumentation" && above === "user") {
      const call = shown.at(-1);
      if (call) call.restart = frame; // the old version dispatching to the new one
    }
    above = place;
  });
  return shown;
}

/** The file a script url names (file: URLs and plain paths), or undefined for node:, eval and the like. */
export function fileOfUrl(url: string): string | undefined {
  if (url.startsWith("file:")) {
    try {
      return fileURLToPath(url);
    } catch {
      return undefined;
    }
  }
  return url.startsWith("/") ? url : undefined;
}
