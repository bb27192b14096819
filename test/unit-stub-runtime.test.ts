import assert from "node:assert/strict";
import { realpathSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import { parseArgs, type RunArgs, UsageError, usage } from "../src/cli/args.js";
import { runCommand } from "../src/cli/run.js";
import { RUNTIMES } from "../src/runtimes/registry.js";
import { LaunchError } from "../src/runtimes/runtime.js";
import { makeProject } from "./helpers/hotframe.js";
import { Recorder } from "./helpers/recorder.js";
import { STUB_AGENT, stubController } from "./helpers/stub-runtime.js";

/** A third runtime is one controller added to the registry's list: nothing else in the CLI changes. */
const runtimes = [...RUNTIMES, stubController];

// A failed test leaves its program running: SIGTERM reaches it through the run's own forwarding.
after(() => process.emit("SIGTERM", "SIGTERM"));

function runArgs(argv: string[]): RunArgs {
  const args = parseArgs(["run", ...argv], {}, false, runtimes);
  assert.equal(args.command, "run");
  return args as RunArgs;
}

test("the usage text shows the new runtime's entry, options and root markers", () => {
  const text = usage(runtimes);
  assert.match(text, /\| file\.stub> \[program args\.\.\.\]/);
  assert.match(text, /\n {2}--stub <path> +the node that runs the stub agent\n/);
  assert.match(text, /\n {2}--stub-options <opts> +options for that node\n/);
  assert.match(text, /\n {2}stub +stub\.toml\n/);
  assert.doesNotMatch(usage(), /stub/);
});

test("hotframe run on the stub runtime: started, patched per function, reported, exit status kept", async () => {
  const dir = realpathSync(makeProject({ "stub.toml": "", "src/app.stub": "price = 1\ntotal = 2\n" }));
  const lines = new Recorder<string>();
  const options = ["--verbose", "--stub", process.execPath, "--stub-options", "--no-warnings"];
  const args = runArgs([...options, "src/app.stub", "--fast"]);
  const run = runCommand(args, dir, { runtimes, writeLine: lines.push });
  // The root is the nearest folder holding the runtime's own marker.
  await lines.next((l) => /^hotframe: stub pid \d+, watching /.test(l) && l.endsWith(dir));
  await lines.next((l) => l === `hotframe: instrumented ${join(dir, "src/app.stub")}`);
  // Its binary and runtime options, then its agent, the program and the program's arguments.
  assert.equal(
    lines.items[0],
    `hotframe: spawning ${process.execPath} --no-warnings ${STUB_AGENT} ${join(dir, "src/app.stub")} --fast`,
  );
  writeFileSync(join(dir, "src/app.stub"), "price = 10\ntotal = 2\ndiscount = 3\n");
  await lines.next((l) =>
    /^✓ src\/app\.stub {2}price\(\) updated, new: discount\(\) {2}\(\d+\.\d ms\)$/.test(l),
  );
  writeFileSync(join(dir, "src/app.stub"), "price = 10\nexit = 3\n");
  assert.deepEqual(await run, { code: 3, signal: null });
  assert.match(
    lines.items.at(-1) ?? "",
    /^✓ src\/app\.stub {2}new: exit\(\), removed: total\(\), discount\(\)/,
  );
});

test("an option of another runtime is refused for a stub program, and the stub's for others", async () => {
  const dir = makeProject({ "app.stub": "a = 1\n", "app.py": "print(1)\n" });
  await assert.rejects(
    runCommand(runArgs(["--python", "python3", "app.stub"]), dir, { runtimes }),
    new UsageError("--python does not apply to a stub program"),
  );
  await assert.rejects(
    runCommand(runArgs(["--stub-options", "-x", "app.py"]), dir, { runtimes }),
    new UsageError("--stub-options does not apply to a python program"),
  );
  await assert.rejects(
    runCommand(runArgs(["app.rb"]), dir, { runtimes }),
    /cannot tell how to run 'app\.rb': expected a file ending in \.py, .*\.mts, \.stub$/,
  );
});

test("a binary that cannot start is named with the runtime's own option to pick another", async () => {
  const dir = makeProject({ "app.stub": "a = 1\n" });
  await assert.rejects(
    runCommand(runArgs(["--stub", "/no/such/node", "app.stub"]), dir, { runtimes, writeLine: () => {} }),
    new LaunchError("cannot start /no/such/node: not found (pick one with --stub <path>)"),
  );
});
