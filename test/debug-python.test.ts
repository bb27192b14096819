import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { DebugRun, lineOf, type Paused } from "./helpers/debug-run.js";
import { PYTHON_APP, PYTHON_APP_EDITED } from "./helpers/debug-programs.js";
import { type EditEvent, makeProject } from "./helpers/hotframe.js";
import { pythons } from "./helpers/python-agent.js";

async function pausedInCompute(python?: string): Promise<{ run: DebugRun; app: string; paused: Paused }> {
  const dir = makeProject({ "app.py": PYTHON_APP });
  const run = new DebugRun(dir, [...(python ? ["--python", python] : []), "app.py"]);
  const entry = await run.paused(0);
  assert.equal(entry.reason, "entry");
  assert.deepEqual(
    entry.frames.map((f) => [f.function, f.line]),
    [["<module>", 1]],
  );
  run.send("break compute if order.n == 3");
  const paused = await run.pausedAfter("continue");
  return { run, app: join(dir, "app.py"), paused };
}

for (const { version, path } of pythons().filter((p) =>
  ["3.10", "3.11", "3.12", "3.13"].includes(p.version),
)) {
  test(`Python ${version}: compute() edited while paused in it restarts at its new first line; the loop goes on`, async () => {
    const { run, app, paused } = await pausedInCompute(path);
    assert.equal(paused.reason, "breakpoint");
    assert.deepEqual(paused.breakpoints, [1]);
    assert.deepEqual(
      paused.frames.map((f) => [f.function, f.line]),
      [
        ["compute", lineOf(PYTHON_APP, "total = 0")],
        ["main", lineOf(PYTHON_APP, "results.append")],
        ["<module>", lineOf(PYTHON_APP, "main()\n") || PYTHON_APP.split("\n").length - 1],
      ],
    );
    await run.stdoutLine(/^iteration 2 1$/);

    const mark = run.mark();
    const edit = run.nextEdit();
    writeFileSync(app, PYTHON_APP_EDITED);
    const restarted = await run.restarted(mark);
    assert.equal(restarted.function, "compute");
    assert.equal(restarted.afterEdit, app);
    assert.equal(
      restarted.line,
      lineOf(PYTHON_APP_EDITED, 'print("computing"'),
      "paused at the new first line",
    );
    const outcome = (await edit) as EditEvent;
    assert.deepEqual(
      outcome.functions.map((f) => [f.qualname, f.status]),
      [["compute", "restarted"]],
    );
    await run.stderrLine(
      new RegExp(
        `^↻ app\\.py {2}compute\\(\\) restarted with the new code, paused at app\\.py:${restarted.line} \\(its first line\\)$`,
      ),
    );
    await run.stderrLine(
      new RegExp(`^ ▶ ${restarted.line} │ {5}print\\("computing", order\\.n, flush=True\\)$`),
    );

    // The restarted call has the original argument; nothing outside compute() changed.
    assert.equal(await run.answer("p order", /./), "<Order 3>");
    assert.equal(await run.answer("p calls", /./), "[1, 2, 3]");
    run.send("clear 1");
    run.send("continue");
    await run.stdoutLine(/^computing 3$/);
    await run.stdoutLine(/^iteration 3 1003$/);
    await run.stdoutLine(/^iteration 4 1006$/);
    await run.stdoutLine(/^results \[0, 1, 1003, 1006\] calls \[1, 2, 3, 4\]$/);
    const exit = await run.ended();
    assert.equal(exit.code, 0);
    assert.equal(run.stdout.filter((l) => l.startsWith("iteration 3")).length, 1, "iteration 3 ran once");
  });
}

test("a conditional breakpoint, next, step, return, and an expression that raises", async () => {
  const { run, paused } = await pausedInCompute();
  assert.equal(paused.frames[0]?.function, "compute");
  assert.match(await run.answer("where", /^→ #0/), /^→ #0 compute\(order=<Order 3>\) at app\.py:\d+$/);
  assert.match(await run.answer("p 1/0", /./), /^\*\*\* ZeroDivisionError: division by zero$/);
  assert.match(await run.answer("contnue", /./), /did you mean continue\?/);

  const next = await run.pausedAfter("next");
  assert.equal(next.reason, "step");
  assert.deepEqual(
    [next.frames[0]?.function, next.frames[0]?.line],
    ["compute", lineOf(PYTHON_APP, "for line in order.lines")],
  );
  const repeated = await run.pausedAfter(""); // an empty line repeats `next`
  assert.equal(repeated.frames[0]?.line, lineOf(PYTHON_APP, "total += line"));
  assert.equal(await run.answer("p total", /./), "0");

  const out = await run.pausedAfter("return");
  assert.deepEqual(
    [out.frames[0]?.function, out.frames[0]?.line, out.frames.length],
    ["main", lineOf(PYTHON_APP, 'print("iteration"'), 2],
  );
  assert.equal((await run.pausedAfter("next")).frames[0]?.line, lineOf(PYTHON_APP, "for i in range"));
  await run.pausedAfter("");
  assert.equal((await run.pausedAfter("")).frames[0]?.line, lineOf(PYTHON_APP, "results.append"));
  const into = await run.pausedAfter("step");
  assert.deepEqual(
    into.frames.map((f) => f.function),
    ["Order.__init__", "main", "<module>"],
    "step goes into the call",
  );
  assert.equal(await run.answer("p n", /./), "4");

  run.send("clear");
  run.send("continue");
  await run.stdoutLine(/^results \[0, 1, 3, 6\] calls \[1, 2, 3, 4\]$/, 0);
  assert.equal((await run.ended()).code, 0);
});

test("a syntax error saved while paused changes nothing and says file:line:col; the fix restarts", async () => {
  const { run, app, paused } = await pausedInCompute();
  const broken = PYTHON_APP.replace("    total = 0\n", "    total = (0\n");
  const rejected = run.nextEdit();
  writeFileSync(app, broken);
  const event = await rejected;
  assert.equal(event.outcome, "rejected");
  assert.equal(event.error?.kind, "syntax");
  assert.equal(event.error?.line, lineOf(broken, "total = (0"));
  await run.stderrLine(new RegExp(`^✗ app\\.py:${event.error?.line}:\\d+ {2}SyntaxError: .*nothing changed`));
  // The pause stays where it was.
  assert.match(
    await run.answer("where", /^→ #0/),
    new RegExp(`compute\\(order=<Order 3>\\) at app\\.py:${paused.frames[0]?.line}$`),
  );

  const mark = run.mark();
  writeFileSync(app, PYTHON_APP_EDITED);
  const restarted = await run.restarted(mark);
  assert.equal(restarted.line, lineOf(PYTHON_APP_EDITED, 'print("computing"'));
  run.send("clear 1");
  run.send("continue");
  await run.stdoutLine(/^results \[0, 1, 1003, 1006\] calls \[1, 2, 3, 4\]$/);
  assert.equal((await run.ended()).code, 0);
});

test("an edit of a deeper frame says so; `restart 1` restarts it with the new code", async () => {
  const { run, app } = await pausedInCompute();
  const edited = PYTHON_APP.replace("        calls.append(i)\n", "        calls.append(i * 10)\n");
  const edit = run.nextEdit();
  writeFileSync(app, edited);
  const event = await edit;
  const main = event.functions.find((f) => f.qualname === "main");
  assert.equal(main?.status, "running-old");
  assert.equal(main?.reason, "(frame 1) still runs its old code — `restart 1` restarts it");
  await run.stderrLine(
    /^⚠ app\.py {2}main\(\): \(frame 1\) still runs its old code — `restart 1` restarts it$/,
  );
  assert.equal(readFileSync(app, "utf8"), edited);

  const mark = run.mark();
  run.send("clear 1");
  run.send("restart 1");
  const restarted = await run.restarted(mark);
  assert.equal(restarted.function, "main");
  assert.equal(restarted.afterEdit, undefined);
  assert.equal(restarted.line, lineOf(edited, "results = []"));
  run.send("continue");
  // main() ran again from its start with the new code; what the old one appended stays.
  await run.stdoutLine(/^results \[0, 1, 3, 6\] calls \[1, 2, 3, 10, 20, 30, 40\]$/);
  assert.equal((await run.ended()).code, 0);
});

test("quit ends the program and the debugger", async () => {
  const { run } = await pausedInCompute();
  run.send("quit");
  const exit = await run.ended();
  assert.equal(exit.code, 0);
  assert.ok(!run.stdout.some((l) => l.startsWith("results")), "the program did not run on");
  assert.equal(run.events.at(-1)?.type, "exit");
});

test("quit ends the program as pdb does: its finally blocks and atexit run; one that swallows SystemExit is killed", async () => {
  const source = `import atexit

atexit.register(lambda: print("atexit ran", flush=True))


def compute(n):
    return n * 2


def main():
    try:
        for i in range(3):
            print("got", compute(i), flush=True)
    finally:
        print("cleanup", flush=True)
    print("done", flush=True)


main()
`;
  const run = new DebugRun(makeProject({ "app.py": source }), ["app.py"]);
  await run.paused(0);
  run.send("break compute");
  await run.pausedAfter("continue");
  run.send("quit");
  assert.equal((await run.ended()).code, 0);
  assert.deepEqual(run.stdout, ["cleanup", "atexit ran"]);

  const stubborn = `def compute(n):
    return n * 2


while True:
    try:
        compute(1)
    except BaseException as e:
        print("swallowed", type(e).__name__, flush=True)
`;
  const killed = new DebugRun(makeProject({ "app.py": stubborn }), ["app.py"]);
  await killed.paused(0);
  killed.send("break compute");
  await killed.pausedAfter("continue");
  killed.send("quit");
  assert.equal((await killed.ended()).code, 0);
  assert.deepEqual(killed.stdout, ["swallowed SystemExit"]);
});

test("a breakpoint in a file not loaded yet is pending until it loads; a line without code moves", async () => {
  const dir = makeProject({
    "app.py": "def main():\n    import helper\n    print(helper.twice(21), flush=True)\n\n\nmain()\n",
    "helper.py": "def twice(x):\n\n    return x * 2\n",
  });
  const run = new DebugRun(dir, ["app.py"]);
  await run.paused(0);
  assert.match(
    await run.answer("break helper.py:2", /^breakpoint 1/),
    /pending: the program has not loaded helper\.py yet/,
  );
  const paused = await run.pausedAfter("continue");
  assert.deepEqual(
    [paused.frames[0]?.function, paused.frames[0]?.line, paused.breakpoints],
    ["twice", 3, [1]],
  );
  const changes = run.events
    .filter((e) => e.type === "breakpoint")
    .map((e) => e.type === "breakpoint" && [e.change, e.state, e.line]);
  assert.deepEqual(changes, [
    ["set", "pending", undefined],
    ["changed", "moved", 3],
  ]);
  await run.stderrLine(/^breakpoint 1 at helper\.py:3, line 2 has no code: moved to line 3$/);
  run.send("continue");
  await run.stdoutLine(/^42$/);
  assert.equal((await run.ended()).code, 0);
});

test("SIGINT while the program runs pauses it where it is", async () => {
  const dir = makeProject({
    "app.py": 'count = 0\nprint("running", flush=True)\nwhile True:\n    count += 1\n',
  });
  const run = new DebugRun(dir, ["--continue", "app.py"]);
  await run.stdoutLine(/^running$/);
  const mark = run.mark();
  run.child.kill("SIGINT");
  const paused = await run.paused(mark);
  assert.equal(paused.reason, "pause");
  assert.equal(paused.frames[0]?.function, "<module>");
  assert.ok(Number(await run.answer("p count", /^\d+$/)) >= 0);
  run.send("quit");
  assert.equal((await run.ended()).code, 0);
});

test("a generator and a coroutine edited while paused in them restart with the new code", async () => {
  const source = `import asyncio


def numbers(n):
    for i in range(n):
        yield i


async def fetch(x):
    await asyncio.sleep(0)
    return x + 1


async def main():
    print("gen", list(numbers(3)), flush=True)
    print("co", await fetch(1), flush=True)


asyncio.run(main())
`;
  const dir = makeProject({ "app.py": source });
  const app = join(dir, "app.py");
  const run = new DebugRun(dir, ["app.py"]);
  await run.paused(0);
  run.send("break numbers");
  run.send("break fetch");
  assert.equal((await run.pausedAfter("continue")).frames[0]?.function, "numbers");
  let mark = run.mark();
  const generatorEdited = source.replace("        yield i\n", "        yield i * 10\n");
  writeFileSync(app, generatorEdited);
  assert.equal((await run.restarted(mark)).function, "numbers");
  run.send("clear 1");
  const inCoroutine = await run.pausedAfter("continue");
  assert.equal(inCoroutine.frames[0]?.function, "fetch", run.output.stderr);
  await run.stdoutLine(/^gen \[0, 10, 20\]$/);
  mark = run.mark();
  writeFileSync(app, generatorEdited.replace("    return x + 1\n", "    return x + 100\n"));
  assert.equal((await run.restarted(mark)).function, "fetch");
  run.send("continue");
  await run.stdoutLine(/^co 101$/);
  assert.equal((await run.ended()).code, 0);
});

for (const { version, path } of pythons().filter((p) =>
  ["3.10", "3.11", "3.12", "3.13"].includes(p.version),
)) {
  test(`Python ${version}: with breakpoints set, the program runs without a trace function`, async () => {
    const dir = makeProject({
      "app.py": `import sys


def unused():
    return 1


def work():
    total = 0
    for i in range(3):
        total += i
    return total


def main():
    print("traced", sys.gettrace() is not None, flush=True)
    print("work", work(), flush=True)
    print("traced", sys.gettrace() is not None, flush=True)


main()
`,
    });
    const run = new DebugRun(dir, ["--python", path, "app.py"]);
    await run.paused(0);
    run.send("break unused");
    run.send("break work");
    const atWork = await run.pausedAfter("continue");
    assert.deepEqual(
      [atWork.frames[0]?.function, atWork.frames[0]?.line, atWork.breakpoints],
      ["work", 9, [2]],
    );
    await run.stdoutLine(/^traced False$/);
    assert.equal((await run.pausedAfter("next")).frames[0]?.line, 10);
    run.send("continue");
    await run.stdoutLine(/^work 3$/);
    const end = await run.ended();
    assert.deepEqual(
      run.stdout.filter((l) => l.startsWith("traced")),
      ["traced False", "traced False"],
    );
    assert.equal(end.code, 0);
  });
}

for (const { version, path } of pythons().filter((p) =>
  ["3.10", "3.11", "3.12", "3.13"].includes(p.version),
)) {
  test(`Python ${version}: a line breakpoint set while paused in the same function stops in the running call`, async () => {
    const dir = makeProject({ "app.py": PYTHON_APP });
    const run = new DebugRun(dir, ["--python", path, "app.py"]);
    await run.paused(0);
    run.send("break compute");
    const first = await run.pausedAfter("continue");
    assert.deepEqual(
      [first.frames[0]?.function, first.frames[0]?.line],
      ["compute", lineOf(PYTHON_APP, "total = 0")],
    );
    const line = lineOf(PYTHON_APP, "return total");
    run.send(`break app.py:${line}`);
    const again = await run.pausedAfter("continue");
    assert.deepEqual(
      [again.reason, again.frames[0]?.function, again.frames[0]?.line],
      ["breakpoint", "compute", line],
    );
    assert.deepEqual(again.breakpoints, [2]);
    assert.equal(await run.answer("p order", /./), "<Order 1>", "the call that was paused, not the next one");
    assert.equal(run.stdout.filter((l) => l.startsWith("iteration")).length, 0);
    run.send("clear");
    run.send("continue");
    await run.stdoutLine(/^results \[0, 1, 3, 6\] calls \[1, 2, 3, 4\]$/);
    assert.equal((await run.ended()).code, 0);
  });
}

test("a breakpoint moves with its line of code when an edit moves the line", async () => {
  const dir = makeProject({ "app.py": PYTHON_APP });
  const app = join(dir, "app.py");
  const run = new DebugRun(dir, ["app.py"]);
  await run.paused(0);
  const line = lineOf(PYTHON_APP, "total += line");
  run.send(`break app.py:${line}`);
  assert.equal((await run.pausedAfter("continue")).frames[0]?.line, line);
  const moved = PYTHON_APP.replace(
    "def compute(order):\n",
    "# two new lines\n# above compute()\ndef compute(order):\n",
  );
  const mark = run.mark();
  writeFileSync(app, moved);
  const change = await run.event((e) => e.type === "breakpoint" && e.change === "changed", mark);
  assert.deepEqual(change.type === "breakpoint" && [change.state, change.line], ["moved", line + 2]);
  await run.stderrLine(
    new RegExp(
      `^breakpoint 1 at app\\.py:${line + 2}, moved with its line of code, from line ${line} to ${line + 2}$`,
    ),
  );
  const again = await run.pausedAfter("continue");
  assert.deepEqual([again.frames[0]?.function, again.frames[0]?.line], ["compute", line + 2]);
  run.send("clear");
  run.send("continue");
  await run.stdoutLine(/^results \[0, 1, 3, 6\] calls \[1, 2, 3, 4\]$/);
  assert.equal((await run.ended()).code, 0);
});

test("--script with -m: tbreak, ignore, condition, disable, display; the program keeps its stdin", async () => {
  const dir = makeProject({
    "pkg/__init__.py": "",
    "pkg/mod.py": `import sys


def square(n):
    result = n * n
    return result


for line in sys.stdin:
    print("square", square(int(line)), flush=True)
`,
    "commands.txt": [
      "tbreak pkg/mod.py:5",
      "break square",
      "ignore 2 1",
      "continue",
      "display n",
      "continue",
      "condition 2 n == 4",
      "continue",
      "disable 2",
      "break",
      "continue",
      "",
    ].join("\n"),
  });
  const run = new DebugRun(dir, ["--script", "commands.txt", "-m", "pkg.mod"]);
  for (const n of [1, 2, 3, 4, 5]) run.write(`${n}\n`);
  run.child.stdin?.end();
  await run.stdoutLine(/^square 25$/);
  assert.equal((await run.ended()).code, 0);
  const stops = run.events.flatMap((e) =>
    e.type === "paused" ? [[e.reason, e.frames[0]?.line, e.breakpoints]] : [],
  );
  assert.deepEqual(stops, [
    ["entry", 1, []],
    ["breakpoint", 5, [1]], // the temporary one, at the first call (breakpoint 2 ignores that hit)
    ["breakpoint", 5, [2]], // n == 2
    ["breakpoint", 5, [2]], // n == 4: the condition
  ]);
  await run.stderrLine(/^display n: 2$/);
  await run.stderrLine(/^display n: 4$/);
  await run.stderrLine(/^breakpoint 2 at square \(pkg\/mod\.py:5\), disabled, if n == 4$/);
  assert.deepEqual(
    run.stdout.filter((l) => l.startsWith("square")),
    ["square 1", "square 4", "square 9", "square 16", "square 25"],
  );
});

test("a debuggee killed while paused: hotframe says so and leaves as the program did", async () => {
  const { run } = await pausedInCompute();
  const started = run.events.find((e) => e.type === "started");
  assert.ok(started?.type === "started");
  process.kill(started.pid, "SIGKILL");
  const exit = await run.ended();
  assert.equal(exit.signal, "SIGKILL");
  await run.stderrLine(/^the program exited \(SIGKILL\)$/);
});

test("threads lists every Python thread; thread N names a running one, and one that does not exist", async () => {
  const source = `import threading

started = threading.Event()
finish = threading.Event()


def serve():
    started.set()
    finish.wait()


def compute(n):
    return n * 2


worker = threading.Thread(target=serve, name="server")
worker.start()
started.wait()
print(compute(21), flush=True)
finish.set()
worker.join()
`;
  const run = new DebugRun(makeProject({ "app.py": source }), ["app.py"]);
  await run.paused(0);
  run.send("break compute");
  const paused = await run.pausedAfter("continue");
  const mark = run.stderr.length;
  await run.answer("threads", /server \(running\)$/);
  const server = run.stderr.slice(mark).find((l) => / server \(running\)$/.test(l)) as string;
  const id = Number(/thread (\d+) /.exec(server)?.[1]);
  assert.match(
    await run.answer(`thread ${id}`, /./),
    new RegExp(`^\\*\\*\\* thread ${id} is running: only thread ${paused.thread.id} is paused$`),
  );
  assert.match(
    await run.answer("thread 999999", /./),
    /^\*\*\* there is no thread 999999: `threads` lists them$/,
  );
  run.send("clear");
  run.send("continue");
  await run.stdoutLine(/^42$/);
  assert.equal((await run.ended()).code, 0);
});
