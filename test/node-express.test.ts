import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, realpathSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { REPO } from "./helpers/hotframe.js";
import { AgentRun } from "./helpers/node-agent.js";
import { nodeBinaries } from "./helpers/node-versions.js";
import { edit } from "./helpers/node-programs.js";

/**
 * An express@4 app starts under hotframe as it does under plain node, serves a request, and a
 * handler edit applies. express's dependencies pull in packages with a "module-sync" export
 * condition (an ES module for require(), importing the package's CommonJS file): on Node 22 those
 * failed to link under hotframe. A local package of that shape ("dual") keeps the test independent
 * of what express's dependencies do today.
 */

const DUAL: Record<string, string> = {
  "package.json": JSON.stringify({
    name: "dual",
    version: "1.0.0",
    exports: { ".": { "module-sync": "./sync.mjs", default: "./index.js" } },
  }),
  "sync.mjs":
    'import value from "./index.js";\nexport default value;\nexport { value as "module.exports" };\n',
  "index.js": 'module.exports = () => "dual";\n',
};

function app(format: "cjs" | "esm"): string {
  const imports =
    format === "cjs"
      ? 'const express = require("express");\nconst dual = require("dual");'
      : 'import express from "express";\nimport dual from "dual";';
  return `${imports}
const app = express();
app.get("/", (req, res) => {
  res.send("v1 " + dual());
});
const server = app.listen(0, "127.0.0.1", () => console.log("listening " + server.address().port));
`;
}

/** A project of its own, without a package "type": express from this repository, dual beside it. */
function project(format: "cjs" | "esm"): { dir: string; entry: string } {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), "hf-express-")));
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "express-app" }));
  mkdirSync(join(dir, "node_modules", "dual"), { recursive: true });
  for (const [name, text] of Object.entries(DUAL))
    writeFileSync(join(dir, "node_modules", "dual", name), text);
  symlinkSync(join(REPO, "node_modules", "express"), join(dir, "node_modules", "express"));
  const entry = join(dir, format === "cjs" ? "app.js" : "app.mjs");
  writeFileSync(entry, app(format));
  return { dir, entry };
}

async function get(port: number): Promise<string> {
  const response = await fetch(`http://127.0.0.1:${port}/`);
  assert.equal(response.status, 200);
  return response.text();
}

for (const { version, path, skip } of nodeBinaries()) {
  describe(`node ${version}: an express app`, { skip }, () => {
    for (const format of ["cjs", "esm"] as const) {
      test(`${format}: starts, serves, and a handler edit applies`, async () => {
        const { entry } = project(format);
        const run = await AgentRun.start(entry, { node: path });
        try {
          const port = Number(await run.until(() => run.stdout.match(/listening (\d+)\n/)?.[1], "listening"));
          assert.equal(await get(port), "v1 dual");
          const result = await edit(run, entry, [['"v1 "', '"v2 "']]);
          assert.equal(result.outcome, "applied", JSON.stringify(result));
          assert.equal(await get(port), "v2 dual");
        } finally {
          run.kill();
        }
      });
    }
  });
}
