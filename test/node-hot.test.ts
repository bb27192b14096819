import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, test } from "node:test";
import { AgentRun } from "./helpers/node-agent.js";
import { nodeBinaries } from "./helpers/node-versions.js";
import {
  commandLoop,
  edit,
  entryName,
  FORMATS,
  type Format,
  imports,
  programDir,
  statusOf,
} from "./helpers/node-programs.js";

/**
 * import.meta.hot (ES modules, TypeScript) and module.hot (CommonJS): a module that accepts updates
 * gets its changed top-level statements re-run, after its dispose callbacks and before its accept
 * callbacks, with `data` kept across patches; a statement that raises undoes the whole patch.
 */

function program(format: Format): string {
  const hot = format === "cjs" ? "module.hot" : "import.meta.hot";
  const any = format === "ts" ? " as any" : "";
  return `${imports(format, { "node:readline": "createInterface" })}
let ticks = 0;
let accepted = 0;
let top = "";
function tick() {
  ticks++;
}
function version() {
  return "v1";
}
const hot = (${hot})${any};
hot.data.disposed ??= 0;
hot.dispose((data${format === "ts" ? ": any" : ""}) => {
  data.disposed++;
  clearInterval(timer);
});
hot.accept(() => {
  accepted++;
});
let timer = setInterval(tick, 60_000);
top = "top v1";
const commands${format === "ts" ? ": Record<string, () => unknown>" : ""} = {
  version: () => version(),
  top: () => top,
  disposed: () => hot.data.disposed,
  accepted: () => accepted,
  timer: () => (timer as any)._idleTimeout,
};
${commandLoop(format)}`.replace("(timer as any)", format === "ts" ? "(timer as any)" : "timer");
}

for (const { version, path, skip } of nodeBinaries()) {
  describe(
    `node ${version}: import.meta.hot / module.hot`,
    {
      skip,
    },
    () => {
      for (const format of FORMATS) {
        test(`${format}: accept re-runs changed top-level code between dispose and accept; data survives; a raising statement undoes the patch`, async () => {
          const dir = programDir(format, { [entryName(format)]: program(format) });
          const file = join(dir, entryName(format));
          const run = await AgentRun.start(file, { node: path });
          try {
            await run.output("ready");
            assert.equal(await run.ask("top"), "top v1");
            assert.equal(await run.ask("timer"), 60_000);

            let result = await edit(run, file, [
              ['top = "top v1";', 'top = "top v2";'],
              ["setInterval(tick, 60_000);", "setInterval(tick, 30_000);"],
              ['return "v1";', 'return "v2";'],
            ]);
            assert.equal(result.outcome, "applied", JSON.stringify(result));
            assert.equal(statusOf(result, "timer"), "updated");
            assert.equal(await run.ask("top"), "top v2");
            assert.equal(await run.ask("timer"), 30_000);
            assert.equal(await run.ask("disposed"), 1);
            assert.equal(await run.ask("accepted"), 1);
            assert.equal(await run.ask("version"), "v2");

            // Function-only patch: nothing re-run, nothing disposed; accept callbacks still told.
            result = await edit(run, file, [['return "v2";', 'return "v3";']]);
            assert.equal(result.outcome, "applied");
            assert.equal(await run.ask("disposed"), 1);
            assert.equal(await run.ask("accepted"), 2);

            // A re-run statement raises: the function edit of the same save is undone too.
            result = await edit(run, file, [
              ['top = "top v2";', 'top = "top v3";\nif (top) throw new Error("bad top");'],
              ['return "v3";', 'return "v4";'],
            ]);
            assert.equal(result.outcome, "rejected", JSON.stringify(result));
            assert.equal(result.error?.kind, "runtime");
            assert.match(result.error?.message ?? "", /bad top/);
            assert.equal(await run.ask("version"), "v3");
          } finally {
            run.kill();
          }
        });
      }
    },
  );
}
