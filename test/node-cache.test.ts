import assert from "node:assert/strict";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { AgentRun } from "./helpers/node-agent.js";
import { nodeBinaries } from "./helpers/node-versions.js";
import { programDir } from "./helpers/node-programs.js";

/**
 * The on-disk cache of instrumented modules: a second start uses it (entries are not written
 * again), it never serves an old instrumentation for a changed file, and a module that came from
 * the cache is patched like one instrumented at this start. V8's code cache of what the program
 * compiles (Node 22+) is kept in hotframe's folder, out of the program's sight.
 */

const LIB = `export function value() {\n  return "one";\n}\n`;
const CJS = `exports.cjs = function cjs() {\n  return "cjs";\n};\n`;
const TS = `export function typed(n: number): string {\n  return \`ts \${n}\`;\n}\n`;
const APP = `import { value } from "./lib.mjs";\nimport { cjs } from "./lib.cjs";\nimport { typed } from "./typed.ts";\nconsole.log(value(), cjs(), typed(1));\nprocess.stdin.once("data", () => {\n  console.log(value());\n  process.exit(0);\n});\n`;

/** Cache entries (under the agent's temporary folder) and when each was last written. */
function entries(tmp: string): Map<string, number> {
  const found = new Map<string, number>();
  for (const user of readdirSync(tmp).filter((n) => n.startsWith("hotframe-"))) {
    const dir = join(tmp, user, "node-modules-cache");
    for (const name of readdirSync(dir)) found.set(name, statSync(join(dir, name)).mtimeMs);
  }
  return found;
}

/** The entries of V8's code cache under the agent's temporary folder (one folder per Node build). */
function compiledEntries(tmp: string): string[] {
  return readdirSync(tmp)
    .filter((n) => n.startsWith("hotframe-"))
    .flatMap((user) => {
      const dir = join(tmp, user, "v8-compile-cache");
      return existsSync(dir) ? readdirSync(dir).flatMap((build) => readdirSync(join(dir, build))) : [];
    });
}

/** Resolves once `check` holds, looking every 20 ms (a file written by another process is no event here). */
async function until(check: () => boolean, what: string, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`not within ${ms} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Prints what the program and a child of it see of Node's compile cache, then runs until told. */
const SEES_CACHE = `import { execFileSync } from "node:child_process";
const child = execFileSync(process.execPath, ["-p", 'require("node:module").getCompileCacheDir() + " " + process.env.NODE_COMPILE_CACHE'], { encoding: "utf8" }).trim();
console.log(process.env.NODE_COMPILE_CACHE, child);
process.stdin.once("data", () => process.exit(0));
`;

for (const { version, path, skip } of nodeBinaries()) {
  describe(`node ${version}: cache of instrumented modules`, { skip }, () => {
    test("a second start reads the cache; a changed file is instrumented again; cached modules patch", async () => {
      // The agent keeps its cache under the temporary folder: a private one for this test.
      const tmp = mkdtempSync(join(tmpdir(), "hf-cache-"));
      process.env.TMPDIR = tmp;
      const dir = programDir("esm", { "app.mjs": APP, "lib.mjs": LIB, "lib.cjs": CJS, "typed.ts": TS });
      const start = async () => {
        const run = await AgentRun.start(join(dir, "app.mjs"), { node: path, root: dir });
        await run.output("\n");
        return run;
      };
      /** The program prints value() once more and exits. */
      const stop = async (run: AgentRun) => {
        run.write("q\n");
        assert.equal((await run.exited).code, 0, run.stderr);
        return run.stdout.split("\n")[1];
      };

      const first = await start();
      assert.equal(first.stdout, "one cjs ts 1\n");
      assert.equal(await stop(first), "one");
      const written = entries(tmp);
      assert.equal(written.size, 4, `one entry per module: ${[...written.keys()].join(", ")}`);

      const second = await start();
      assert.equal(second.stdout, "one cjs ts 1\n");
      assert.deepEqual(entries(tmp), written, "a start with everything cached writes nothing");
      const result = await second.patch(join(dir, "lib.mjs"), LIB.replace('"one"', '"patched"'));
      assert.equal(result.outcome, "applied", JSON.stringify(result));
      assert.equal(await stop(second), "patched");

      writeFileSync(join(dir, "lib.mjs"), LIB.replace('"one"', '"two"'));
      const third = await start();
      assert.equal(third.stdout, "two cjs ts 1\n", "the file's new text runs, not the cached one");
      assert.equal(await stop(third), "two");
    });

    test("nothing is cached in a hotframe folder others can write to (its entries would run as code)", async () => {
      const tmp = mkdtempSync(join(tmpdir(), "hf-cache-shared-"));
      process.env.TMPDIR = tmp;
      const shared = join(tmp, `hotframe-${userInfo().username.replace(/[^\w.-]/g, "_")}`);
      mkdirSync(shared);
      chmodSync(shared, 0o777);
      const dir = programDir("esm", { "app.mjs": APP, "lib.mjs": LIB, "lib.cjs": CJS, "typed.ts": TS });
      const run = await AgentRun.start(join(dir, "app.mjs"), { node: path, root: dir });
      await run.output("\n");
      assert.equal(run.stdout, "one cjs ts 1\n");
      run.write("q\n");
      assert.equal((await run.exited).code, 0, run.stderr);
      assert.deepEqual(readdirSync(shared), [], "no cache folder was made in it");
    });
  });
}

for (const { version, path, skip } of nodeBinaries().filter((n) => Number(n.version) >= 22)) {
  describe(`node ${version}: V8's code cache`, { skip }, () => {
    test("is written in hotframe's folder while the program runs, which neither it nor its children see in their environment", async () => {
      const tmp = mkdtempSync(join(tmpdir(), "hf-v8-cache-"));
      process.env.TMPDIR = tmp;
      const dir = programDir("esm", { "app.mjs": SEES_CACHE });
      const run = await AgentRun.start(join(dir, "app.mjs"), { node: path, root: dir });
      await run.output("\n");
      assert.equal(run.stdout, "undefined undefined undefined\n");
      await until(() => compiledEntries(tmp).length > 0, "the code cache is written once loading settles");
      run.write("q\n");
      assert.equal((await run.exited).code, 0, run.stderr);
    });
  });
}
