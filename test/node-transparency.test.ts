import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { AgentRun } from "./helpers/node-agent.js";
import { nodeBinaries } from "./helpers/node-versions.js";
import { edit, entryName, FORMATS, type Format, programDir, typed } from "./helpers/node-programs.js";

/**
 * The program cannot tell it runs under hotframe: same output, same exceptions, same Error.stack
 * lines (the user's file, line and column, TypeScript included), same exit code; after a patch the
 * new code's frames point at the edited file.
 */

function program(format: Format): string {
  const t = typed(format);
  return `function inner(n${t(": number")}) {
  if (n > 2) throw new RangeError("too big: " + n);
  return n;
}
class Thing {
  run(n${t(": number")}) {
    return inner(n);
  }
}
function outer(n${t(": number")}) {
  return new Thing().run(n);
}
const frames = (e${t(": unknown")}) => String((e as Error).stack).split("\\n").slice(0, 4).join("\\n");
try {
  outer(5);
} catch (e) {
  console.log(frames(e));
}
console.log(outer.name, outer.length, Thing.prototype.run.name, typeof inner.prototype, Object.keys(globalThis).length > 0);
process.stdin.once("data", () => {
  try {
    outer(7);
  } catch (e) {
    console.log(frames(e));
  }
  outer(9);
});
console.log("ready");
`.replace(/ as Error/g, format === "ts" ? " as Error" : "");
}

/** file:line:column of the first occurrence of `text` in a file (1-based, as V8 prints). */
function position(file: string, text: string): string {
  const lines = readFileSync(file, "utf8").split("\n");
  const line = lines.findIndex((l) => l.includes(text));
  return `${line + 1}:${(lines[line] ?? "").indexOf(text) + 1}`;
}

async function plain(
  node: string,
  file: string,
): Promise<{ stdout: string; stderr: string; code: number | null }> {
  const child = spawn(node, [file], { stdio: ["pipe", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (d: string) => {
    stdout += d;
    if (stdout.includes("ready")) child.stdin.end("go\n");
  });
  child.stderr.setEncoding("utf8").on("data", (d: string) => {
    stderr += d;
  });
  const code = await new Promise<number | null>((done) => child.on("exit", (c) => done(c)));
  return { stdout, stderr, code };
}

for (const { version, path, skip } of nodeBinaries()) {
  describe(
    `node ${version}: transparency`,
    {
      skip,
    },
    () => {
      for (const format of FORMATS) {
        test(`${format}: output, Error.stack and exit code as without hotframe; patched frames point at the edit`, async () => {
          const dir = programDir(format, { [entryName(format)]: program(format) });
          const file = join(dir, entryName(format));
          const run = await AgentRun.start(file, { node: path });
          await run.output("ready");
          const url = format === "cjs" ? file : `file://${file}`;
          const throwAt = position(file, "new RangeError");
          assert.match(
            run.stdout,
            new RegExp(`RangeError: too big: 5\\n    at inner \\(${url}:${throwAt}\\)\\n`),
          );
          assert.match(
            run.stdout,
            new RegExp(`    at Thing.run \\(${url}:${position(file, "inner(n);")}\\)\\n`),
          );
          assert.match(run.stdout, new RegExp(`    at outer \\(${url}:${position(file, "run(n);")}\\)`));
          assert.match(run.stdout, /^outer 1 run object true$/m);
          assert.doesNotMatch(run.stdout + run.stderr, /runtimes\/node\/agent|\$hf\$/);
          if (format !== "ts") {
            // Byte for byte what plain node prints, including the uncaught error and exit code.
            const before = run.stdout;
            const result = await plain(path as string, file);
            run.write("go\n");
            const exit = await run.exited;
            assert.equal(run.stdout, result.stdout);
            assert.equal(run.stderr, result.stderr);
            assert.equal(exit.code, result.code);
            assert.ok(before.length > 0);
            return;
          }
          const patched = await edit(run, file, [
            ['throw new RangeError("too big: " + n);', 'throw new RangeError("way too big: " + n);'],
            // Thing.run moves down a line without changing: its frames must follow it.
            ["class Thing {", "// moved\nclass Thing {"],
          ]);
          assert.equal(patched.outcome, "applied", JSON.stringify(patched));
          run.write("go\n");
          await run.output("way too big: 7");
          const frames = run.stdout.slice(run.stdout.indexOf("way too big: 7")).split("\n");
          assert.equal(frames[1], `    at inner (${url}:${position(file, "new RangeError")})`);
          // The one frame a patch adds: the old function object forwarding to its new version.
          assert.match(frames[2] ?? "", new RegExp(`^    at inner \\(${url}:1:\\d+\\)$`));
          assert.equal(frames[3], `    at Thing.run (${url}:${position(file, "inner(n);")})`);
          const exit = await run.exited;
          assert.equal(exit.code, 1);
          assert.match(run.stderr, /RangeError: way too big: 9/);
          assert.doesNotMatch(run.stderr, /runtimes\/node\/agent|\$hf\$/);
        });
      }
    },
  );
}
