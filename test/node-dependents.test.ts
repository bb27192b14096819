import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, test } from "node:test";
import { AgentRun } from "./helpers/node-agent.js";
import {
  commandLoop,
  edit,
  entryName,
  FORMATS,
  type Format,
  imports,
  label,
  programDir,
  typed,
} from "./helpers/node-programs.js";

/**
 * A refusal takes with it everything that depends on it (issue 9, item 2): a save adds
 * `const cache = openCache()` and uses it in `handle()`; the binding is refused (its initializer calls
 * something that may have side effects), so `handle()` must not go live — it would throw ReferenceError and kill the
 * program. On a real program, in every module format.
 */

function program(format: Format): string {
  const t = typed(format);
  return `${imports(format, { "node:readline": "createInterface" })}
function handle(key${t(": string")}) {
  return "v1 " + key;
}
function other() {
  return "other v1";
}
const commands${t(": Record<string, () => unknown>")} = {
  handle: () => handle("a"),
  other: () => other(),
};
${commandLoop(format)}`;
}

describe("a refused binding takes with it what reads it", () => {
  for (const format of FORMATS) {
    test(`${format}: handle() stays as it runs while cache is refused, and the program lives`, async () => {
      const dir = programDir(format, { [entryName(format)]: program(format) });
      const file = join(dir, entryName(format));
      const run = await AgentRun.start(file);
      try {
        await run.output("ready");
        let result = await edit(run, file, [
          ["function handle(", "const cache = openCache();\nfunction handle("],
          ['return "v1 " + key;', 'cache.set(key, 1);\n  return "v2 " + key + cache.size;'],
        ]);
        assert.equal(result.outcome, "rejected", JSON.stringify(result));
        const status = (name: string) => result.functions.find((f) => label(f) === name);
        assert.equal(status("cache")?.code, "new-binding-side-effects");
        assert.equal(status("handle")?.status, "refused");
        assert.equal(status("handle")?.code, "depends-on-refused");
        assert.equal(await run.ask("handle"), "v1 a", "no ReferenceError: handle() runs as before");

        // With an unrelated change the rest applies; handle() and cache are said again.
        result = await edit(run, file, [['"other v1"', '"other v2"']]);
        assert.equal(result.outcome, "partial", JSON.stringify(result));
        assert.deepEqual(
          result.functions.map((f) => `${label(f)} ${f.status} ${f.code ?? ""}`.trim()).sort(),
          ["cache refused new-binding-side-effects", "handle refused depends-on-refused", "other updated"],
        );
        assert.equal(await run.ask("other"), "other v2");
        assert.equal(await run.ask("handle"), "v1 a");

        // A helper that uses it is refused as well, and so is what calls the helper.
        result = await edit(run, file, [
          ["function handle(", "function remember(key) {\n  cache.set(key, 2);\n}\nfunction handle("],
          ["cache.set(key, 1);", "remember(key);"],
        ]);
        assert.equal(result.outcome, "rejected", JSON.stringify(result));
        const byLabel = new Map(result.functions.map((f) => [label(f), f]));
        assert.equal(byLabel.get("remember")?.code, "depends-on-refused");
        assert.equal(byLabel.get("handle")?.code, "depends-on-refused");
        assert.equal(await run.ask("handle"), "v1 a");
      } finally {
        run.kill();
      }
    });
  }
});
