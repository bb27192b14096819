import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { HotframeRun, makeProject } from "./helpers/hotframe.js";
import { nodeBinaries } from "./helpers/node-versions.js";

/**
 * Files the program loaded that cannot be patched are never silent: a JSON file it required or
 * imported, and TypeScript that runs through the compiler (an enum), answer every save with a
 * rejected edit saying why and what to do, and the program keeps running as it was.
 */

const PRINT = `setInterval(() => {}, 1000000);
process.stdin.on("data", () => console.log("rate", cfg.rate));
process.stdin.on("end", () => process.exit(0));
console.log("ready");
`;

const PROGRAMS: Record<
  string,
  { files: Record<string, string>; entry: string; saved: string; code: string }
> = {
  "a required JSON file": {
    files: {
      "package.json": '{"type":"commonjs"}',
      "app.js": `const cfg = require("./config.json");\n${PRINT}`,
    },
    entry: "app.js",
    saved: "config.json",
    code: "json-read-once",
  },
  "an imported JSON file": {
    files: {
      "package.json": '{"type":"module"}',
      "app.mjs": `import cfg from "./config.json" with { type: "json" };\n${PRINT}`,
    },
    entry: "app.mjs",
    saved: "config.json",
    code: "json-read-once",
  },
  "TypeScript with a namespace that exports a let": {
    files: {
      "package.json": '{"type":"module"}',
      "app.ts": `namespace Rate { export let low = 1; }\nconst cfg = { rate: Rate.low as number };\n${PRINT}`,
    },
    entry: "app.ts",
    saved: "app.ts",
    code: "typescript-transpiled",
  },
};

for (const { version, path, skip } of nodeBinaries()) {
  describe(`node ${version}: saves of files that cannot be patched`, { skip }, () => {
    for (const [what, program] of Object.entries(PROGRAMS)) {
      test(`${what}: every save says why it is not applied`, async () => {
        const dir = makeProject({ ...program.files, "config.json": '{"rate": 1}' });
        const run = new HotframeRun(dir, ["--node", path as string, program.entry]);
        try {
          await run.stdoutLine(/^ready$/);
          const file = join(dir, program.saved);
          const text = {
            "config.json": '{"rate": 2}',
            "app.ts": program.files["app.ts"]?.replace("= 1", "= 2"),
          };
          for (const n of [1, 2]) {
            const edited = run.nextEdit();
            writeFileSync(file, `${text[program.saved as keyof typeof text]}${"\n".repeat(n)}`);
            const event = await edited;
            assert.equal(event.outcome, "rejected", JSON.stringify(event));
            assert.equal(event.error?.code, program.code, JSON.stringify(event));
            assert.match(event.error?.message ?? "", /restart|cannot be patched/);
          }
          run.write("\n");
          assert.equal(await run.stdoutLine(/^rate /), "rate 1");
        } finally {
          run.child.stdin?.end();
          await run.ended();
        }
      });
    }
  });
}
