import assert from "node:assert/strict";
import { test } from "node:test";
import { DebugRun, lineOf } from "./helpers/debug-run.js";
import { makeProject } from "./helpers/hotframe.js";

/** `hotframe debug --continue` runs at once, yet `catch uncaught` (its default) is on before the
 * program's first line: a crash in its first moments pauses where it is raised. */
const PROGRAMS: {
  runtime: string;
  file: string;
  source: string;
  raise: string;
  extra: Record<string, string>;
}[] = [
  {
    runtime: "Python",
    file: "app.py",
    source: 'def boom():\n    raise KeyError("early")\n\n\nboom()\n',
    raise: 'raise KeyError("early")',
    extra: {},
  },
  {
    runtime: "Node",
    file: "app.js",
    source: 'function boom() {\n  throw new Error("early");\n}\n\nboom();\n',
    raise: 'throw new Error("early")',
    extra: { "package.json": "{}\n" },
  },
];

for (const { runtime, file, source, raise, extra } of PROGRAMS) {
  test(`${runtime}: --continue pauses on an uncaught exception raised by the program's first line`, async () => {
    const dir = makeProject({ ...extra, [file]: source });
    const run = new DebugRun(dir, ["--continue", file]);
    const paused = await run.paused(0);
    assert.equal(paused.reason, "exception");
    assert.deepEqual(
      paused.frames.slice(0, 1).map((f) => [f.function, f.line]),
      [["boom", lineOf(source, raise)]],
    );
    run.send("continue");
    const exit = await run.ended();
    assert.equal(exit.code, 1);
    assert.match(run.output.stderr, /early/);
  });
}
