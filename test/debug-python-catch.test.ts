import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { DebugRun, lineOf } from "./helpers/debug-run.js";
import { makeProject } from "./helpers/hotframe.js";
import { pythons } from "./helpers/python-agent.js";

/** Exceptions that something catches (a caller's try, an awaiting coroutine), then a crash in
 * divide() that nothing catches. */
const APP = `import asyncio


def parse(text):
    return int(text)


def parsed_or_default(text):
    try:
        return parse(text)
    except ValueError:
        return -1


def squares(n):
    for i in range(n):
        yield i * i


async def answer():
    await asyncio.sleep(0)
    raise KeyError("missing")


async def asked():
    try:
        return await answer()
    except KeyError:
        return "default"


def divide(a, b):
    q = a / b
    return q


def main():
    print("parsed", parsed_or_default("x"), flush=True)
    print("squares", list(squares(3)), flush=True)
    print("asked", asyncio.run(asked()), flush=True)
    total = 0
    for b in [2, 1, 0, 4]:
        total += divide(10, b)
        print("step", b, total, flush=True)
    print("total", total, flush=True)


main()
`;

/** A generator and a coroutine that crash. */
const ASYNC_APP = `import asyncio


def halves(values):
    for v in values:
        yield 10 / v


async def fetch(key):
    await asyncio.sleep(0)
    return {"a": 1}[key]


async def main():
    print("halves", list(halves([1, 2, 0])), flush=True)
    print("fetched", await fetch("b"), flush=True)


asyncio.run(main())
`;

const PYTHONS = pythons().filter((p) => ["3.10", "3.11", "3.12", "3.13"].includes(p.version));

function start(source: string, python: string): { run: DebugRun; app: string } {
  const dir = makeProject({ "app.py": source });
  return { run: new DebugRun(dir, ["--python", python, "app.py"]), app: join(dir, "app.py") };
}

for (const { version, path } of PYTHONS) {
  test(`Python ${version}: an uncaught exception pauses where it is raised; fixed in place, the program finishes normally`, async () => {
    const { run, app } = start(APP, path);
    await run.paused(0);
    const crash = await run.pausedAfter("continue");
    // Nothing paused for the exceptions a caller's try, a generator's end or an awaiting
    // coroutine's try catches.
    assert.equal(crash.reason, "exception");
    assert.deepEqual(
      crash.frames.map((f) => [f.function, f.line]),
      [
        ["divide", lineOf(APP, "q = a / b")],
        ["main", lineOf(APP, "total += divide")],
        ["<module>", lineOf(APP, "main()\n") || APP.split("\n").length - 1],
      ],
    );
    assert.match(crash.description ?? "", /^ZeroDivisionError: division by zero \(uncaught/);
    await run.stdoutLine(/^step 1 15.0$/); // another pipe than the pause's: it may come later
    assert.deepEqual(run.stdout, [
      "parsed -1",
      "squares [0, 1, 4]",
      "asked default",
      "step 2 5.0",
      "step 1 15.0",
    ]);
    assert.equal(await run.answer("p b", /./), "0");

    const mark = run.mark();
    writeFileSync(app, APP.replace("    q = a / b\n", "    q = a / b if b else 0\n"));
    const restarted = await run.restarted(mark);
    assert.equal(restarted.function, "divide");
    assert.equal(restarted.line, lineOf(APP, "q = a / b"));
    run.send("continue");
    const exit = await run.ended();
    assert.equal(exit.code, 0, run.output.stderr);
    assert.deepEqual(run.stdout.slice(5), ["step 0 15.0", "step 4 17.5", "total 17.5"]);
  });

  test(`Python ${version}: catch raised pauses on a caught exception too; catch none lets a crash end the program`, async () => {
    const { run } = start(APP, path);
    await run.paused(0);
    assert.equal(
      await run.answer("catch raised", /./),
      "pausing on every exception raised in the program's code",
    );
    const raised = await run.pausedAfter("continue");
    assert.equal(raised.reason, "exception");
    assert.deepEqual(
      raised.frames.slice(0, 2).map((f) => [f.function, f.line]),
      [
        ["parse", lineOf(APP, "return int(text)")],
        ["parsed_or_default", lineOf(APP, "return parse(text)")],
      ],
    );
    assert.match(raised.description ?? "", /^ValueError: invalid literal/);
    assert.doesNotMatch(raised.description ?? "", /uncaught/);
    assert.equal(await run.answer("catch none", /./), "exceptions do not pause");
    run.send("continue");
    const exit = await run.ended();
    assert.equal(exit.code, 1);
    assert.ok(run.stderr.includes("ZeroDivisionError: division by zero"), run.output.stderr);
    assert.equal(run.events.filter((e) => e.type === "paused").length, 2, "no other pause");
  });

  test(`Python ${version}: a generator and a coroutine that raise pause in them; fixed, they restart`, async () => {
    const { run, app } = start(ASYNC_APP, path);
    await run.paused(0);
    const inGenerator = await run.pausedAfter("continue");
    assert.equal(inGenerator.reason, "exception");
    assert.deepEqual(
      inGenerator.frames.slice(0, 2).map((f) => [f.function, f.line]),
      [
        ["halves", lineOf(ASYNC_APP, "yield 10 / v")],
        ["main", lineOf(ASYNC_APP, 'print("halves"')],
      ],
    );
    let mark = run.mark();
    const fixed = ASYNC_APP.replace("yield 10 / v\n", "yield 10 / v if v else 0\n");
    writeFileSync(app, fixed);
    assert.equal((await run.restarted(mark)).function, "halves");
    const inCoroutine = await run.pausedAfter("continue");
    assert.equal(inCoroutine.reason, "exception");
    assert.equal(inCoroutine.frames[0]?.function, "fetch");
    assert.match(inCoroutine.description ?? "", /^KeyError: 'b' \(uncaught/);
    // A restarted generator starts again, feeding the same consumer (docs/debugger.md). (The
    // program's stdout is another pipe than the pause's: its line may come after the pause.)
    await run.stdoutLine(/^halves /);
    assert.deepEqual(run.stdout, ["halves [10.0, 5.0, 10.0, 5.0, 0]"]);
    mark = run.mark();
    writeFileSync(app, fixed.replace('return {"a": 1}[key]', 'return {"a": 1}.get(key, 0)'));
    assert.equal((await run.restarted(mark)).function, "fetch");
    run.send("continue");
    assert.equal((await run.ended()).code, 0, run.output.stderr);
    assert.deepEqual(run.stdout, ["halves [10.0, 5.0, 10.0, 5.0, 0]", "fetched 0"]);
  });
}

test("what cannot be known before it runs: a context manager's __exit__ swallowing the exception pauses; suppress() does not", async () => {
  const source = `import contextlib


class Ignoring:
    def __enter__(self):
        return self

    def __exit__(self, *exception):
        return True


def lookup(d):
    return d["missing"]


def suppressed(d):
    with contextlib.suppress(KeyError):
        return lookup(d)
    return "suppressed"


def ignored(d):
    with Ignoring():
        return lookup(d)
    return "ignored"


print(suppressed({}), flush=True)
print(ignored({}), flush=True)
`;
  const dir = makeProject({ "app.py": source });
  const run = new DebugRun(dir, ["app.py"]);
  await run.paused(0);
  const paused = await run.pausedAfter("continue");
  // Printed before the pause, but its pipe may be read after the event log: wait for the line.
  await run.stdoutLine(/^suppressed$/);
  assert.deepEqual(run.stdout, ["suppressed"]);
  assert.deepEqual(
    paused.frames.slice(0, 2).map((f) => f.function),
    ["lookup", "ignored"],
  );
  assert.match(paused.description ?? "", /^KeyError: 'missing' \(uncaught/);
  run.send("continue");
  assert.equal((await run.ended()).code, 0);
  assert.deepEqual(run.stdout, ["suppressed", "ignored"]);
});
