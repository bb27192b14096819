import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { CLI, makeProject, writeProjectFile } from "./helpers/hotframe.js";

function hotframe(args: string[], cwd = process.cwd()) {
  const result = spawnSync(process.execPath, [CLI, ...args], {
    cwd,
    encoding: "utf8",
    env: { ...process.env },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Bad usage: one line on stderr, exit code 2, nothing on stdout, no stack trace. */
function assertUsageError(result: ReturnType<typeof hotframe>, pattern: RegExp): void {
  assert.equal(result.code, 2, result.stderr);
  assert.equal(result.stdout, "");
  const lines = result.stderr.trimEnd().split("\n");
  assert.equal(lines.length, 1, `one line expected, got:\n${result.stderr}`);
  assert.match(lines[0] as string, pattern);
  assert.doesNotMatch(result.stderr, /\n\s+at /);
}

test("--help prints usage on stdout; --version prints the package version", () => {
  const help = hotframe(["--help"]);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /hotframe run \[options\]/);
  const version = hotframe(["--version"]);
  assert.equal(version.code, 0);
  assert.match(version.stdout, /^hotframe \d+\.\d+\.\d+\n$/);
});

test("an unknown option is a one-line error with exit code 2", () => {
  assertUsageError(hotframe(["run", "--frobnicate", "app.py"]), /^hotframe: unknown option --frobnicate/);
});

test("an unknown command is a one-line error with exit code 2", () => {
  assertUsageError(hotframe(["jump"]), /^hotframe: unknown command 'jump'/);
});

test("a missing program file is a one-line error with exit code 2", () => {
  const dir = makeProject({});
  assertUsageError(hotframe(["run", "nope.py"], dir), /^hotframe: nope\.py: no such file/);
});

test("a file of no known runtime is a one-line error with exit code 2", () => {
  const dir = makeProject({ "app.rb": "puts 1\n" });
  assertUsageError(hotframe(["run", "app.rb"], dir), /^hotframe: cannot tell how to run 'app\.rb'/);
});

test("a missing interpreter is a one-line error with exit code 2", () => {
  const dir = makeProject({ "app.py": "print(1)\n" });
  assertUsageError(
    hotframe(["run", "--python", "/no/such/python3", "app.py"], dir),
    /^hotframe: cannot start \/no\/such\/python3: not found \(pick one with --python <path>\)/,
  );
});

test("a Python older than 3.10 is a one-line error with exit code 2", () => {
  const dir = makeProject({ "app.py": "print('should not run')\n" });
  // A real python3 that reports itself as 3.9: the boot script must refuse it before running anything.
  const fake = writeProjectFile(
    dir,
    "python3.9",
    `#!/bin/sh\nexec python3 -c 'import sys, runpy; sys.version_info = (3, 9, 18, "final", 0); sys.argv = sys.argv[1:]; runpy.run_path(sys.argv[0], run_name="__main__")' "$@"\n`,
  );
  chmodSync(fake, 0o755);
  assertUsageError(
    hotframe(["run", "--python", join(dir, "python3.9"), "app.py"], dir),
    /3\.9 is too old.*3\.10/,
  );
});

test("--watch must name an existing folder", () => {
  const dir = makeProject({ "app.py": "print(1)\n" });
  assertUsageError(
    hotframe(["run", "--watch", "missing", "app.py"], dir),
    /^hotframe: --watch missing: no such folder/,
  );
});

test("an option of the other runtime is a one-line error", () => {
  const dir = makeProject({ "app.py": "print(1)\n", "app.js": "console.log(1)\n" });
  assertUsageError(
    hotframe(["run", "--node-options", "--inspect", "app.py"], dir),
    /--node-options does not apply to a python program/,
  );
  assertUsageError(
    hotframe(["run", "--python", "python3", "app.js"], dir),
    /--python does not apply to a node program/,
  );
});
