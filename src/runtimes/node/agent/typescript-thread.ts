import { createRequire } from "node:module";
import type { Worker } from "node:worker_threads";
import { ParseError } from "./model/parse.js";
import { stripTypes, TypeScriptError, typeScriptLoaded } from "./typescript.js";
import { type DecoratorOptions, NO_DECORATOR_OPTIONS } from "./typescript-decorators.js";

/**
 * The types of a patch's TypeScript are stripped on a thread of hotframe's own
 * (typescript-worker.ts), where TypeScript loads: loading it takes 0.5–1 s on Node 20 (up to 4 s
 * on a loaded machine), and in the program's thread that would block the program. Where the
 * program's thread has TypeScript loaded already (it type-stripped a module at start-up), the
 * types are stripped here and no thread is started. The thread is unref'd (it never keeps the
 * program alive) and starts without the program's Node options (no hotframe agent, no loader
 * hooks in it). If it fails, the types are stripped here.
 */

export interface StripRequest {
  id: number;
  source: string;
  decorators: DecoratorOptions;
}

export type StripAnswer =
  | { id: number; js: string }
  | { id: number; error: { kind: "syntax" | "not-erasable"; message: string; line: number; column: number } }
  | { id: number; failed: string };

interface Waiting {
  resolve: (js: string) => void;
  reject: (error: Error) => void;
}

let thread: { worker: Worker; waiting: Map<number, Waiting>; next: number } | undefined;
let broken = false;

function start(): NonNullable<typeof thread> {
  const { Worker } = createRequire(import.meta.url)(
    "node:worker_threads",
  ) as typeof import("node:worker_threads");
  const worker = new Worker(new URL("./typescript-worker.js", import.meta.url), { execArgv: [] });
  const started = { worker, waiting: new Map<number, Waiting>(), next: 1 };
  worker.on("message", (answer: StripAnswer) => {
    const waiting = started.waiting.get(answer.id);
    started.waiting.delete(answer.id);
    if (!waiting) return;
    if ("js" in answer) waiting.resolve(answer.js);
    else if ("failed" in answer) waiting.reject(new Error(answer.failed));
    else {
      const { kind, message, line, column } = answer.error;
      waiting.reject(
        kind === "syntax"
          ? new ParseError(message, line, column)
          : new TypeScriptError(message, line, column),
      );
    }
  });
  const fail = () => {
    broken = true;
    thread = undefined;
    // What was waiting is stripped here instead.
    for (const [, waiting] of started.waiting) waiting.reject(new ThreadFailed());
  };
  worker.on("error", fail);
  worker.on("exit", fail);
  // Last: a 'message' listener refs the worker again (the program then never exited).
  worker.unref();
  return started;
}

class ThreadFailed extends Error {}

function onThread(source: string, decorators: DecoratorOptions): Promise<string> {
  thread ??= start();
  const id = thread.next++;
  const { worker, waiting } = thread;
  return new Promise((resolve, reject) => {
    waiting.set(id, { resolve, reject });
    worker.postMessage({ id, source, decorators } satisfies StripRequest);
  });
}

/**
 * `stripTypes` (typescript.ts) of a patch's text, off the program's thread where TypeScript is
 * not loaded in it: throws ParseError or TypeScriptError as `stripTypes` does.
 */
export async function stripTypesOffThread(source: string, decorators: DecoratorOptions): Promise<string> {
  if (broken || typeScriptLoaded()) return stripTypes(source, decorators);
  try {
    return await onThread(source, decorators);
  } catch (error) {
    if (error instanceof ThreadFailed) return stripTypes(source, decorators);
    throw error;
  }
}

/**
 * Prepares type stripping in idle time (prepare.ts): TypeScript loads and strips `sample` on the
 * thread, or here when it is loaded here already; nothing waits for it.
 */
export function prepareTypeScript(sample: string): void {
  stripTypesOffThread(sample, NO_DECORATOR_OPTIONS).catch(() => {});
}
