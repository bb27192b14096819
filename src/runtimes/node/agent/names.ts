/**
 * Names the instrumented code uses; chosen so they cannot clash with ordinary code. A module of
 * their own: what reads them at start-up (module-record.ts) does not load the transform, which
 * only a module missing from the cache needs.
 */
export const TABLE = "$hf$t";
export const CODE = "$hf$c";
export const ENV = "$hf$x";
export const slotName = (id: number) => `$hf$s${id}`;
export const counterName = (id: number) => `$hf$n${id}`;
