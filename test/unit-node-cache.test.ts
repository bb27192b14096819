import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { INSTRUMENTATION_FOLDERS } from "../src/runtimes/node/agent/cache.js";

/**
 * The cache of instrumented modules keys its entries on the agent's files in the folders
 * instrumentation is made of: a change to any module the instrumenter runs must change the key,
 * so each of them must lie in one of those folders.
 */

const agent = join(dirname(fileURLToPath(import.meta.url)), "..", "src", "runtimes", "node", "agent");

/** The agent's files `file` loads by static imports (what the compiled JavaScript imports). */
function staticImports(file: string, seen = new Set<string>()): Set<string> {
  if (seen.has(file)) return seen;
  seen.add(file);
  for (const match of readFileSync(file, "utf8").matchAll(/^(?:import|export)\s[^;]*?\sfrom\s+"(\.[^"]+)"/gm))
    staticImports(join(dirname(file), match[1] as string), seen);
  return seen;
}

test("every module the instrumenter runs is in a folder the cache's key covers", () => {
  // instrument.js loads the parser (model.js) and the transform lazily, by require().
  const files = new Set<string>();
  for (const root of ["instrument.js", "model.js", "transform.js"])
    for (const file of staticImports(join(agent, root))) files.add(relative(agent, file));
  assert.ok(files.has("model/parse.js") && files.has("cache.js"), [...files].join(" "));
  const outside = [...files].filter(
    (file) => !INSTRUMENTATION_FOLDERS.includes(file.slice(0, file.lastIndexOf("/") + 1)),
  );
  assert.deepEqual(outside, [], "add their folders to INSTRUMENTATION_FOLDERS (cache.ts)");
});
