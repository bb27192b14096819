import { AGENT_ENV } from "../../../protocol/messages.js";

/**
 * Loaded with `--import` before the program. Only in the program's main thread: the agent's start
 * removes the variable before any of the program's code runs, so worker threads (which copy the
 * environment, and run this file too) never see it and load nothing more: they run
 * uninstrumented. V8's code cache is on before the agent's modules load, so they compile from it.
 */
if (process.env[AGENT_ENV.fd]) {
  (await import("./compile-cache.js")).enableCompileCache();
  await (await import("./agent-main.js")).start();
}
