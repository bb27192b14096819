/**
 * The restart guard: debug-only instrumentation (under `hotframe debug` alone; `hotframe run`
 * and `--attachable` compile every function without it, byte for byte as before), in async
 * functions and generators only. Their body is wrapped in
 *
 *   let $hf$r;try{ …body… }finally{if($hf$r!==void 0)return <the prologue's dispatch call>}
 *
 * so that a frame V8 cannot restart (an async function or a generator) can be restarted by
 * unwinding it instead: the debugger sets the frame's `$hf$r` (Debugger.evaluateOnCallFrame) and
 * lets an exception pass through it (the one being thrown, or RestartSignal thrown from a frame
 * above), and its `finally` returns the newest version's result for the same arguments,
 * overriding the exception. V8 predicts a try/finally not to catch (the bytecode generator gives
 * its handler the enclosing prediction, HandlerTable::UNCAUGHT in a plain function), so `catch
 * uncaught` still pauses where the exception is thrown; measured on Node 20 and 26. An async
 * function's `return` from its finally resolves its own promise, the one its callers await.
 *
 * Plain functions have no guard: V8 restarts them (Debugger.restartFrame), even paused on an
 * exception (debugger/termination.ts). A try/finally in a plain function costs TurboFan a lot on
 * call-heavy code (measured on Node 20: fib 1.1–1.3×, a method-call loop 1.7–1.9×, whether the
 * callee or the caller has it, an empty `finally {}` the same), and in an async function or a
 * generator it is beside the activation counter's own try/finally (transform.ts).
 */
/** The frame-local restart request. */
export const RESTART_MARK = "$hf$r";

/**
 * Does this thread compile the guard? Set at the agent's start under `hotframe debug`
 * (HOTFRAME_DEBUGGER entry or continue), and on Node 20's loader thread from its start data.
 */
export let guarded = false;

export function compileGuards(): void {
  guarded = true;
}

/** Does this function get the guard? (Async functions and generators, under `hotframe debug`.) */
export function hasGuard(fn: { async: boolean; generator: boolean }): boolean {
  return guarded && (fn.async || fn.generator);
}

/** Text that opens the guard (at the body's start, after the prologue). */
export function guardOpen(): string {
  return `let ${RESTART_MARK};try{`;
}

/** Text that closes it (at the body's end): `call` is the prologue's dispatch expression. */
export function guardClose(call: string): string {
  return `}finally{if(${RESTART_MARK}!==void 0)return ${call}}`;
}

/** The guard's closing text in instrumented code (frames.ts tells it from the program's). */
export const GUARD_CLOSE_TEXT = /\}finally\{if\(\$hf\$r!==void 0\)return [^}]*\}/;
/** Its opening text. */
export const GUARD_OPEN_TEXT = /let \$hf\$r;try\{/;
/** All of the guard's text. */
export const GUARD_TEXT = new RegExp(`${GUARD_OPEN_TEXT.source}|${GUARD_CLOSE_TEXT.source}`);

/**
 * What the debugger throws from the top frame to unwind the frames down to the one restarting
 * (its class name tells the debugger's exception pauses apart from the program's).
 */
export class RestartSignal {}
