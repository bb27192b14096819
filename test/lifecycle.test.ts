import assert from "node:assert/strict";
import { test } from "node:test";
import { HotframeRun, makeProject } from "./helpers/hotframe.js";

/**
 * The program's life is tied to hotframe's: when hotframe dies without stopping it (SIGKILL, a
 * crash), the agent stops the program as a closed terminal would (SIGHUP); a program that ends
 * by itself is never told anything. Real processes through the real CLI, for both runtimes.
 */

/**
 * Per runtime: the SIGHUP handler some programs install (it says so and exits with code 3), a
 * program that waits forever (not on stdin: node closes a child's stdin when the child exits, so
 * the program would see the end of its input when hotframe is killed), and one that reads its
 * input to the end and says "bye".
 */
const PROGRAMS = {
  python: {
    entry: "app.py",
    handler: `import signal
import sys


def hangup(signum, frame):
    print("hangup handled", flush=True)
    sys.exit(3)


signal.signal(signal.SIGHUP, hangup)
`,
    forever: `import time

print("ready", flush=True)
while True:
    time.sleep(60)
`,
    toEnd: `import sys

print("ready", flush=True)
sys.stdin.read()
print("bye", flush=True)
`,
  },
  node: {
    entry: "app.mjs",
    handler: `process.on("SIGHUP", () => {
  console.log("hangup handled");
  process.exit(3);
});
`,
    forever: `console.log("ready");
setInterval(() => {}, 60_000);
`,
    toEnd: `console.log("ready");
process.stdin.resume().on("end", () => console.log("bye"));
`,
  },
};

const GONE = /^hotframe: the controller \(pid (\d+)\) is gone; stopping the program$/;

for (const [runtime, program] of Object.entries(PROGRAMS)) {
  for (const handled of [false, true]) {
    const what = handled ? "runs the program's SIGHUP handler" : "ends the program (SIGHUP)";
    test(`${runtime}: hotframe SIGKILLed → the agent ${what}`, async () => {
      const dir = makeProject({ [program.entry]: (handled ? program.handler : "") + program.forever });
      const run = new HotframeRun(dir, [program.entry]);
      await run.started();
      await run.stdoutLine(/^ready$/);
      run.child.kill("SIGKILL");
      // The program shares hotframe's stdout and stderr: the pipes close, and `ended` resolves,
      // only once the program is gone too.
      const end = await run.ended();
      assert.deepEqual(end, { code: null, signal: "SIGKILL" });
      const gone = run.stderr.filter((line) => GONE.test(line));
      assert.deepEqual(
        gone.map((line) => Number(GONE.exec(line)?.[1])),
        [run.child.pid],
        run.output.stderr,
      );
      assert.deepEqual(run.stdout, handled ? ["ready", "hangup handled"] : ["ready"]);
    });
  }

  test(`${runtime}: a program that ends by itself is not told the controller is gone`, async () => {
    const dir = makeProject({ [program.entry]: program.handler + program.toEnd });
    const run = new HotframeRun(dir, [program.entry]);
    await run.stdoutLine(/^ready$/);
    run.child.stdin?.end();
    assert.deepEqual(await run.ended(), { code: 0, signal: null });
    assert.deepEqual(run.stdout, ["ready", "bye"]);
    assert.deepEqual(
      run.stderr.filter((line) => GONE.test(line)),
      [],
      run.output.stderr,
    );
  });
}
