import assert from "node:assert/strict";
import { mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { rehearseSaveWhenIdle } from "../src/session/rehearse-save.js";

// The rehearsals' scratch folders go to a temporary folder of this test's own, looked at after.
const scratch = mkdtempSync(join(tmpdir(), "hotframe-test-"));
process.env.TMPDIR = scratch;

/** The rehearsal's timers never keep a process alive: the test's own wait does. */
async function awaited<T>(promise: Promise<T>): Promise<T> {
  const alive = setInterval(() => {}, 1000);
  return promise.finally(() => clearInterval(alive));
}

test("once idle, the save path is rehearsed on a scratch file whose folder is removed after", async () => {
  const rehearsal = rehearseSaveWhenIdle([".stub"], 3);
  rehearsal.loaded();
  assert.equal(await awaited(rehearsal.done), true);
  assert.deepEqual(readdirSync(scratch), []);
});

test("closed before the program went idle (a real save came first), nothing is rehearsed or left", async () => {
  const rehearsal = rehearseSaveWhenIdle([".stub"], 3);
  rehearsal.loaded();
  rehearsal.close();
  assert.equal(await awaited(rehearsal.done), false);
  assert.deepEqual(readdirSync(scratch), []);
});
