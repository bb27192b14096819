import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { DebugRun, lineOf, type Paused } from "./helpers/debug-run.js";
import { type EditEvent, makeProject } from "./helpers/hotframe.js";
import { nodeBinaries } from "./helpers/node-versions.js";

/** compute() is called in a loop in main(); `calls` is state outside compute(). */
function app(typed: boolean): string {
  const t = (type: string) => (typed ? `: ${type}` : "");
  return `const calls${t("number[]")} = [];

class Order {
  ${typed ? "n: number;\n  lines: number[];\n  " : ""}constructor(n${t("number")}) {
    this.n = n;
    this.lines = Array.from({ length: n }, (_, i) => i);
  }
}

function compute(order${t("Order")})${t("number")} {
  let total = 0;
  for (const line of order.lines) total += line;
  return total;
}

function main() {
  const results${t("number[]")} = [];
  for (let i = 1; i < 5; i++) {
    calls.push(i);
    results.push(compute(new Order(i)));
    console.log("iteration", i, results.at(-1));
  }
  console.log("results", JSON.stringify(results), "calls", JSON.stringify(calls));
}

main();
`;
}

/** The new compute(): a new first line, and another result. */
const edited = (source: string) =>
  source.replace("  let total = 0;\n", '  console.log("computing", order.n);\n  let total = 1000;\n');

/** The program in each module format hotframe runs: CommonJS, ES module, TypeScript. */
const FORMATS = [
  { format: "CommonJS", file: "app.js", typed: false },
  { format: "ES module", file: "app.mjs", typed: false },
  { format: "TypeScript", file: "app.ts", typed: true },
] as const;

interface Paused3 {
  run: DebugRun;
  path: string;
  source: string;
  paused: Paused;
}

async function pausedInCompute(node: string, file: string, source: string): Promise<Paused3> {
  const dir = makeProject({ "package.json": "{}\n", [file]: source });
  const run = new DebugRun(dir, ["--node", node, file]);
  const entry = await run.paused(0);
  assert.equal(entry.reason, "entry");
  assert.deepEqual(
    entry.frames.map((f) => [f.function, f.line]),
    [["<module>", 1]],
  );
  run.send("break compute if order.n == 3");
  const paused = await run.pausedAfter("continue");
  return { run, path: join(dir, file), source, paused };
}

const versions = nodeBinaries().filter(
  (n) => ["20", "26"].includes(n.version) || n.path === process.execPath,
);

for (const { version, path: node, skip } of versions) {
  for (const { format, file, typed } of FORMATS) {
    test(
      `Node ${version} ${format}: compute() edited while paused in it restarts at its new first line; the loop goes on`,
      { skip },
      async () => {
        const source = app(typed);
        const { run, path, paused } = await pausedInCompute(node as string, file, source);
        assert.equal(paused.reason, "breakpoint");
        assert.deepEqual(paused.breakpoints, [1]);
        assert.deepEqual(
          paused.frames.map((f) => [f.function, f.line]),
          [
            ["compute", lineOf(source, "let total = 0")],
            ["main", lineOf(source, "results.push")],
            ["<module>", lineOf(source, "main();")],
          ],
        );
        await run.stdoutLine(/^iteration 2 1$/);

        const mark = run.mark();
        const edit = run.nextEdit();
        const changed = edited(source);
        writeFileSync(path, changed);
        const restarted = await run.restarted(mark);
        assert.equal(restarted.function, "compute");
        assert.equal(restarted.afterEdit, path);
        assert.equal(
          restarted.line,
          lineOf(changed, 'console.log("computing"'),
          "paused at the new first line",
        );
        const outcome = (await edit) as EditEvent;
        assert.deepEqual(
          outcome.functions.map((f) => [f.qualname, f.status]),
          [["compute", "restarted"]],
        );
        await run.stderrLine(
          new RegExp(
            `^↻ ${file.replace(".", "\\.")} {2}compute\\(\\) restarted with the new code, paused at ${file.replace(".", "\\.")}:${restarted.line} \\(its first line\\)$`,
          ),
        );
        // The restarted call has the original argument; nothing outside compute() changed.
        assert.equal(await run.answer("p order.n", /./), "3");
        assert.equal(await run.answer("p calls", /./), "[ 1, 2, 3 ]");
        run.send("clear 1");
        run.send("continue");
        await run.stdoutLine(/^computing 3$/);
        await run.stdoutLine(/^iteration 3 1003$/);
        await run.stdoutLine(/^iteration 4 1006$/);
        await run.stdoutLine(/^results \[0,1,1003,1006\] calls \[1,2,3,4\]$/);
        const exit = await run.ended();
        assert.equal(exit.code, 0);
        assert.equal(run.stdout.filter((l) => l.startsWith("iteration 3")).length, 1, "iteration 3 ran once");
      },
    );
  }
}
