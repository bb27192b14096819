import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { DebugRun, lineOf } from "./helpers/debug-run.js";
import { type EditEvent, makeProject } from "./helpers/hotframe.js";
import { nodeBinaries } from "./helpers/node-versions.js";

/**
 * Restarts V8 cannot do on its own: a crash fixed in place (a plain function: V8 restarts it once
 * the exception is replaced by a termination, debugger/termination.ts), and async functions (by
 * unwinding through the restart guard `hotframe debug` compiles into them, restart-guard.ts).
 */

const versions = nodeBinaries().filter(
  (n) => ["20", "26"].includes(n.version) || n.path === process.execPath,
);

/** compute() is called in a loop in main(), and throws for order 3; `calls` is state outside it. */
const crashing = `const calls = [];

function compute(n) {
  if (n === 3) throw new Error("order 3 is bad");
  return n * 10;
}

function main() {
  const results = [];
  for (let i = 1; i < 5; i++) {
    calls.push(i);
    try {
      results.push(compute(i));
    } finally {
      calls.push("f" + i);
    }
    console.log("iteration", i, results.at(-1));
  }
  console.log("results", JSON.stringify(results), "calls", JSON.stringify(calls));
}

main();
`;

const fixed = (source: string) =>
  source
    .replace('  if (n === 3) throw new Error("order 3 is bad");\n', '  console.log("fixed", n);\n')
    .replace("return n * 10;", "return n * 100;");

/** An async handler awaited by its caller; it throws for request 2 after an await. */
const handlers = `async function lookup(id) {
  await null;
  return id * 10;
}

function check(value) {
  return value + 1;
}

async function handle(id) {
  const value = await lookup(id);
  if (id === 2) throw new Error("request 2 failed");
  return check(value);
}

async function main() {
  for (let id = 1; id < 4; id++) {
    const pending = handle(id);
    console.log("request", id, await pending);
  }
  console.log("done");
}

main();
`;

const handled = (source: string) =>
  source.replace(
    '  if (id === 2) throw new Error("request 2 failed");\n  return check(value);',
    "  return check(value) * 100;",
  );

/** handlers without the failure. */
const healthy = handlers.replace('  if (id === 2) throw new Error("request 2 failed");\n', "");

/** The restart of handle() pauses at its first line; `continue` then ends the program with `stdout`. */
async function restartsHandleThenEnds(run: DebugRun, mark: number, stdout: string[]): Promise<void> {
  const restarted = await run.restarted(mark);
  assert.deepEqual([restarted.function, restarted.line], ["handle", lineOf(handlers, "await lookup(id)")]);
  run.send("continue");
  await run.stdoutLine(/^done$/);
  assert.equal((await run.ended()).code, 0);
  assert.deepEqual(run.stdout, stdout);
}

for (const { version, path: node, skip } of versions) {
  for (const file of ["app.js", "app.mjs"]) {
    test(
      `Node ${version} ${file}: an uncaught exception fixed in place: the failing call restarts with the new code, the loop goes on`,
      { skip },
      async () => {
        const dir = makeProject({ "package.json": "{}\n", [file]: crashing });
        const run = new DebugRun(dir, ["--node", node as string, "--continue", file]);
        const paused = await run.paused(0);
        assert.equal(paused.reason, "exception");
        assert.deepEqual(
          paused.frames.map((f) => [f.function, f.line]),
          [
            ["compute", lineOf(crashing, "throw new Error")],
            ["main", lineOf(crashing, "results.push")],
            ["<module>", lineOf(crashing, "main();")],
          ],
        );
        const mark = run.mark();
        const edit = run.nextEdit();
        writeFileSync(join(dir, file), fixed(crashing));
        const restarted = await run.restarted(mark);
        assert.deepEqual(
          [restarted.function, restarted.line],
          ["compute", lineOf(fixed(crashing), 'console.log("fixed"')],
        );
        assert.deepEqual(
          ((await edit) as EditEvent).functions.map((f) => [f.qualname, f.status]),
          [["compute", "restarted"]],
        );
        assert.equal(await run.answer("p n", /./), "3");
        run.send("continue");
        await run.stdoutLine(/^results \[10,20,300,400\] calls \[1,"f1",2,"f2",3,"f3",4,"f4"\]$/);
        assert.equal((await run.ended()).code, 0);
        assert.deepEqual(run.stdout, [
          "iteration 1 10",
          "iteration 2 20",
          "fixed 3",
          "iteration 3 300",
          "fixed 4",
          "iteration 4 400",
          'results [10,20,300,400] calls [1,"f1",2,"f2",3,"f3",4,"f4"]',
        ]);
      },
    );
  }

  test(
    `Node ${version}: an async handler's uncaught exception fixed in place: its caller's promise gets the new result`,
    { skip },
    async () => {
      const dir = makeProject({ "package.json": "{}\n", "app.js": handlers });
      const run = new DebugRun(dir, ["--node", node as string, "--continue", "app.js"]);
      const paused = await run.paused(0);
      assert.deepEqual([paused.reason, paused.frames[0]?.function], ["exception", "handle"]);
      const mark = run.mark();
      writeFileSync(join(dir, "app.js"), handled(handlers));
      await restartsHandleThenEnds(run, mark, ["request 1 11", "request 2 2100", "request 3 3100", "done"]);
    },
  );

  test(
    `Node ${version}: an async handler restarts from a breakpoint in a function it calls; its caller's promise gets the new result`,
    { skip },
    async () => {
      const dir = makeProject({ "package.json": "{}\n", "app.js": healthy });
      const run = new DebugRun(dir, ["--node", node as string, "app.js"]);
      assert.equal((await run.paused(0)).reason, "entry");
      run.send("break check if value === 20");
      const paused = await run.pausedAfter("continue");
      assert.deepEqual(
        paused.frames.map((f) => f.function),
        ["check", "handle"],
      );
      // The edit of handle() (frame 1) leaves the pause where it is; `restart 1` unwinds check().
      const edit = run.nextEdit();
      writeFileSync(
        join(dir, "app.js"),
        handlers.replace(
          '  if (id === 2) throw new Error("request 2 failed");\n  return check(value);',
          '  console.log("new handle", id);\n  return check(value) * 100;',
        ),
      );
      const outcome = (await edit) as EditEvent;
      assert.equal(outcome.functions.find((f) => f.qualname === "handle")?.status, "running-old");
      const mark = run.mark();
      run.send("clear 1");
      run.send("restart 1");
      await restartsHandleThenEnds(run, mark, [
        "request 1 11",
        "new handle 2",
        "request 2 2100",
        "new handle 3",
        "request 3 3100",
        "done",
      ]);
    },
  );
}

test("an async function paused at the top of the stack cannot restart: refused with the reason before anything changes", async () => {
  const source = healthy;
  const dir = makeProject({ "package.json": "{}\n", "app.js": source });
  const run = new DebugRun(dir, ["--node", process.execPath, "app.js"]);
  assert.equal((await run.paused(0)).reason, "entry");
  run.send(`break app.js:${lineOf(source, "return check(value)")} if id === 2`);
  await run.pausedAfter("continue");
  const edit = run.nextEdit();
  writeFileSync(join(dir, "app.js"), handled(handlers));
  const handle = ((await edit) as EditEvent).functions.find((f) => f.qualname === "handle");
  assert.equal(handle?.status, "running-old");
  assert.match(
    await run.answer("restart 0", /./),
    /^\*\*\* frame 0 \(handle\) cannot be restarted: handle is an async function or generator at the top of the stack/,
  );
  run.send("clear 1");
  run.send("continue");
  await run.stdoutLine(/^done$/);
  // The paused call finished with its old code; the next ones ran the new.
  assert.deepEqual(run.stdout, ["request 1 11", "request 2 21", "request 3 3100", "done"]);
  assert.equal((await run.ended()).code, 0);
});

test("stepping out of a function with the restart guard (async) stops in its caller (next at its return, finish)", async () => {
  const source = `async function compute(n) {
  const doubled = n * 2;
  return doubled;
}

async function main() {
  let sum = 0;
  for (let i = 0; i < 3; i++) {
    sum += await compute(i);
  }
  console.log("sum", sum);
}

main();
`;
  const dir = makeProject({ "package.json": "{}\n", "app.js": source });
  const run = new DebugRun(dir, ["--node", process.execPath, "app.js"]);
  assert.equal((await run.paused(0)).reason, "entry");
  run.send("break compute");
  const at = (paused: { frames: { function: string; line: number }[] }) => [
    paused.frames[0]?.function,
    paused.frames[0]?.line,
  ];
  assert.deepEqual(at(await run.pausedAfter("continue")), ["compute", lineOf(source, "const doubled")]);
  assert.deepEqual(at(await run.pausedAfter("next")), ["compute", lineOf(source, "return doubled")]);
  const back = await run.pausedAfter("next");
  assert.deepEqual([back.reason, back.frames[0]?.function], ["step", "main"]);
  assert.deepEqual(at(await run.pausedAfter("continue")), ["compute", lineOf(source, "const doubled")]);
  const out = await run.pausedAfter("finish");
  assert.deepEqual([out.reason, out.frames[0]?.function], ["step", "main"]);
  run.send("clear");
  run.send("continue");
  await run.stdoutLine(/^sum 6$/);
  assert.equal((await run.ended()).code, 0);
});
