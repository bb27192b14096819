import assert from "node:assert/strict";

/** The in-process tests (test/fixtures/python/inprocess, unittest) run by one interpreter. */
export const SELFTEST_MIN_TESTS = 60;

/** Assert that the self-test's output says every test passed, and that they all ran. */
export function assertSelftestPassed(output: string): void {
  const last = output.trim().split("\n").at(-1) ?? "";
  const done = /^done (\d+) tests$/.exec(last);
  assert.ok(done, output);
  assert.ok(Number(done[1]) >= SELFTEST_MIN_TESTS, output);
}
