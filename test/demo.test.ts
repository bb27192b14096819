import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { test } from "node:test";
import { CLI } from "./helpers/hotframe.js";

/** `npm start` runs `hotframe demo`: it must succeed on its own, with no input. */
async function demo(which: string): Promise<{ code: number | null; out: string }> {
  const child = spawn(process.execPath, [CLI, "demo", which], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout.on("data", (d) => {
    out += d;
  });
  child.stderr.on("data", (d) => {
    out += d;
  });
  const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
  return { code, out };
}

for (const which of ["python", "node"]) {
  test(`hotframe demo ${which} shows state kept across live edits`, async () => {
    const { code, out } = await demo(which);
    assert.equal(code, 0, out);
    assert.match(out, /state kept: .* ran 1 → \d+ in one process, never restarted/, out);
    assert.match(out, /✓ .* updated/, out);
    assert.match(out, /✗ .*nothing changed/, out);
    assert.doesNotMatch(out, /expected .* for this edit/, out);
    if (which === "python")
      assert.match(
        out,
        /fixed in place: paused, edited, restarted and finished normally, in one process/,
        out,
      );
  });
}
