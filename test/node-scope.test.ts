import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, test } from "node:test";
import { AgentRun } from "./helpers/node-agent.js";
import { nodeBinaries } from "./helpers/node-versions.js";
import { programDir } from "./helpers/node-programs.js";

/**
 * Only the user's files are instrumented: under the root, not in node_modules; ES modules,
 * CommonJS and TypeScript each announced once with `loaded` before they run.
 */

for (const { version, path, skip } of nodeBinaries()) {
  describe(
    `node ${version}: which files are instrumented`,
    {
      skip,
    },
    () => {
      test("user modules of every kind, never node_modules or files outside the root", async () => {
        const dir = programDir("esm", { "outside.mjs": `export const outside = () => "outside";\n` });
        const root = join(dir, "src");
        const files: Record<string, string> = {
          "app.mjs": `import { cjs } from "./lib.cjs";\nimport { ts } from "./lib.ts";\nimport { dep } from "dep";\nimport { outside } from "../outside.mjs";\nimport { color } from "./enum.mts";\nconsole.log(cjs(), ts(), dep(), outside(), color);\nprocess.stdin.once("data", () => process.exit(0));\n`,
          "enum.mts": `enum Color {\n  Red,\n  Green = "g".length,\n}\nexport const color: Color = Color.Green;\n`,
          "lib.cjs": `exports.cjs = () => "cjs";\n`,
          "lib.ts": `export const ts = (): string => "ts";\n`,
          "node_modules/dep/package.json": JSON.stringify({ name: "dep", type: "module", main: "index.js" }),
          "node_modules/dep/index.js": `export const dep = () => "dep";\n`,
        };
        for (const [name, text] of Object.entries(files)) {
          mkdirSync(dirname(join(root, name)), { recursive: true });
          writeFileSync(join(root, name), text);
        }
        const app = join(root, "app.mjs");
        const run = await AgentRun.start(app, { node: path, root });
        await run.output("\n");
        assert.equal(run.stdout, "cjs ts dep outside 1\n");
        // TypeScript that type stripping cannot run goes through the compiler: it runs, unpatchable.
        const warning = run.messages.find((m) => m.type === "warning");
        assert.match(JSON.stringify(warning), /enum Color.*cannot be patched/);
        const result = await run.patch(join(root, "enum.mts"), files["enum.mts"] ?? "");
        assert.equal(result.outcome, "rejected");
        assert.equal(result.error?.kind, "refused");
        assert.equal(result.error?.code, "typescript-transpiled", "announced, and each save answered");
        assert.match(result.error?.message ?? "", /cannot be patched/);
        run.write("q\n");
        const exit = await run.exited;
        assert.equal(exit.code, 0, run.stderr);
        const loaded = run.messages
          .filter((m) => m.type === "loaded")
          .map((m) => (m as { file: string }).file);
        assert.deepEqual(
          loaded.sort(),
          [join(root, "app.mjs"), join(root, "enum.mts"), join(root, "lib.cjs"), join(root, "lib.ts")].sort(),
        );
        assert.equal(run.messages[0]?.type, "hello");
      });
    },
  );
}
