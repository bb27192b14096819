import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { editNodeCompute, nodeApp } from "./helpers/debug-programs.js";
import { DebugRun, lineOf, type Paused } from "./helpers/debug-run.js";
import { type EditEvent, makeProject } from "./helpers/hotframe.js";
import { AgentRun } from "./helpers/node-agent.js";
import { nodeBinaries } from "./helpers/node-versions.js";

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
        const source = nodeApp(typed);
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
        const changed = editNodeCompute(source);
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

/** The tests of one behaviour each run on the Node running the tests (the loop above covers the versions). */
const NODE = process.execPath;

async function debugProgram(
  files: Record<string, string>,
  entry: string,
  options: string[] = [],
  node = NODE,
): Promise<{ run: DebugRun; dir: string }> {
  const dir = makeProject({ "package.json": "{}\n", ...files });
  const run = new DebugRun(dir, ["--node", node, ...options, entry]);
  if (!options.includes("--continue")) assert.equal((await run.paused(0)).reason, "entry");
  return { run, dir };
}

test("an edit of a function two frames down says so; `restart 2` restarts it with the new code", async () => {
  const source = nodeApp(false)
    .replace("results.push(compute(new Order(i)));", "results.push(place(new Order(i)));")
    .replace(
      "function main() {",
      "function place(order) {\n  return compute(order);\n}\n\nfunction main() {",
    );
  const { run, dir } = await debugProgram({ "app.js": source }, "app.js");
  run.send("break compute if order.n == 3");
  const paused = await run.pausedAfter("continue");
  assert.deepEqual(
    paused.frames.map((f) => f.function),
    ["compute", "place", "main", "<module>"],
  );
  const changed = source.replace("    calls.push(i);\n", "    calls.push(i * 10);\n");
  const edit = run.nextEdit();
  writeFileSync(join(dir, "app.js"), changed);
  const event = await edit;
  const main = event.functions.find((f) => f.qualname === "main");
  assert.equal(main?.status, "running-old");
  assert.equal(main?.reason, "(frame 2) still runs its old code — `restart 2` restarts it");
  await run.stderrLine(
    /^⚠ app\.js {2}main\(\): \(frame 2\) still runs its old code — `restart 2` restarts it$/,
  );

  const mark = run.mark();
  run.send("clear 1");
  run.send("restart 2");
  const restarted = await run.restarted(mark);
  assert.equal(restarted.function, "main");
  assert.equal(restarted.line, lineOf(changed, "const results = []"));
  run.send("continue");
  // main() ran again from its start with the new code; what the old one appended stays.
  await run.stdoutLine(/^results \[0,1,3,6\] calls \[1,2,3,10,20,30,40\]$/);
  assert.equal((await run.ended()).code, 0);
});

test("a parameter added to the paused function: the restarted call gets the old arguments and the new default", async () => {
  const source = nodeApp(false);
  const { run, dir } = await debugProgram({ "app.js": source }, "app.js");
  run.send("break compute if order.n == 3");
  await run.pausedAfter("continue");
  const changed = source
    .replace("function compute(order) {", "function compute(order, scale = 100) {")
    .replace("  return total;", "  return total * scale;");
  const mark = run.mark();
  writeFileSync(join(dir, "app.js"), changed);
  const restarted = await run.restarted(mark);
  assert.equal(restarted.line, lineOf(changed, "let total = 0"));
  assert.equal(await run.answer("p scale", /./), "100");
  run.send("clear 1");
  run.send("continue");
  await run.stdoutLine(/^results \[0,1,300,600\] calls \[1,2,3,4\]$/);
  assert.equal((await run.ended()).code, 0);
});

test("a syntax error saved while paused changes nothing and says file:line:col; the fix restarts", async () => {
  const source = nodeApp(false);
  const { run, dir } = await debugProgram({ "app.js": source }, "app.js");
  run.send("break compute if order.n == 3");
  const paused = await run.pausedAfter("continue");
  const broken = source.replace("  let total = 0;\n", "  let total = (0;\n");
  const rejected = run.nextEdit();
  writeFileSync(join(dir, "app.js"), broken);
  const event = await rejected;
  assert.equal(event.outcome, "rejected");
  assert.equal(event.error?.kind, "syntax");
  assert.equal(event.error?.line, lineOf(broken, "let total = (0"));
  await run.stderrLine(new RegExp(`^✗ app\\.js:${event.error?.line}:\\d+ {2}.*nothing changed`));
  assert.match(
    await run.answer("where", /^→ #0/),
    new RegExp(`compute\\(order=.*\\) at app\\.js:${paused.frames[0]?.line}$`),
  );
  const mark = run.mark();
  writeFileSync(join(dir, "app.js"), editNodeCompute(source));
  assert.equal((await run.restarted(mark)).line, lineOf(editNodeCompute(source), 'console.log("computing"'));
  run.send("clear 1");
  run.send("continue");
  await run.stdoutLine(/^results \[0,1,1003,1006\] calls \[1,2,3,4\]$/);
  assert.equal((await run.ended()).code, 0);
});

for (const { version, path: node, skip } of versions)
  for (const file of ["app.js", "app.mjs"]) {
    test(
      `Node ${version} ${file}: catch uncaught (the default) pauses where the exception is thrown; a restart with nothing edited throws it again, and continue lets the exception go on`,
      { skip },
      async () => {
        const source = nodeApp(false).replace(
          "  let total = 0;\n",
          '  if (order.n === 3) throw new Error("order 3 is bad");\n  let total = 0;\n',
        );
        const { run } = await debugProgram({ [file]: source }, file, ["--continue"], node as string);
        const paused = await run.paused(0);
        assert.equal(paused.reason, "exception");
        assert.deepEqual(
          paused.frames.map((f) => [f.function, f.line]),
          [
            ["compute", lineOf(source, "throw new Error")],
            ["main", lineOf(source, "results.push")],
            ["<module>", lineOf(source, "main();")],
          ],
        );
        assert.match(await run.answer("p order.n", /./), /^3$/);
        // V8 restarts it (the exception replaced by a termination); the same code throws again, in the
        // same task (test/debug-node-unwind.test.ts: an edit restarts it with the fix).
        const mark = run.mark();
        run.send("restart 0");
        assert.equal((await run.restarted(mark)).line, lineOf(source, "throw new Error"));
        const again = await run.pausedAfter("continue");
        assert.deepEqual(
          [again.reason, again.frames[0]?.line],
          ["exception", lineOf(source, "throw new Error")],
        );
        const twice = run.mark();
        run.send("restart 0");
        await run.restarted(twice);
        assert.equal((await run.pausedAfter("continue")).reason, "exception");
        run.send("continue");
        const exit = await run.ended();
        assert.equal(exit.code, 1, "the exception goes on: nothing catches it");
        assert.ok(!run.stdout.some((l) => l.startsWith("results")));
      },
    );
  }

test("a breakpoint moves with its line of code when an edit moves the line", async () => {
  const source = nodeApp(false);
  const { run, dir } = await debugProgram({ "app.js": source }, "app.js");
  const line = lineOf(source, "for (const line of order.lines)");
  run.send(`break app.js:${line}`);
  assert.equal((await run.pausedAfter("continue")).frames[0]?.line, line);
  const moved = source.replace(
    "function compute(order) {\n",
    "// two new lines\n// above compute()\nfunction compute(order) {\n",
  );
  const mark = run.mark();
  writeFileSync(join(dir, "app.js"), moved);
  const change = await run.event((e) => e.type === "breakpoint" && e.change === "changed", mark);
  assert.deepEqual(change.type === "breakpoint" && [change.state, change.line], ["moved", line + 2]);
  await run.stderrLine(
    new RegExp(
      `^breakpoint 1 at app\\.js:${line + 2}, moved with its line of code, from line ${line} to ${line + 2}$`,
    ),
  );
  const again = await run.pausedAfter("continue");
  assert.deepEqual(
    [again.frames[0]?.function, again.frames[0]?.line],
    ["compute", line + 2],
    run.output.stderr,
  );
  run.send("clear");
  run.send("continue");
  await run.stdoutLine(/^results \[0,1,3,6\] calls \[1,2,3,4\]$/);
  assert.equal((await run.ended()).code, 0);
});

test("a breakpoint in a file not loaded yet is pending until it loads; a line without code moves", async () => {
  const { run } = await debugProgram(
    {
      "app.js":
        'function main() {\n  const helper = require("./helper.js");\n  console.log(helper.twice(21));\n}\n\nmain();\n',
      "helper.js": "exports.twice = function twice(x) {\n\n  return x * 2;\n};\n",
    },
    "app.js",
  );
  assert.match(
    await run.answer("break helper.js:2", /^breakpoint 1/),
    /pending: the program has not loaded helper\.js yet/,
  );
  const paused = await run.pausedAfter("continue");
  assert.deepEqual(
    [paused.frames[0]?.function, paused.frames[0]?.line, paused.breakpoints],
    ["twice", 3, [1]],
  );
  await run.stderrLine(/^breakpoint 1 at helper\.js:3, line 2 has no code: moved to line 3$/);
  run.send("continue");
  await run.stdoutLine(/^42$/);
  assert.equal((await run.ended()).code, 0);
});

test("a running program pauses where it is on SIGINT; next, step and finish stay in the program's code", async () => {
  const { run } = await debugProgram(
    {
      "app.js":
        'let count = 0;\nfunction tick(n) {\n  return n + 1;\n}\nwhile (true) {\n  count = tick(count);\n  if (count === 1000) console.log("running");\n}\n',
    },
    "app.js",
    ["--continue"],
  );
  await run.stdoutLine(/^running$/);
  const mark = run.mark();
  run.child.kill("SIGINT");
  const paused = await run.paused(mark);
  assert.equal(paused.reason, "pause");
  assert.ok(Number(await run.answer("p count", /^\d+$/)) >= 1000);
  let stop = paused;
  while (stop.frames[0]?.function !== "tick") stop = await run.pausedAfter("step");
  assert.deepEqual([stop.frames[0]?.line, stop.frames.map((f) => f.function)], [3, ["tick", "<module>"]]);
  const out = await run.pausedAfter("finish");
  assert.deepEqual([out.reason, out.frames[0]?.function], ["step", "<module>"]);
  run.send("quit");
  assert.equal((await run.ended()).code, 0);
});

for (const { version, path: node, skip } of versions) {
  test(
    `Node ${version}: a server idle in its event loop pauses on SIGINT (no frames); the globals can be read, a breakpoint set, and the next request stops at it`,
    { skip },
    async () => {
      const { run } = await debugProgram(
        {
          "server.js": `const http = require("node:http");
globalThis.served = 0;
function handle(request, response) {
  globalThis.served++;
  response.end("hi");
}
const server = http.createServer(handle).listen(0, "127.0.0.1", () => console.log("port " + server.address().port));
`,
        },
        "server.js",
        ["--continue"],
        node,
      );
      const port = Number((await run.stdoutLine(/^port \d+$/)).slice("port ".length));
      const mark = run.mark();
      run.child.kill("SIGINT");
      const paused = await run.paused(mark);
      assert.deepEqual([paused.reason, paused.frames.length], ["pause", 0]);
      assert.equal(await run.answer("p globalThis.served", /^\d+$/), "0");
      await run.answer("where", /^\(no frames/);
      await run.answer("break handle", /^breakpoint 1 at handle/);
      const atHandle = run.mark();
      run.send("continue");
      const response = fetch(`http://127.0.0.1:${port}/`).then((r) => r.text());
      const stop = await run.paused(atHandle);
      assert.deepEqual([stop.reason, stop.frames[0]?.function], ["breakpoint", "handle"]);
      assert.equal(await run.answer("p globalThis.served", /^\d+$/), "0");
      const resumed = run.mark();
      run.send("continue");
      assert.equal(await response, "hi");
      await run.event((e) => e.type === "resumed", resumed);
      run.child.kill("SIGTERM");
      await run.ended();
    },
  );
}

test("quit ends the program through process.exit(): its 'exit' handlers run, nothing pauses it on the way", async () => {
  const source = `process.on("exit", () => console.log("exit handler ran"));

function compute(n) {
  return n * 2;
}

for (let i = 0; i < 3; i++) console.log("got", compute(i));
`;
  const { run } = await debugProgram({ "app.js": source }, "app.js");
  run.send("break compute");
  await run.pausedAfter("continue");
  run.send("quit");
  assert.equal((await run.ended()).code, 0);
  assert.deepEqual(run.stdout, ["exit handler ran"]);
});

test("async functions and the frames below them cannot restart: refused before anything changes", async () => {
  const { run } = await debugProgram(
    {
      "app.js":
        'async function fetchIt(x) {\n  await null;\n  return x + 1;\n}\n\nfunction sync(y) {\n  return y * 2;\n}\n\nasync function main() {\n  const a = await fetchIt(1);\n  console.log("result", sync(a));\n}\n\nmain();\n',
    },
    "app.js",
  );
  run.send("break sync");
  const paused = await run.pausedAfter("continue");
  assert.deepEqual(
    paused.frames.map((f) => f.function),
    ["sync", "main"],
  );
  assert.match(await run.answer("restart 1", /./), /^\*\*\* frame 1 \(main\) cannot be restarted/);
  assert.match(await run.answer("where", /^→ #0/), /^→ #0 sync\(y=2\) at app\.js:7$/);
  run.send("continue");
  await run.stdoutLine(/^result 4$/);
  assert.equal((await run.ended()).code, 0);
});

test("HOTFRAME_DEBUGGER=attach: dormant until the first request; variables paged; refusals with codes; detach runs on", async () => {
  const dir = makeProject({
    "package.json": "{}\n",
    "app.js": `const big = Array.from({ length: 1000000 }, (_, i) => i * 2);
let ticks = 0;
function work(n) {
  const local = n + 1;
  return local;
}
setInterval(() => {
  ticks++;
  work(ticks);
  if (ticks % 10 === 0) console.log("tick", ticks, big.length);
}, 5);
`,
  });
  const agent = await AgentRun.start(join(dir, "app.js"), { debugger: "attach" });
  await agent.output("tick 10");
  const notPaused = await agent.debug("stackTrace", { threadId: 1 });
  assert.deepEqual([notPaused.success, !notPaused.success && notPaused.code], [false, "not-paused"]);
  const from = agent.messages.length;
  const set = await agent.debug("setFunctionBreakpoints", { breakpoints: [{ id: 1, name: "work" }] });
  assert.ok(set.success);
  const paused = await agent.debugEvent("paused", from);
  assert.deepEqual(paused.hitBreakpointIds, [1]);
  const stack = await agent.debug("stackTrace", { threadId: 1 });
  assert.ok(stack.success);
  const frames = (stack.body as { stackFrames: { name: string; line: number; canRestart: boolean }[] })
    .stackFrames;
  assert.deepEqual(frames[0] && [frames[0].name, frames[0].line, frames[0].canRestart], ["work", 4, true]);
  // The event brings the stack the controller would ask for (it saves that request at each pause).
  assert.deepEqual(paused.stackFrames, frames);

  const big = await agent.debug("evaluate", { expression: "big", frameId: 0, context: "watch" });
  assert.ok(big.success);
  const body = big.body as { variablesReference: number; indexedVariables?: number };
  assert.equal(body.indexedVariables, 1000000);
  const page = await agent.debug("variables", {
    variablesReference: body.variablesReference,
    start: 5,
    count: 3,
  });
  assert.ok(page.success);
  assert.deepEqual(
    (page.body as { variables: { name: string; value: string }[] }).variables.map((v) => [v.name, v.value]),
    [
      ["5", "10"],
      ["6", "12"],
      ["7", "14"],
    ],
  );
  const raised = await agent.debug("evaluate", { expression: "nothing.here", frameId: 0 });
  assert.deepEqual([raised.success, !raised.success && raised.code], [false, "raised"]);
  const scopes = await agent.debug("scopes", { frameId: 0 });
  assert.ok(scopes.success);
  const locals = (scopes.body as { scopes: { name: string; variablesReference: number }[] }).scopes[0];
  assert.equal(locals?.name, "Locals (work)");
  const assigned = await agent.debug("setVariable", {
    variablesReference: locals.variablesReference,
    name: "local",
    value: "40 + 1",
  });
  assert.ok(assigned.success, JSON.stringify(assigned));
  const local = await agent.debug("evaluate", { expression: "local", frameId: 0 });
  assert.equal(local.success && (local.body as { result: string }).result, "41");
  const noFrame = await agent.debug("restartFrame", { frameId: 99 });
  assert.deepEqual([noFrame.success, !noFrame.success && noFrame.code], [false, "not-a-frame"]);
  const bad = await agent.debug("setBreakpoints", {
    source: join(dir, "app.js"),
    breakpoints: [{ id: 2, line: 4, condition: "n >" }],
  });
  assert.deepEqual([bad.success, !bad.success && bad.code], [false, "bad-condition"]);

  const resumed = agent.messages.length;
  assert.ok((await agent.debug("detach", {})).success);
  await agent.debugEvent("resumed", resumed);
  const at = agent.stdout.length;
  await agent.output("tick", at);
  assert.ok(!agent.messages.slice(resumed).some((m) => m.type === "debugEvent" && m.event === "paused"));
  agent.kill();
});

for (const [entry, paused] of [
  ["app.js", false],
  ["app.ts", false],
  ["app.ts", true],
] as const) {
  test(`breakpointLocations in ${entry}: the lines V8 can break on, of a loaded file, in its newest text after an edit${paused ? " saved while paused" : ""}; a file not loaded has none (to the schema)`, async () => {
    const typed = entry.endsWith(".ts") ? ": number" : "";
    const source = `// a comment
const seen${entry.endsWith(".ts") ? ": number[]" : ""} = [];

function record(value${typed}) {
  // thinking
  const doubled = value * 2;
  seen.push(doubled);
}
setInterval(() => record(seen.length), 5);
setTimeout(() => console.log("recorded", seen.length > 0), 50);
`;
    const dir = makeProject({ "package.json": "{}\n", [entry]: source, "other.js": "module.exports = 1;\n" });
    const agent = await AgentRun.start(join(dir, entry), { debugger: "attach" });
    await agent.output("recorded true");
    const lines = async (file: string, line: number, endLine: number) => {
      const answer = await agent.debug("breakpointLocations", { source: join(dir, file), line, endLine });
      assert.ok(answer.success, JSON.stringify(answer));
      return (answer.body as { breakpoints: { line: number }[] }).breakpoints.map((b) => b.line);
    };
    const all = await lines(entry, 1, 11);
    // record()'s statements and the timers', never a blank line or a comment inside a function.
    for (const line of [2, 6, 7, 9, 10]) assert.ok(all.includes(line), `line ${line} in ${all.join()}`);
    for (const line of [3, 5, 11]) assert.ok(!all.includes(line), `no line ${line} in ${all.join()}`);
    assert.deepEqual(await lines(entry, 5, 7), [6, 7]);
    assert.deepEqual(await lines("other.js", 1, 1), []);

    // An edit moves record() three lines down: the lines are the new text's, not the old code's.
    const moved = source
      .replace("= [];\n", "= [];\n\n\n\n")
      .replace("seen.push(doubled);", "seen.push(doubled + 1);");
    if (paused) {
      // The patch applied on the paused thread brings the texts itself (the file's first patch).
      const from = agent.messages.length;
      await agent.debug("setFunctionBreakpoints", { breakpoints: [{ id: 1, name: "record" }] });
      await agent.debugEvent("paused", from);
      await agent.debug("setFunctionBreakpoints", { breakpoints: [] });
    }
    const result = await agent.patch(join(dir, entry), moved);
    assert.notEqual(result.outcome, "rejected", JSON.stringify(result));
    assert.deepEqual(await lines(entry, 5, 7), []);
    assert.deepEqual(await lines(entry, 8, 10), [9, 10]);
    // Code the edit only moved (the timers below) is listed at its new lines.
    const after = await lines(entry, 1, 14);
    for (const line of [2, 9, 10, 12, 13]) assert.ok(after.includes(line), `line ${line} in ${after.join()}`);
    agent.kill();
  });
}

/** main() pauses in tick() with a worker running, then again once the worker has ended. */
const withWorker = `const { Worker } = require("node:worker_threads");

function tick(n) {
  return n + 1;
}

const worker = new Worker(
  "const { parentPort } = require('node:worker_threads'); parentPort.postMessage('up'); parentPort.once('message', () => process.exit(0));",
  { eval: true, name: "crunch" },
);
worker.once("message", () => {
  tick(1);
  worker.once("exit", () => {
    tick(2);
    console.log("done");
  });
  worker.postMessage("end");
});
`;

for (const { version, path: node, skip } of versions)
  test(
    `Node ${version}: threads lists the program's worker threads (running, not debugged), not hotframe's own`,
    { skip },
    async () => {
      const dir = makeProject({ "package.json": "{}\n", "app.js": withWorker });
      const run = new DebugRun(dir, ["--node", node as string, "app.js"]);
      assert.equal((await run.paused(0)).reason, "entry");
      run.send("break tick");
      assert.equal((await run.pausedAfter("continue")).frames[0]?.function, "tick");
      const listed = async () => {
        const mark = run.stderr.length;
        await run.answer("threads", /thread 1 main/);
        run.send("p 0");
        await run.stderrLine(/^0$/, mark);
        return run.stderr.slice(mark).filter((l) => /^. thread \d/.test(l));
      };
      const during = await listed();
      assert.equal(during.length, 2, during.join("\n"));
      assert.equal(during[0], "→ thread 1 main (paused)");
      assert.match(during[1] as string, /^ {2}thread \d+ \[worker \d+\] crunch \(running\)$/);
      assert.equal((await run.pausedAfter("continue")).frames[0]?.function, "tick");
      assert.deepEqual(await listed(), ["→ thread 1 main (paused)"], "the worker has ended");
      run.send("clear");
      run.send("continue");
      await run.stdoutLine(/^done$/);
      assert.equal((await run.ended()).code, 0);
    },
  );
