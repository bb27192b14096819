import { parentPort } from "node:worker_threads";
import { stripTypes, TypeScriptError } from "./typescript.js";
import type { StripAnswer, StripRequest } from "./typescript-thread.js";

/**
 * The thread that strips the types of a patch's TypeScript (typescript-thread.ts starts it):
 * TypeScript loads here, so that loading it (0.5–4 s) never blocks the program's thread.
 */

function answer(request: StripRequest): StripAnswer {
  try {
    return { id: request.id, js: stripTypes(request.source, request.decorators) };
  } catch (error) {
    const { message, line, column } = error as { message: string; line?: number; column?: number };
    if (line === undefined || column === undefined) return { id: request.id, failed: String(message) };
    const kind = error instanceof TypeScriptError ? "not-erasable" : "syntax";
    return { id: request.id, error: { kind, message, line, column } };
  }
}

parentPort?.on("message", (request: StripRequest) => parentPort?.postMessage(answer(request)));
