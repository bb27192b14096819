import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { join } from "node:path";
import { test } from "node:test";
import { REPO } from "./helpers/python-paths.js";
import { assertSelftestPassed } from "./helpers/python-selftest.js";

/**
 * The agent's in-process logic (transform, patcher, restart signal) on CPython 3.12, 3.13 and 3.14,
 * which run here only as WebAssembly (Pyodide from npm, offline). Each Pyodide runs in its own
 * process (test/helpers/pyodide-selftest.ts) the same checks the real interpreters run
 * (test/fixtures/python/inprocess, with unittest). The three start together.
 */

const VERSIONS = [
  { pkg: "pyodide312", python: "3.12" },
  { pkg: "pyodide313", python: "3.13" },
  { pkg: "pyodide314", python: "3.14" },
];

function selftest(pkg: string, python: string): Promise<{ code: number | null; output: string }> {
  const child = spawn(
    process.execPath,
    [join(REPO, "dist", "test", "helpers", "pyodide-selftest.js"), pkg, python],
    {
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let output = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    output += chunk;
  });
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
    output += chunk;
  });
  return new Promise((resolve) => child.on("close", (code) => resolve({ code, output })));
}

const runs = VERSIONS.map(({ pkg, python }) => ({ python, result: selftest(pkg, python) }));

for (const { python, result } of runs) {
  test(`pyodide: transform, patcher and restart on Python ${python}`, async () => {
    const { code, output } = await result;
    assert.equal(code, 0, output);
    assertSelftestPassed(output);
  });
}
