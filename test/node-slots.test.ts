import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { AgentRun } from "./helpers/node-agent.js";
import { edit } from "./helpers/node-programs.js";
import { nodeBinaries } from "./helpers/node-versions.js";

/**
 * Slots are non-enumerable properties of globalThis (transform.ts): a program listing its globals
 * sees what it sees without hotframe; every load of a module has slots of its own (a second ES
 * module copy, a CommonJS file required again after leaving require.cache); a hoisted function
 * that a module in an import cycle calls before its own module's body runs works, and is patched.
 */

const FILES: Record<string, string> = {
  "package.json": `{"type":"module"}`,
  "a.js": `import { early } from "./b.js";
export function f() {
  return "a1";
}
export { early };
`,
  "b.js": `import { f } from "./a.js";
export const early = f();
`,
  "copy.js": `export function which() {
  return "v1";
}
`,
  "r.cjs": `exports.which = function which() {
  return "v1";
};
`,
  "main.js": `import { createRequire } from "node:module";
import { early, f } from "./a.js";
const require = createRequire(import.meta.url);
const one = await import("./copy.js");
const two = await import("./copy.js?v=2");
const r1 = require("./r.cjs");
delete require.cache[require.resolve("./r.cjs")];
const r2 = require("./r.cjs");
const forIn = [];
for (const name in globalThis) forIn.push(name);
const attempt = (job) => { try { return String(job()); } catch (e) { return e.constructor.name; } };
console.log("keys", JSON.stringify(Object.keys(globalThis)), JSON.stringify(forIn));
console.log("json", attempt(() => JSON.stringify(globalThis)), "clone", attempt(() => structuredClone(globalThis)));
console.log("names", Object.getOwnPropertyNames(globalThis).filter((n) => Object.getOwnPropertyDescriptor(globalThis, n).enumerable).length);
console.log("early", early, f());
process.stdin.setEncoding("utf8").on("data", () => {
  console.log("now", f(), one.which(), two.which(), r1.which(), r2.which());
});
console.log("ready");
`,
};

function programDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "hotframe-slots-"));
  for (const [name, text] of Object.entries(FILES)) writeFileSync(join(dir, name), text);
  return dir;
}

async function plainOutput(node: string, file: string): Promise<string> {
  const child = spawn(node, [file], { stdio: ["ignore", "pipe", "inherit"] });
  let stdout = "";
  child.stdout.setEncoding("utf8").on("data", (d: string) => {
    stdout += d;
    if (stdout.includes("ready")) child.kill();
  });
  await new Promise((done) => child.on("exit", done));
  return stdout;
}

for (const { version, path, skip } of nodeBinaries()) {
  describe(`node ${version}: slots`, { skip }, () => {
    test("globals listed as without hotframe; a cycle's early call works; each load has its own slots", async () => {
      const dir = programDir();
      const main = join(dir, "main.js");
      const plain = await plainOutput(path as string, main);
      const run = await AgentRun.start(main, { node: path });
      await run.output("ready");
      assert.equal(run.stdout, plain);
      assert.match(run.stdout, /^early a1 a1$/m);
      const a = await edit(run, join(dir, "a.js"), [['return "a1";', 'return "a2";']]);
      assert.equal(a.outcome, "applied", JSON.stringify(a));
      // The patch reaches the last load of each file; the other copy keeps its own (empty) slot.
      const copy = await edit(run, join(dir, "copy.js"), [['return "v1";', 'return "v2";']]);
      assert.equal(copy.outcome, "applied", JSON.stringify(copy));
      const required = await edit(run, join(dir, "r.cjs"), [['return "v1";', 'return "v2";']]);
      assert.equal(required.outcome, "applied", JSON.stringify(required));
      const from = run.stdout.length;
      run.write("go\n");
      await run.output("now", from);
      await run.output("\n", run.stdout.indexOf("now", from));
      // Node 20: the patch of a file imported twice reaches the second copy in some runs and
      // neither in others (also before slots were globals: a known gap of Node 20's loader-thread
      // records, docs/limitations.md, not of the slots).
      const second = version === "20" ? "v[12]" : "v2";
      assert.match(run.stdout.slice(from), new RegExp(`^now a2 v1 ${second} v1 v2$`, "m"));
      run.kill();
    });
  });
}
