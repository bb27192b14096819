import assert from "node:assert/strict";
import { realpathSync, renameSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { type SourceChange, SourceWatcher } from "../src/session/watcher.js";
import { makeProject } from "./helpers/hotframe.js";
import { Recorder } from "./helpers/recorder.js";

/** A watcher of `.stub` files over a fresh folder whose files were saved 10 s ago. */
function watcher(files: Record<string, string>, quietMs = 3) {
  const dir = realpathSync(makeProject(files));
  const before = new Date(Date.now() - 10_000);
  for (const name of Object.keys(files)) utimesSync(join(dir, name), before, before);
  const changes = new Recorder<SourceChange>();
  const watch = new SourceWatcher([".stub"], quietMs, changes.push);
  return { dir, changes, watch };
}

const settledOf = (file: string) => (c: SourceChange) => c.file === file && c.settled;

test("a save of a loaded file is handed out once quiet, then once more settled", async () => {
  const { dir, changes, watch } = watcher({ "app.stub": "a = 1\n" });
  const file = join(dir, "app.stub");
  watch.watchLoaded(file, Date.now());
  const before = performance.now();
  writeFileSync(file, "a = 2\n");
  const settled = await changes.next(settledOf(file));
  assert.deepEqual(
    changes.items.map(({ seenAt: _seenAt, ...rest }) => rest),
    [
      { file, settled: false, catchUp: false },
      { file, settled: true, catchUp: false },
    ],
  );
  const first = changes.items[0] as SourceChange;
  assert.ok(
    first.seenAt >= before && first.seenAt <= settled.seenAt,
    "latency is measured from the first event",
  );
  watch.close();
});

test("a burst of saves is one change; other extensions are not handed out", async () => {
  const { dir, changes, watch } = watcher({ "app.stub": "a = 1\n", "notes.txt": "" }, 100);
  const file = join(dir, "app.stub");
  watch.watchLoaded(file, Date.now());
  writeFileSync(join(dir, "notes.txt"), "ignored\n");
  for (let i = 2; i <= 5; i++) writeFileSync(file, `a = ${i}\n`);
  await changes.next(settledOf(file));
  assert.deepEqual(
    changes.items.map((c) => [c.file, c.settled]),
    [
      [file, false],
      [file, true],
    ],
  );
  watch.close();
});

test("an atomic save (a temporary file renamed over the original) is a change", async () => {
  const { dir, changes, watch } = watcher({ "app.stub": "a = 1\n" });
  const file = join(dir, "app.stub");
  watch.watchLoaded(file, Date.now());
  writeFileSync(join(dir, ".app.stub.tmp"), "a = 2\n");
  renameSync(join(dir, ".app.stub.tmp"), file);
  const change = await changes.next((c) => c.file === file);
  assert.equal(change.catchUp, false);
  watch.close();
});

test("files saved or removed after the start but before their folder was watched are caught up", async () => {
  const { dir, changes, watch } = watcher({
    "app.stub": "a = 1\n",
    "lib.stub": "b = 1\n",
    "old.stub": "c = 1\n",
  });
  const since = Date.now();
  const file = join(dir, "app.stub");
  // The program read these, then they were saved again before the watch started.
  utimesSync(file, new Date(since + 1000), new Date(since + 1000));
  utimesSync(join(dir, "lib.stub"), new Date(since + 1000), new Date(since + 1000));
  watch.watchLoaded(file, since);
  watch.watchLoaded(join(dir, "gone.stub"), since); // loaded, then deleted before the watch
  const caught = await Promise.all(
    ["app.stub", "lib.stub", "gone.stub"].map((name) => changes.next(settledOf(join(dir, name)))),
  );
  assert.ok(caught.every((c) => c.catchUp));
  assert.ok(
    changes.items.every((c) => c.file !== join(dir, "old.stub")),
    "a file saved before the start is not a change",
  );
  watch.close();
});
