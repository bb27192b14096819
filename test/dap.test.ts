import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, readFileSync, watch, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import type { DebugProtocol } from "@vscode/debugprotocol";
import { DapClient, dapRuntimes, type RuntimeRow } from "./helpers/dap-client.js";
import { CLI, makeProject, REPO } from "./helpers/hotframe.js";
import { NODE_APP, NODE_APP_EDITED, PYTHON_APP, PYTHON_APP_EDITED } from "./helpers/debug-programs.js";
import { BOUND_MS, ObservedProcess } from "./helpers/observed-process.js";

/**
 * One runtime's programs for the DAP scenarios: the same story in its language, and the lines
 * the scenarios set breakpoints on and expect stops at, and how its values are shown. A runtime
 * is one entry of ROWS (Node: one per version tested).
 */
interface Row extends RuntimeRow {
  /** compute(order) is called in a loop by main(); `calls` is state outside compute(). */
  app: string;
  /** compute() with a new first line (prints "computing N") and total starting at 1000. */
  edited: string;
  /** compute() that does not compile. */
  broken: string;
  /** Two lines added above compute() (a new function): everything below moves down by 2. */
  shifted: string;
  /** A program that runs until the file `stop` exists in its folder, then writes `done` and
   * prints greeting() ("hello"). */
  looping: string;
  /** `looping` whose greeting() says "bye". */
  loopingEdited: string;
  /** A program that counts `ticks` without ever waiting (so a pause lands in its own code, never in
   * an idle event loop, however late the loaded machine runs it) until the file `stop` exists in its
   * folder, then writes `done`. */
  busy: string;
  /** A program that writes "out" to stdout, "err" to stderr, and exits with code 3. */
  exitsWith3: string;
  /** The runtime runs a module by name (launch `module`). */
  runsModules: boolean;
  /** Its agent has the `detach` debug command (a disconnect that leaves the program running). */
  detaches: boolean;
  lines: {
    /** compute()'s first line, before and after `edited`. */
    computeFirst: number;
    /** compute()'s `return total`, before and after `shifted`. */
    computeReturn: number;
    computeReturnShifted: number;
    /** main()'s first line. */
    mainFirst: number;
    /** A line of the looping program's loop. */
    loop: number;
    /** main()'s `results.append(compute(Order(i)))`, and the line after compute()'s first. */
    mainCall: number;
    computeSecond: number;
    /** main()'s `print("iteration", …)`. */
    mainPrint: number;
    /** compute()'s `total += line`. */
    computeLoop: number;
  };
  /** The qualified name of Order's constructor (where stepping into `Order(i)` goes). */
  constructorName: string;
  /** How compute()'s `order` is shown (Python: its repr). */
  orderValue: string;
  /** An expression of compute()'s order.n and line, and what it shows when they are 2 and 1. */
  pair: { expression: string; value: string };
  /** How the language shows true. */
  trueValue: string;
  /** The module frame's name (it cannot restart). */
  moduleFrame: string;
  /** What the program prints at its end, unedited and after `edited` restarted compute at i=1. */
  endLine: RegExp;
  editedEndLine: RegExp;
  /** The end line after main() was restarted once during its first iteration. */
  mainRestartedEndLine: RegExp;
}

const PYTHON_LOOPING = `import os, time


def greeting():
    return "hello"


here = os.path.dirname(os.path.abspath(__file__))
ticks = 0
print("running", flush=True)
while not os.path.exists(os.path.join(here, "stop")):
    ticks += 1
    time.sleep(0.01)
with open(os.path.join(here, "done"), "w") as f:
    f.write("ticks %d" % ticks)
print(greeting(), flush=True)
`;

const PYTHON_BUSY = `import os

here = os.path.dirname(os.path.abspath(__file__))
ticks = 0
print("running", flush=True)
while not os.path.exists(os.path.join(here, "stop")):
    for _ in range(10000):
        ticks += 1
with open(os.path.join(here, "done"), "w") as f:
    f.write("ticks %d" % ticks)
`;

/** The Python agent's `detach` comes with py-catch's branch: until it is merged, the test of a
 * disconnect that leaves the program running cannot pass here. */
const PYTHON_AGENT_DETACHES = readFileSync(
  join(REPO, "src", "runtimes", "python", "agent", "hotframe_agent", "debugger.py"),
  "utf8",
).includes("def _do_detach");

const NODE_LOOPING = `const { existsSync, writeFileSync } = require("node:fs");
const { join } = require("node:path");

function greeting() {
  return "hello";
}

let ticks = 0;
console.log("running");
const timer = setInterval(() => {
  ticks += 1;
  if (!existsSync(join(__dirname, "stop"))) return;
  clearInterval(timer);
  writeFileSync(join(__dirname, "done"), "ticks " + ticks);
  console.log(greeting());
}, 10);
`;

const NODE_BUSY = `const { existsSync, writeFileSync } = require("node:fs");
const { join } = require("node:path");

let ticks = 0;
console.log("running");
function spin() {
  for (const until = Date.now() + 50; Date.now() < until; ) ticks += 1;
  if (!existsSync(join(__dirname, "stop"))) return setImmediate(spin);
  writeFileSync(join(__dirname, "done"), "ticks " + ticks);
}
spin();
`;

const LANGUAGES: Record<RuntimeRow["language"], Omit<Row, keyof RuntimeRow>> = {
  node: {
    app: NODE_APP,
    edited: NODE_APP_EDITED,
    broken: NODE_APP.replace("  let total = 0;\n", "  let total = (0;\n"),
    shifted: NODE_APP.replace(
      "function compute(order) {\n",
      "function helper() { return 1; }\n\nfunction compute(order) {\n",
    ),
    looping: NODE_LOOPING,
    loopingEdited: NODE_LOOPING.replace('return "hello"', 'return "bye"'),
    busy: NODE_BUSY,
    exitsWith3: 'console.log("out");\nconsole.error("err");\nprocess.exitCode = 3;\n',
    runsModules: false,
    detaches: true,
    lines: {
      computeFirst: 11,
      computeSecond: 12,
      computeLoop: 13,
      computeReturn: 15,
      computeReturnShifted: 17,
      mainFirst: 19,
      mainCall: 22,
      mainPrint: 23,
      loop: 11,
    },
    orderValue: "Order",
    pair: { expression: "order.n * 10 + line", value: "21" },
    trueValue: "true",
    constructorName: "Order.constructor",
    moduleFrame: "<module>",
    endLine: /results \[0,1,3,6\] calls \[1,2,3,4\]/,
    editedEndLine: /results \[1000,1001,1003,1006\] calls \[1,2,3,4\]/,
    mainRestartedEndLine: /results \[0,1,3,6\] calls \[1,1,2,3,4\]/,
  },
  python: {
    app: PYTHON_APP,
    edited: PYTHON_APP_EDITED,
    broken: PYTHON_APP.replace("    total = 0\n", "    total = (0\n"),
    shifted: PYTHON_APP.replace(
      "def compute(order):\n",
      "def helper():\n    return 1\ndef compute(order):\n",
    ),
    looping: PYTHON_LOOPING,
    loopingEdited: PYTHON_LOOPING.replace('return "hello"', 'return "bye"'),
    busy: PYTHON_BUSY,
    exitsWith3:
      'import sys\nprint("out", flush=True)\nprint("err", file=sys.stderr, flush=True)\nsys.exit(3)\n',
    runsModules: true,
    detaches: PYTHON_AGENT_DETACHES,
    lines: {
      computeFirst: 16,
      computeSecond: 17,
      computeLoop: 18,
      computeReturn: 19,
      computeReturnShifted: 21,
      mainFirst: 23,
      mainCall: 26,
      mainPrint: 27,
      loop: 12,
    },
    orderValue: "<Order 1>",
    pair: { expression: "(order.n, line)", value: "(2, 1)" },
    trueValue: "True",
    constructorName: "Order.__init__",
    moduleFrame: "<module>",
    endLine: /results \[0, 1, 3, 6\] calls \[1, 2, 3, 4\]/,
    editedEndLine: /results \[1000, 1001, 1003, 1006\] calls \[1, 2, 3, 4\]/,
    mainRestartedEndLine: /results \[0, 1, 3, 6\] calls \[1, 1, 2, 3, 4\]/,
  },
};

/** python3, and Node 20 (the version running the tests) and 26 (the newest extra major). */
const ROWS: Row[] = dapRuntimes().map((runtime) => ({ ...runtime, ...LANGUAGES[runtime.language] }));

const clients: DapClient[] = [];
after(() => {
  for (const client of clients) client.kill();
});

/** A fresh project holding `source` as the row's file, and a started client for it. */
async function start(row: Row, source: string): Promise<{ dap: DapClient; dir: string; path: string }> {
  const dir = makeProject({ [row.file]: source });
  const dap = new DapClient(dir);
  clients.push(dap);
  await dap.start();
  return { dap, dir, path: join(dir, row.file) };
}

/** Launch with breakpoints on `lines`, run, and resolve with the first stop. */
async function runToBreakpoint(
  dap: DapClient,
  path: string,
  row: Row,
  lines: number[],
): Promise<{ stop: DebugProtocol.StoppedEvent; breakpoints: DebugProtocol.Breakpoint[] }> {
  await dap.launch({ program: path, ...row.launch });
  const set = await dap.request(
    "setBreakpoints",
    dap.client.setBreakpointsRequest({ source: { path }, breakpoints: lines.map((line) => ({ line })) }),
  );
  const from = dap.mark();
  await dap.request("configurationDone", dap.client.configurationDoneRequest());
  const stop = await dap.stopped(from, "breakpoint");
  return { stop, breakpoints: set.body.breakpoints };
}

async function clearAndContinue(dap: DapClient, path: string, threadId: number): Promise<void> {
  await dap.request(
    "setBreakpoints",
    dap.client.setBreakpointsRequest({ source: { path }, breakpoints: [] }),
  );
  await dap.request("continue", dap.client.continueRequest({ threadId }));
}

/** Continue to the program's end: exit code 0, `stdout` matched, the session disconnected. */
async function continueToEnd(dap: DapClient, threadId: number, stdout: RegExp): Promise<void> {
  await dap.request("continue", dap.client.continueRequest({ threadId }));
  assert.equal(await exitCode(dap), 0);
  assert.match(dap.output("stdout"), stdout);
  await dap.stop();
}

async function exitCode(dap: DapClient): Promise<number> {
  const exited = await dap.event<DebugProtocol.ExitedEvent>("exited");
  await dap.event("terminated");
  return exited.body.exitCode;
}

for (const row of ROWS) {
  describe(`hotframe dap, ${row.name}`, { skip: row.skip }, () => {
    test("breakpoint, stack, scopes, variables, evaluate; an edit restarts the paused function; the program ends with the new code", async () => {
      const { dap, path } = await start(row, row.app);
      const { stop } = await runToBreakpoint(dap, path, row, [row.lines.computeFirst]);
      const threadId = stop.body.threadId as number;
      assert.deepEqual(stop.body.hitBreakpointIds?.length, 1);

      const trace = await dap.request("stackTrace", dap.client.stackTraceRequest({ threadId }));
      const [top, caller, module] = trace.body.stackFrames;
      assert.equal(trace.body.totalFrames, 3);
      assert.equal(top?.name, "compute");
      assert.equal(top?.line, row.lines.computeFirst);
      assert.equal(top?.source?.path, path);
      assert.equal(caller?.name, "main");
      assert.equal(module?.canRestart, false);
      const paged = await dap.request(
        "stackTrace",
        dap.client.stackTraceRequest({ threadId, startFrame: 1, levels: 1 }),
      );
      assert.deepEqual(
        paged.body.stackFrames.map((f) => f.name),
        ["main"],
      );
      assert.equal(paged.body.totalFrames, 3);

      const scopes = await dap.request("scopes", dap.client.scopesRequest({ frameId: top?.id as number }));
      const locals = scopes.body.scopes[0] as DebugProtocol.Scope;
      const variables = await dap.request(
        "variables",
        dap.client.variablesRequest({ variablesReference: locals.variablesReference }),
      );
      const order = variables.body.variables.find((v) => v.name === "order");
      assert.equal(order?.value, row.orderValue);
      const fields = await dap.request(
        "variables",
        dap.client.variablesRequest({ variablesReference: order?.variablesReference as number }),
      );
      assert.equal(fields.body.variables.find((v) => v.name === "n")?.value, "1");
      const lines = fields.body.variables.find((v) => v.name === "lines") as DebugProtocol.Variable;
      assert.equal(lines.indexedVariables, 1);
      const indexed = await dap.request(
        "variables",
        dap.client.variablesRequest({
          variablesReference: lines.variablesReference,
          filter: "indexed",
          start: 0,
          count: 1,
        }),
      );
      assert.deepEqual(
        indexed.body.variables.map((v) => [v.name, v.value]),
        [["0", "0"]],
      );

      const evaluated = await dap.request(
        "evaluate",
        dap.client.evaluateRequest({ expression: "order.n * 10", frameId: top?.id, context: "hover" }),
      );
      assert.equal(evaluated.body.result, "10");
      const completions = await dap.request(
        "completions",
        dap.client.completionsRequest({ text: "ord", column: 4, frameId: top?.id }),
      );
      assert.ok(completions.body.targets.some((t) => t.label === "order"));

      const from = dap.mark();
      writeFileSync(path, row.edited);
      const edit = await dap.event("hotframe/edit", () => true, from);
      assert.equal(edit.body.file, path);
      assert.equal(edit.body.outcome, "applied");
      assert.deepEqual(
        (edit.body.functions as { qualname: string; status: string }[]).map((f) => [f.qualname, f.status]),
        [["compute", "restarted"]],
      );
      const restarted = await dap.stopped(from, "restart");
      const after = await dap.top(restarted.body.threadId as number);
      assert.equal(after.name, "compute");
      assert.equal(after.line, row.lines.computeFirst);
      assert.match(dap.output("console"), /↻ app\.\w+\s+compute\(\) restarted with the new code/);
      // The restarted frame has its argument still.
      const same = await dap.request(
        "evaluate",
        dap.client.evaluateRequest({ expression: "order.n", frameId: after.id, context: "watch" }),
      );
      assert.equal(same.body.result, "1");

      await clearAndContinue(dap, path, threadId);
      assert.equal(await exitCode(dap), 0);
      const stdout = dap.output("stdout");
      assert.match(stdout, /computing 1\niteration 1 1000\n/);
      assert.match(stdout, row.editedEndLine);
      await dap.stop();
    });

    test('restartOnEdit "never": the pause stays, the frame says it runs old code, restartFrame runs the new', async () => {
      const { dap, path } = await start(row, row.app);
      await dap.launch({ program: path, ...row.launch, restartOnEdit: "never" });
      await dap.request(
        "setBreakpoints",
        dap.client.setBreakpointsRequest({
          source: { path },
          breakpoints: [{ line: row.lines.computeFirst }],
        }),
      );
      let from = dap.mark();
      await dap.request("configurationDone", dap.client.configurationDoneRequest());
      const stop = await dap.stopped(from, "breakpoint");
      const threadId = stop.body.threadId as number;
      from = dap.mark();
      writeFileSync(path, row.edited);
      const edit = await dap.event("hotframe/edit", () => true, from);
      assert.deepEqual(
        (edit.body.functions as { qualname: string; status: string }[]).map((f) => [f.qualname, f.status]),
        [["compute", "running-old"]],
      );
      await dap.outputMatching("console", /⚠ app\.\w+\s+compute\(\): \(frame 0\) still runs its old code/);
      const old = await dap.top(threadId);
      assert.equal(old.line, row.lines.computeFirst);
      assert.match(old.name, /^compute \(running old code/);

      await dap.request(
        "setBreakpoints",
        dap.client.setBreakpointsRequest({ source: { path }, breakpoints: [] }),
      );
      from = dap.mark();
      await dap.request("restartFrame", dap.client.restartFrameRequest({ frameId: old.id }));
      await dap.stopped(from, "restart");
      const restarted = await dap.top(threadId);
      assert.equal(restarted.name, "compute");
      await dap.request("continue", dap.client.continueRequest({ threadId }));
      assert.equal(await exitCode(dap), 0);
      assert.match(dap.output("stdout"), /computing 1\niteration 1 1000\n/);
      assert.match(dap.output("stdout"), row.editedEndLine);
      await dap.stop();
    });

    test("restartFrame restarts a deeper frame from its first line; a frame that cannot restart is refused", async () => {
      const { dap, path } = await start(row, row.app);
      const { stop } = await runToBreakpoint(dap, path, row, [row.lines.computeFirst]);
      const threadId = stop.body.threadId as number;
      const trace = await dap.request("stackTrace", dap.client.stackTraceRequest({ threadId }));
      const [, main, module] = trace.body.stackFrames as DebugProtocol.StackFrame[];
      assert.equal(main?.canRestart, true);
      assert.equal(module?.name, row.moduleFrame);

      const refused = await dap.refusal(
        "restartFrame of the module frame",
        dap.client.restartFrameRequest({ frameId: module?.id as number }),
      );
      assert.match(refused, /cannot be restarted/);
      // Nothing changed: still paused where it was.
      assert.equal((await dap.top(threadId)).line, row.lines.computeFirst);

      await dap.request(
        "setBreakpoints",
        dap.client.setBreakpointsRequest({ source: { path }, breakpoints: [] }),
      );
      const from = dap.mark();
      await dap.request("restartFrame", dap.client.restartFrameRequest({ frameId: main?.id as number }));
      const restarted = await dap.stopped(from, "restart");
      const top = await dap.top(restarted.body.threadId as number);
      assert.equal(top.name, "main");
      assert.equal(top.line, row.lines.mainFirst);

      await continueToEnd(dap, threadId, row.mainRestartedEndLine);
    });

    test("a syntax error saved while paused changes nothing and is shown; terminate ends the paused program", async () => {
      const { dap, path } = await start(row, row.app);
      const { stop } = await runToBreakpoint(dap, path, row, [row.lines.computeFirst]);
      const threadId = stop.body.threadId as number;
      const from = dap.mark();
      writeFileSync(path, row.broken);
      const edit = await dap.event("hotframe/edit", () => true, from);
      assert.equal(edit.body.outcome, "rejected");
      assert.equal((edit.body.error as { kind: string }).kind, "syntax");
      await dap.outputMatching("console", /✗ app\.\w+:\d+.*nothing changed/);
      // The pause stays, with its frame and values.
      assert.equal(dap.events.slice(from).filter((e) => e.event === "stopped").length, 0);
      const top = await dap.top(threadId);
      assert.equal(top.line, row.lines.computeFirst);
      const value = await dap.request(
        "evaluate",
        dap.client.evaluateRequest({ expression: "order.n", frameId: top.id, context: "repl" }),
      );
      assert.equal(value.body.result, "1");

      await dap.request("terminate", dap.client.terminateRequest());
      await dap.event("terminated");
      assert.notEqual((await dap.event<DebugProtocol.ExitedEvent>("exited")).body.exitCode, 0);
    });

    test("a breakpoint moved by an edit is told with its new line, and stops there", async () => {
      const { dap, path } = await start(row, row.app);
      const { stop, breakpoints } = await runToBreakpoint(dap, path, row, [
        row.lines.mainFirst,
        row.lines.computeReturn,
      ]);
      const threadId = stop.body.threadId as number;
      assert.equal((await dap.top(threadId)).line, row.lines.mainFirst);
      const moving = breakpoints[1]?.id;
      const from = dap.mark();
      writeFileSync(path, row.shifted);
      const moved = await dap.event<DebugProtocol.BreakpointEvent>(
        "breakpoint",
        (e) => e.body.breakpoint.id === moving,
        from,
      );
      assert.equal(moved.body.reason, "changed");
      assert.equal(moved.body.breakpoint.line, row.lines.computeReturnShifted);
      await dap.event("hotframe/edit", () => true, from);

      const next = dap.mark();
      await dap.request("continue", dap.client.continueRequest({ threadId }));
      const hit = await dap.stopped(next, "breakpoint");
      const top = await dap.top(hit.body.threadId as number);
      assert.equal(top.name, "compute");
      assert.equal(top.line, row.lines.computeReturnShifted);
      await clearAndContinue(dap, path, threadId);
      assert.equal(await exitCode(dap), 0);
      assert.match(dap.output("stdout"), row.endLine);
      await dap.stop();
    });

    test("pause interrupts the running program; disconnect ends it", async () => {
      const { dap, dir, path } = await start(row, row.busy);
      await dap.launch({ program: path, ...row.launch });
      await dap.request("configurationDone", dap.client.configurationDoneRequest());
      await dap.outputMatching("stdout", /running\n/);
      const from = dap.mark();
      await dap.request("pause", dap.client.pauseRequest({ threadId: 1 }));
      const paused = await dap.stopped(from, "pause");
      const top = await dap.top(paused.body.threadId as number);
      assert.equal(top.source?.path, path);
      const ticks = await dap.request(
        "evaluate",
        dap.client.evaluateRequest({ expression: "ticks >= 0", frameId: top.id, context: "watch" }),
      );
      assert.equal(ticks.body.result, row.trueValue);
      await dap.request("disconnect", dap.client.disconnectRequest({ terminateDebuggee: true }));
      await dap.event("exited");
      assert.equal(existsSync(join(dir, "done")), false);
    });

    test("an edit saved while the program runs is told and runs", async () => {
      const { dap, dir, path } = await start(row, row.looping);
      await dap.launch({ program: path, ...row.launch });
      await dap.request("configurationDone", dap.client.configurationDoneRequest());
      await dap.outputMatching("stdout", /running\n/);
      const from = dap.mark();
      writeFileSync(path, row.loopingEdited);
      const edit = await dap.event("hotframe/edit", () => true, from);
      assert.equal(edit.body.outcome, "applied");
      assert.deepEqual(
        (edit.body.functions as { qualname: string; status: string }[]).map((f) => [f.qualname, f.status]),
        [["greeting", "updated"]],
      );
      await dap.outputMatching("console", /✓ app\.\w+\s+greeting\(\) updated/);
      writeFileSync(join(dir, "stop"), "");
      assert.equal(await exitCode(dap), 0);
      assert.match(dap.output("stdout"), /running\nbye\n$/);
      await dap.stop();
    });

    test(
      "disconnect without terminateDebuggee leaves the program running",
      { skip: row.detaches ? false : `needs the ${row.name} agent's detach` },
      async () => {
        const { dap, dir, path } = await start(row, row.looping);
        const { stop } = await runToBreakpoint(dap, path, row, [row.lines.loop]);
        assert.equal(stop.body.reason, "breakpoint");
        await dap.request("disconnect", dap.client.disconnectRequest({ terminateDebuggee: false }));
        const done = join(dir, "done");
        const written = new Promise<void>((resolve, reject) => {
          const watcher = watch(dir, () => {
            // The file is made before it is written: wait for its text.
            if (!existsSync(done) || readFileSync(done, "utf8") === "") return;
            watcher.close();
            clearTimeout(timer);
            resolve();
          });
          const timer = setTimeout(
            () => reject(new Error("the program did not run on to its end")),
            BOUND_MS,
          );
        });
        writeFileSync(join(dir, "stop"), "");
        await written;
        assert.match(readFileSync(done, "utf8"), /ticks \d+/);
      },
    );

    test("conditional, hit-count, function and log-point breakpoints", async () => {
      const { dap, path } = await start(row, row.app);
      await dap.launch({ program: path, ...row.launch });
      await dap.request(
        "setBreakpoints",
        dap.client.setBreakpointsRequest({
          source: { path },
          breakpoints: [
            { line: row.lines.computeFirst, condition: "order.n == 3" },
            { line: row.lines.computeLoop, hitCondition: "3" },
            { line: row.lines.mainPrint, logMessage: "logged {i}" },
          ],
        }),
      );
      let from = dap.mark();
      await dap.request("configurationDone", dap.client.configurationDoneRequest());
      // The loop line's third hit: compute(Order(2)) at its second item.
      const hit = await dap.stopped(from, "breakpoint");
      const threadId = hit.body.threadId as number;
      assert.equal(await dap.evaluate(threadId, row.pair.expression), row.pair.value);
      assert.equal(
        dap
          .output("console")
          .match(/logged \d/g)
          ?.join(),
        "logged 1",
      );
      from = dap.mark();
      await dap.request("continue", dap.client.continueRequest({ threadId }));
      await dap.stopped(from, "breakpoint");
      assert.equal(await dap.evaluate(threadId, "order.n"), "3");
      assert.equal((await dap.top(threadId)).line, row.lines.computeFirst);
      assert.equal(
        dap
          .output("console")
          .match(/logged \d/g)
          ?.join(),
        "logged 1,logged 2",
      );

      await dap.request(
        "setBreakpoints",
        dap.client.setBreakpointsRequest({ source: { path }, breakpoints: [] }),
      );
      const functions = await dap.request(
        "setFunctionBreakpoints",
        dap.client.setFunctionBreakpointsRequest({ breakpoints: [{ name: "compute" }] }),
      );
      assert.equal(functions.body.breakpoints[0]?.verified, true);
      from = dap.mark();
      await dap.request("continue", dap.client.continueRequest({ threadId }));
      await dap.stopped(from, "function breakpoint");
      assert.equal(await dap.evaluate(threadId, "order.n"), "4");
      await dap.request(
        "setFunctionBreakpoints",
        dap.client.setFunctionBreakpointsRequest({ breakpoints: [] }),
      );
      await continueToEnd(dap, threadId, row.endLine);
    });

    test("breakpointLocations lists compute()'s lines with code; loadedSources and the loadedSource event name the program", async () => {
      const { dap, path } = await start(row, row.app);
      const capabilities = await dap.launch({ program: path, ...row.launch, stopOnEntry: true });
      assert.equal(capabilities.body?.supportsBreakpointLocationsRequest, true);
      const { lines } = row;
      const located = await dap.request(
        "breakpointLocations",
        dap.client.customRequest("breakpointLocations", {
          source: { path },
          line: lines.computeFirst,
          endLine: lines.computeReturn + 2,
        }) as Promise<DebugProtocol.BreakpointLocationsResponse>,
      );
      const found = located.body.breakpoints.map((b) => b.line);
      for (const line of [lines.computeFirst, lines.computeSecond, lines.computeLoop, lines.computeReturn])
        assert.ok(found.includes(line), `line ${line} in ${found.join()}`);
      assert.ok(
        !found.includes(lines.computeReturn + 2),
        `the blank line after compute() in ${found.join()}`,
      );
      const one = await dap.request(
        "breakpointLocations",
        dap.client.customRequest("breakpointLocations", {
          source: { path },
          line: lines.computeReturn + 2,
        }) as Promise<DebugProtocol.BreakpointLocationsResponse>,
      );
      assert.deepEqual(one.body.breakpoints, []);
      await dap.event<DebugProtocol.LoadedSourceEvent>("loadedSource", (e) => e.body.source.path === path);
      const sources = await dap.request(
        "loadedSources",
        dap.client.customRequest("loadedSources") as Promise<DebugProtocol.LoadedSourcesResponse>,
      );
      assert.deepEqual(
        sources.body.sources.map((s) => s.path),
        [path],
      );
      const from = dap.mark();
      await dap.request("configurationDone", dap.client.configurationDoneRequest());
      const entry = await dap.stopped(from, "entry");
      await continueToEnd(dap, entry.body.threadId as number, row.endLine);
    });

    test("stepping, setVariable, threads and loaded sources", async () => {
      const { dap, path } = await start(row, row.app);
      const { stop } = await runToBreakpoint(dap, path, row, [row.lines.mainCall]);
      const threadId = stop.body.threadId as number;
      const threads = await dap.request("threads", dap.client.threadsRequest());
      assert.deepEqual(
        threads.body.threads.map((t) => t.id),
        [threadId],
      );
      const sources = await dap.request(
        "loadedSources",
        dap.client.customRequest("loadedSources") as Promise<DebugProtocol.LoadedSourcesResponse>,
      );
      assert.ok(sources.body.sources.some((s) => s.path === path));

      let from = dap.mark();
      await dap.request("stepIn", dap.client.stepInRequest({ threadId }));
      await dap.stopped(from, "step");
      assert.equal((await dap.top(threadId)).name, row.constructorName);

      await dap.request(
        "setBreakpoints",
        dap.client.setBreakpointsRequest({
          source: { path },
          breakpoints: [{ line: row.lines.computeFirst }],
        }),
      );
      from = dap.mark();
      await dap.request("continue", dap.client.continueRequest({ threadId }));
      await dap.stopped(from, "breakpoint");
      from = dap.mark();
      await dap.request("next", dap.client.nextRequest({ threadId }));
      await dap.stopped(from, "step");
      const top = await dap.top(threadId);
      assert.equal(top.line, row.lines.computeSecond);

      // The scope that holds compute()'s `total` (Node 20 shows the loop's block scope first).
      const scopes = await dap.request("scopes", dap.client.scopesRequest({ frameId: top.id }));
      let locals: DebugProtocol.Scope | undefined;
      for (const scope of scopes.body.scopes) {
        const names = await dap.request(
          "variables",
          dap.client.variablesRequest({ variablesReference: scope.variablesReference }),
        );
        if (names.body.variables.some((v) => v.name === "total")) {
          locals = scope;
          break;
        }
      }
      const set = await dap.request(
        "setVariable",
        dap.client.setVariableRequest({
          variablesReference: (locals as DebugProtocol.Scope).variablesReference,
          name: "total",
          value: "50 * 2",
        }),
      );
      assert.equal(set.body.value, "100");

      from = dap.mark();
      await dap.request("stepOut", dap.client.stepOutRequest({ threadId }));
      await dap.stopped(from, "step");
      assert.equal((await dap.top(threadId)).name, "main");
      await clearAndContinue(dap, path, threadId);
      assert.equal(await exitCode(dap), 0);
      assert.match(dap.output("stdout"), /iteration 1 100\n/);
      await dap.stop();
    });

    test("--port serves on 127.0.0.1; stopOnEntry; stdout and stderr as output events; the exit code", async () => {
      const dir = makeProject({ [row.file]: row.exitsWith3 });
      const server = new ObservedProcess(
        spawn(process.execPath, [CLI, "dap", "--port", "0"], { cwd: dir, stdio: ["ignore", "pipe", "pipe"] }),
      );
      const listening = await server.stderrLine(/^hotframe dap: listening on /);
      const [, host, port] = /listening on ([\d.]+):(\d+) \(loopback only/.exec(listening) ?? [];
      assert.equal(host, "127.0.0.1");
      const dap = new DapClient(dir);
      clients.push(dap);
      await dap.start(Number(port));
      const entry = row.runsModules
        ? { module: row.file.replace(/\.\w+$/, ""), cwd: dir }
        : { program: join(dir, row.file) };
      await dap.launch({ ...entry, ...row.launch, stopOnEntry: true });
      const from = dap.mark();
      await dap.request("configurationDone", dap.client.configurationDoneRequest());
      const stop = await dap.stopped(from, "entry");
      await dap.request("continue", dap.client.continueRequest({ threadId: stop.body.threadId as number }));
      assert.equal(await exitCode(dap), 3);
      assert.equal(dap.output("stdout"), "out\n");
      assert.equal(dap.output("stderr"), "err\n");
      assert.match(dap.output("console"), /the program exited with code 3/);
      await dap.stop();
      server.child.kill();
      await server.exited;
    });
  });
}

describe("hotframe dap, requests and launch arguments", () => {
  test("capabilities are stated; bad launch arguments and unsupported requests get error responses", async () => {
    const row = ROWS[0] as Row;
    const { dap, path } = await start(row, row.app);
    const capabilities = await dap.request("initialize", dap.client.initializeRequest());
    assert.equal(capabilities.body?.supportsRestartFrame, true);
    assert.deepEqual(
      capabilities.body?.exceptionBreakpointFilters?.map((f) => [f.filter, f.default]),
      [
        ["uncaught", true],
        ["raised", false],
      ],
    );
    const launch = (args: Record<string, unknown>) =>
      dap.refusal("launch", dap.client.launchRequest(args as DebugProtocol.LaunchRequestArguments));
    assert.match(
      await launch({ program: path, restartOnEdit: "sideways" }),
      /"restartOnEdit" takes "top", "deepest", "never", not "sideways"/,
    );
    assert.match(await launch({ program: join(path, "..", "missing.py") }), /missing\.py: no such file/);
    assert.match(await launch({ program: path, runtime: "node" }), /node runtime does not run/);
    assert.match(
      await launch({ program: path, python: "/nowhere/python3" }),
      /cannot start \/nowhere\/python3: not found \(set "python" in the launch configuration\)/,
    );
    assert.match(
      await dap.refusal("stepBack", dap.client.stepBackRequest({ threadId: 1 })),
      /does not support the "stepBack" request/,
    );
    for (const [command, args] of [
      ["goto", { threadId: 1, targetId: 1 }],
      ["readMemory", { memoryReference: "0x0", count: 8 }],
      ["setExpression", { expression: "x", value: "1" }],
      ["dataBreakpointInfo", { name: "x" }],
      ["disassemble", { memoryReference: "0x0", instructionCount: 1 }],
      ["restart", {}],
    ] as const)
      assert.match(
        await dap.refusal(command, dap.client.customRequest(command, args)),
        new RegExp(`does not support the "${command}" request`),
      );
  });
});
