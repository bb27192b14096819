import assert from "node:assert/strict";
import { basename } from "node:path";
import { test } from "node:test";
import { copyFixture, pythons, type RunOptions, runToEnd } from "./helpers/python-agent.js";

/**
 * The instrumented program must behave as `python3 main.py` does: same stdout, same stderr
 * (tracebacks included), same exit code or signal. Each case runs plain and under the agent.
 * The only known difference: the main thread has one or two frames less of recursion depth
 * (hotframe_boot.py's frame sits below the program's); threads have exactly the same.
 */

const CASES: { name: string; entry: string[]; args?: string[] }[] = [
  { name: "normal run", entry: ["main.py"], args: ["a b", "--flag"] },
  { name: "uncaught exception", entry: ["main.py"], args: ["crash"] },
  { name: "sys.exit(7)", entry: ["main.py"], args: ["exit7"] },
  { name: "KeyboardInterrupt", entry: ["main.py"], args: ["interrupt"] },
  { name: "SyntaxError in an imported module", entry: ["main.py"], args: ["syntax"] },
  { name: "the program's own sys.excepthook", entry: ["main.py"], args: ["excepthook"] },
  { name: "-m package", entry: ["-m", "pkg"], args: ["x"] },
  { name: "-m module crashing", entry: ["-m", "pkg.tool"], args: ["--crash"] },
  { name: "missing script", entry: ["nope.py"] },
  { name: "SyntaxError in the script itself", entry: ["badmain.py"] },
  { name: "-m of a missing module", entry: ["-m", "nope"] },
  { name: "a directory with __main__.py", entry: ["pkg"], args: ["y"] },
];

const DEPTH = /^main depth (\d+)$/m;

for (const { version, path: python } of pythons()) {
  for (const c of CASES) {
    test(`transparent on Python ${version}: ${c.name}`, async () => {
      const cwd = copyFixture("transparent");
      const options: RunOptions = { cwd, entry: c.entry, args: c.args ?? [], python };
      const [plain, agent] = await Promise.all([runToEnd({ ...options, plain: true }), runToEnd(options)]);
      assert.equal(agent.stdout, plain.stdout);
      const plainDepth = Number(DEPTH.exec(plain.stderr)?.[1] ?? 0);
      const agentDepth = Number(DEPTH.exec(agent.stderr)?.[1] ?? 0);
      assert.ok(
        plainDepth - agentDepth >= 0 && plainDepth - agentDepth <= 2,
        `${plainDepth} vs ${agentDepth}`,
      );
      assert.equal(agent.stderr.replace(DEPTH, ""), plain.stderr.replace(DEPTH, ""));
      assert.deepEqual([agent.code, agent.signal], [plain.code, plain.signal]);
      if (c.name === "normal run") {
        const loaded = agent.messages.flatMap((m) => (m.type === "loaded" ? [basename(m.file)] : []));
        assert.deepEqual(loaded.sort(), ["main.py", "shapes.py"]);
        assert.equal(agent.messages[0]?.type, "hello");
      }
    });
  }
}
