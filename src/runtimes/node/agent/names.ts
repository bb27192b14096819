/**
 * Names the instrumented code uses; chosen so they cannot clash with ordinary code. A module of
 * their own: what reads them at start-up (module-record.ts, instrument.ts) does not load the
 * transform, which only a module missing from the cache needs.
 */
export const TABLE = "$hf$t";
export const CODE = "$hf$c";
export const ENV = "$hf$x";
export const counterName = (id: number) => `$hf$n${id}`;

/**
 * Slots are properties of globalThis (see transform.ts), so their names must be unique per load
 * of a module: the same file loaded twice (an ES module and a CommonJS copy, `?v=2`, a required
 * file deleted from require.cache) has slots of its own. A load's names start with its base. The
 * transform writes PLACEHOLDER where the base goes (its text is cached on disk, for every load);
 * each load replaces it with a base of its own (instrument.ts `forLoad`).
 */
export const PLACEHOLDER = "$hf$0$";
export const slotName = (base: string, id: number) => `${base}s${id}`;
/**
 * The slot of a top-level class's construction: empty, or the class a patch compiled from the new
 * constructor and instance fields, which builds the class's new instances (patch/compile.ts).
 * Named after the class's key (every character that is not a letter, digit or `_` spelled out).
 */
export const classSlotName = (base: string, key: string) =>
  `${base}k_${key.replace(/[^A-Za-z0-9_]/g, (c) => `$${c.charCodeAt(0).toString(36)}_`)}`;

/**
 * Marks the slots that may be read before the preamble defines them (transform.ts `earlySlots`):
 * a comment at the end of the instrumented text, which each load turns into what it needs
 * (instrument.ts `forLoad`).
 */
export const EARLY_MARK = "/*$hf$early:";

/** A slot's name in instrumented code (a regular expression's source). */
export const SLOT_TEXT = String.raw`\$hf\$[0-9a-z]+\$(?:s\d+|k_[\w$]+)`;

let loads = 0;
/**
 * A new base: `$hf$` + the thread (`m`: the program's, where the agent's state lives; `l`: Node
 * 20's loader thread, which instruments imported modules for it) + a count of this thread's loads.
 */
export function newBase(programThread: boolean): string {
  return `$hf$${programThread ? "m" : "l"}${(++loads).toString(36)}$`;
}

/** Names of hotframe's own in instrumented code (hidden from the debugger's variable listings). */
export const isInstrumentationName = (name: string) => name.startsWith("$hf$");
