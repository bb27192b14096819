import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync, renameSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { type EditEvent, HotframeRun, makeProject } from "./helpers/hotframe.js";

/** A program that answers one line per line of input, so tests drive it without timing. */
const ANSWERER = `import sys


def compute(n):
    return n + 1


def answer(line):
    return f"result {compute(int(line))}"


for line in sys.stdin:
    print(answer(line), flush=True)
`;

async function ask(run: HotframeRun, n: number): Promise<string> {
  const from = run.stdout.length;
  run.write(`${n}\n`);
  return run.stdoutLine(/^result /, from);
}

async function edit(run: HotframeRun, path: string, text: string | Buffer): Promise<EditEvent> {
  const next = run.nextEdit();
  writeFileSync(path, text);
  return next;
}

test("a saved change is patched into the running program and reported per function", async () => {
  const dir = makeProject({ "app.py": ANSWERER });
  const app = join(dir, "app.py");
  const run = new HotframeRun(dir, ["app.py"]);
  const started = await run.started();
  assert.equal(started.type === "started" && started.runtime, "python");
  assert.equal(await ask(run, 1), "result 2");

  const event = await edit(run, app, ANSWERER.replace("return n + 1", "return n * 10"));
  assert.equal(event.outcome, "applied");
  assert.equal(event.file, app);
  assert.deepEqual(
    event.functions.map((f) => [f.qualname, f.status]),
    [["compute", "updated"]],
  );
  assert.ok(event.durationMs > 0 && event.durationMs < 5000, `durationMs ${event.durationMs}`);
  assert.equal(await ask(run, 2), "result 20");
  await run.stderrLine(/^✓ app\.py {2}compute\(\) updated {2}\(\d+\.\d ms\)$/);

  run.child.stdin?.end();
  const exit = await run.exited;
  assert.equal(exit.code, 0);
  assert.deepEqual(run.events.at(-1) && { ...run.events.at(-1), time: "" }, {
    type: "exit",
    code: 0,
    signal: null,
    time: "",
  });
});

test("a syntax error changes nothing and says file:line:col", async () => {
  const dir = makeProject({ "app.py": ANSWERER });
  const app = join(dir, "app.py");
  const run = new HotframeRun(dir, ["app.py"]);
  assert.equal(await ask(run, 1), "result 2");
  const broken = ANSWERER.replace("return n + 1", "return (n + 100");
  const event = await edit(run, app, broken);
  assert.equal(event.outcome, "rejected");
  assert.equal(event.error?.kind, "syntax");
  assert.equal(event.error?.line, 5);
  assert.equal(event.error?.column, 12);
  assert.match(event.error?.message ?? "", /never closed/);
  await run.stderrLine(/^✗ app\.py:5:12 {2}SyntaxError: .*never closed.*nothing changed/);
  assert.equal(await ask(run, 1), "result 2", "the previous code keeps running");
  // Fixing the file afterwards applies the fix.
  const fixed = await edit(run, app, ANSWERER.replace("return n + 1", "return n + 100"));
  assert.equal(fixed.outcome, "applied", JSON.stringify(fixed));
  assert.equal(await ask(run, 1), "result 101");
  run.child.stdin?.end();
  assert.equal((await run.exited).code, 0);
});

test("a file that is not UTF-8 is refused with its line and column", async () => {
  const dir = makeProject({ "app.py": ANSWERER });
  const app = join(dir, "app.py");
  const run = new HotframeRun(dir, ["app.py"]);
  assert.equal(await ask(run, 1), "result 2");
  const [head, tail] = ANSWERER.replace("return n + 1", "return n + 1  # caf\u0000").split("\u0000") as [
    string,
    string,
  ];
  // A Latin-1 "é" in the middle of the file, at the end of line 5's comment.
  const bad = Buffer.concat([Buffer.from(head), Buffer.from([0xe9]), Buffer.from(tail)]);
  // The invalid byte sits at the end of line 5.
  const event = await edit(run, app, bad);
  assert.equal(event.outcome, "rejected");
  assert.equal(event.error?.code, "not-utf8");
  assert.match(event.error?.message ?? "", /not valid UTF-8/);
  assert.equal(event.error?.line, 5);
  assert.equal(event.error?.column, "    return n + 1  # caf".length + 1);
  assert.equal(await ask(run, 1), "result 2");
  run.child.stdin?.end();
  await run.exited;
});

test("an emptied file (a save caught half-way, or everything deleted) removes nothing", async () => {
  const dir = makeProject({ "app.py": ANSWERER });
  const app = join(dir, "app.py");
  const run = new HotframeRun(dir, ["app.py"]);
  assert.equal(await ask(run, 1), "result 2");
  const event = await edit(run, app, "");
  assert.equal(event.outcome, "rejected");
  assert.match(event.error?.message ?? "", /the file is empty/);
  assert.deepEqual(event.functions, []);
  assert.equal(await ask(run, 1), "result 2", "every function is still there");
  const fixed = await edit(run, app, ANSWERER.replace("n + 1", "n + 5"));
  assert.equal(fixed.outcome, "applied", JSON.stringify(fixed));
  assert.equal(await ask(run, 1), "result 6");
  run.child.stdin?.end();
  assert.equal((await run.exited).code, 0);
});

test("a deleted file is reported and the program keeps its code", async () => {
  const dir = makeProject({ "app.py": ANSWERER });
  const app = join(dir, "app.py");
  const run = new HotframeRun(dir, ["app.py"]);
  assert.equal(await ask(run, 1), "result 2");
  const next = run.nextEdit();
  unlinkSync(app);
  const event = await next;
  assert.equal(event.outcome, "rejected");
  assert.equal(event.error?.code, "file-gone");
  assert.match(event.error?.message ?? "", /deleted/);
  assert.equal(await ask(run, 1), "result 2");
  run.child.stdin?.end();
  assert.equal((await run.exited).code, 0);
});

test("an editor's atomic save (write a temp file, rename it over) is patched", async () => {
  const dir = makeProject({ "app.py": ANSWERER });
  const app = join(dir, "app.py");
  const run = new HotframeRun(dir, ["app.py"]);
  assert.equal(await ask(run, 1), "result 2");
  for (const factor of [3, 4]) {
    const next = run.nextEdit();
    const temp = join(dir, `.app.py.${factor}.swp`);
    writeFileSync(temp, ANSWERER.replace("return n + 1", `return n * ${factor}`));
    renameSync(temp, app);
    const event = await next;
    assert.equal(event.outcome, "applied", JSON.stringify(event));
    assert.equal(await ask(run, 2), `result ${2 * factor}`, `after atomic save #${factor}`);
  }
  run.child.stdin?.end();
  await run.exited;
});

test("a burst of saves ends with the last content live", async () => {
  const dir = makeProject({ "app.py": ANSWERER });
  const app = join(dir, "app.py");
  const run = new HotframeRun(dir, ["app.py"]);
  assert.equal(await ask(run, 1), "result 2");
  for (let i = 1; i <= 8; i++) writeFileSync(app, ANSWERER.replace("return n + 1", `return n + ${1000 * i}`));
  // Whatever intermediate versions were seen, the last one must end up live: check after each edit.
  let answer = "";
  for (;;) {
    const mark = run.mark();
    answer = await ask(run, 1);
    if (answer === "result 8001") break;
    await run.event((e) => e.type === "edit", mark);
  }
  assert.equal(answer, "result 8001");
  assert.equal(readFileSync(app, "utf8").includes("8000"), true);
  run.child.stdin?.end();
  await run.exited;
});

test("an exception in re-run top-level code changes nothing and shows the user's traceback", async () => {
  const source = `import sys\nLIMIT = 10\n\n\ndef limit():\n    return LIMIT\n\n\nfor line in sys.stdin:\n    print("result", limit(), flush=True)\n`;
  const dir = makeProject({ "app.py": source });
  const app = join(dir, "app.py");
  const run = new HotframeRun(dir, ["app.py"]);
  assert.equal(await ask(run, 0), "result 10");
  const event = await edit(run, app, source.replace("LIMIT = 10", "LIMIT = 10 // 0"));
  assert.equal(event.outcome, "rejected");
  assert.equal(event.error?.kind, "runtime");
  assert.match(event.error?.message ?? "", /ZeroDivisionError/);
  assert.match(event.error?.traceback ?? "", /app\.py", line 2/);
  assert.equal(await ask(run, 0), "result 10");
  const ok = await edit(run, app, source.replace("LIMIT = 10", "LIMIT = 20"));
  assert.equal(ok.outcome, "applied", JSON.stringify(ok));
  assert.equal(await ask(run, 0), "result 20");
  run.child.stdin?.end();
  await run.exited;
});

test("an edit to a file the program never imported is ignored (said once with --verbose)", async () => {
  const dir = makeProject({ "app.py": ANSWERER, "unused.py": "X = 1\n" });
  const run = new HotframeRun(dir, ["--verbose", "app.py"]);
  assert.equal(await ask(run, 1), "result 2");
  writeFileSync(join(dir, "unused.py"), "X = 2\n");
  await run.stderrLine(/ignored .*unused\.py: the program has not imported it/);
  writeFileSync(join(dir, "unused.py"), "X = 3\n");
  // A real edit afterwards proves the watcher went on; the ignored file was said once only.
  await edit(run, join(dir, "app.py"), ANSWERER.replace("n + 1", "n + 2"));
  assert.equal(await ask(run, 1), "result 3");
  assert.equal(run.stderr.filter((l) => l.includes("unused.py")).length, 1);
  assert.equal(run.events.filter((e) => e.type === "edit").length, 1);
  run.child.stdin?.end();
  await run.exited;
});

test("the program's stdio, arguments and exit code are its own", async () => {
  const source = `import sys\nprint("args", sys.argv[1:])\nname = input("name? ")\nprint("hello", name)\nprint("to stderr", file=sys.stderr)\nsys.exit(3)\n`;
  const dir = makeProject({ "app.py": source });
  const plain = spawnSync("python3", ["app.py", "a b", "--port", "8000"], {
    cwd: dir,
    input: "ada\n",
    encoding: "utf8",
  });
  const run = new HotframeRun(dir, ["--quiet", "app.py", "a b", "--port", "8000"]);
  run.write("ada\n");
  const exit = await run.exited;
  assert.equal(exit.code, plain.status);
  assert.equal(exit.code, 3);
  assert.equal(`${run.stdout.join("\n")}\n`, plain.stdout);
  assert.deepEqual(run.stderr, plain.stderr.trimEnd().split("\n"));
});

test("SIGTERM and SIGINT reach the program; hotframe leaves as the program did", async () => {
  const source = `import signal, sys, time\nprint("ready", flush=True)\nfor line in sys.stdin:\n    pass\n`;
  const dir = makeProject({ "app.py": source });
  const term = new HotframeRun(dir, ["app.py"]);
  await term.stdoutLine(/^ready$/);
  term.child.kill("SIGTERM");
  assert.deepEqual(await term.exited, { code: null, signal: "SIGTERM" });

  const interrupt = new HotframeRun(dir, ["app.py"]);
  await interrupt.stdoutLine(/^ready$/);
  interrupt.child.kill("SIGINT");
  const exit = await interrupt.exited;
  // CPython dies by SIGINT after printing the KeyboardInterrupt traceback.
  assert.deepEqual(exit, { code: null, signal: "SIGINT" });
  assert.ok(
    interrupt.stderr.some((l) => l === "KeyboardInterrupt"),
    interrupt.stderr.join("\n"),
  );
});

test("a program that exits during a patch: the edit is reported as not applied, the exit code kept", async () => {
  const source = `import sys\nMODE = "run"\n\n\nfor line in sys.stdin:\n    print("result", MODE, flush=True)\n`;
  const dir = makeProject({ "app.py": source });
  const run = new HotframeRun(dir, ["app.py"]);
  assert.equal(await ask(run, 0), "result run");
  const next = run.nextEdit();
  writeFileSync(join(dir, "app.py"), source.replace('MODE = "run"', 'import os\nos._exit(7)\nMODE = "run"'));
  const event = await next;
  assert.equal(event.outcome, "rejected");
  const exit = await run.exited;
  assert.equal(exit.code, 7);
});

test("python -m module runs as with python3 -m and is patchable", async () => {
  const dir = makeProject({
    "pkg/__init__.py": "",
    "pkg/main.py": ANSWERER,
    "pyproject.toml": "[project]\nname = 'pkg'\n",
  });
  const run = new HotframeRun(dir, ["-m", "pkg.main"]);
  assert.equal(await ask(run, 1), "result 2");
  const event = await edit(run, join(dir, "pkg", "main.py"), ANSWERER.replace("n + 1", "n - 1"));
  assert.equal(event.outcome, "applied");
  assert.equal(await ask(run, 1), "result 0");
  run.child.stdin?.end();
  assert.equal((await run.exited).code, 0);
});
