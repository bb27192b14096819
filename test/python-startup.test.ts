import assert from "node:assert/strict";
import { realpathSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { type EditEvent, HotframeRun, makeProject } from "./helpers/hotframe.js";

/** Start-up makes nothing for a patch (docs/python.md, "Start-up"): a program of 50 modules,
 * started a second time (from the code cache), gets every save of every loaded file patched
 * as it runs it, saved while it is still importing or before it imported the file. */

const MODULES = 50;

const moduleSource = (n: number) => `def make():
    def inner():
        return "inner ${n} v1"

    return inner


HANDLER = make()  # (a closure created at import)


def value():
    return "value ${n} v1 " + HANDLER()
`;

const name = (n: number) => `m${String(n).padStart(2, "0")}`;

/** Imports the first module, waits for a line, imports the others, then answers probes. */
const APP = `import importlib
import sys

import mods.${name(0)}

print("first", flush=True)
sys.stdin.readline()
for n in range(1, ${MODULES}):
    importlib.import_module("mods.m%02d" % n)
print("imported", flush=True)


def probe(module):
    return "app v1 " + importlib.import_module("mods." + module).value()


for line in sys.stdin:
    print(line.strip() + "=" + probe(line.strip()), flush=True)
`;

function project(): string {
  const files: Record<string, string> = { "app.py": APP, "mods/__init__.py": "" };
  for (let n = 0; n < MODULES; n++) files[`mods/${name(n)}.py`] = moduleSource(n);
  return makeProject(files);
}

/** Saved as editors do it (a temporary file renamed over the original). */
function save(path: string, text: string): void {
  writeFileSync(`${path}.tmp`, text);
  renameSync(`${path}.tmp`, path);
}

/** The edit event of this save (m30's, saved before it was imported, may come meanwhile: its
 * settled re-read finds it loaded, with nothing to change). */
async function saved(run: HotframeRun, path: string, text: string): Promise<EditEvent> {
  const next = run.event(
    (e): e is EditEvent => e.type === "edit" && e.file === realpathSync(path),
    run.mark(),
  );
  save(path, text);
  return next;
}

async function ask(run: HotframeRun, module: string): Promise<string> {
  const from = run.stdout.length;
  run.write(`${module}\n`);
  const line = await run.stdoutLine(new RegExp(`^${module}=`), from);
  return line.slice(module.length + 1);
}

test("every save of a loaded file is patched, also one made while the program still imports", async () => {
  const dir = project();
  const mods = join(dir, "mods");
  // A first run fills the code cache: the second one loads every module from it.
  const first = new HotframeRun(dir, ["app.py"]);
  await first.stdoutLine(/^first$/);
  first.write("\n");
  await first.stdoutLine(/^imported$/);
  first.child.stdin?.end();
  assert.deepEqual(await first.ended(), { code: 0, signal: null });

  const run = new HotframeRun(dir, ["app.py"]);
  await run.stdoutLine(/^first$/);
  // The program is importing: m00 is loaded, m30 not yet.
  const m00 = join(mods, "m00.py");
  const during = await saved(run, m00, moduleSource(0).replace('"inner 0 v1"', '"inner 0 v2"'));
  assert.equal(during.outcome, "applied", JSON.stringify(during));
  assert.deepEqual(
    during.functions.map((f) => [f.qualname, f.status]),
    [["make.<locals>.inner", "updated"]],
  );
  save(join(mods, "m30.py"), moduleSource(30).replace('"value 30 v1 "', '"value 30 v2 "'));
  run.write("\n");
  await run.stdoutLine(/^imported$/);
  assert.equal(
    await ask(run, "m00"),
    "app v1 value 0 v1 inner 0 v2",
    "the closure made at import runs the edit",
  );
  assert.equal(
    await ask(run, "m30"),
    "app v1 value 30 v2 inner 30 v1",
    "imported as saved, not from the cache",
  );

  // Saves right after the imports, and of the script itself.
  const later = await saved(
    run,
    join(mods, "m45.py"),
    moduleSource(45).replace('"value 45 v1 "', '"value 45 v2 "'),
  );
  assert.equal(later.outcome, "applied", JSON.stringify(later));
  assert.equal(await ask(run, "m45"), "app v1 value 45 v2 inner 45 v1");
  const app = await saved(run, join(dir, "app.py"), APP.replace('"app v1 "', '"app v2 "'));
  assert.deepEqual(
    app.functions.map((f) => [f.qualname, f.status]),
    [["probe", "updated"]],
  );
  assert.equal(await ask(run, "m01"), "app v2 value 1 v1 inner 1 v1");
  run.child.stdin?.end();
  assert.deepEqual(await run.ended(), { code: 0, signal: null });
});
