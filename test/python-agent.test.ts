import assert from "node:assert/strict";
import {
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { test } from "node:test";
import { PROTOCOL_VERSION } from "../src/protocol/messages.js";
import { AGENT_DIR, AgentRun, copyFixture, FIXTURES, pythons, runToEnd } from "./helpers/python-agent.js";
import { makeProject } from "./helpers/hotframe.js";
import { assertSelftestPassed } from "./helpers/python-selftest.js";

/** The agent's start-up contract, its import hook and its in-process logic on each real CPython. */

const PYENV = join(process.env.PYENV_ROOT ?? join(process.env.HOME ?? "/root", ".pyenv"), "versions");

for (const { version, path: python } of pythons()) {
  test(`in-process self-test (transform, patcher, restart) on Python ${version}`, async () => {
    const scratch = copyFixture("inprocess");
    const run = await runToEnd({
      cwd: scratch,
      entry: [join(FIXTURES, "inprocess", "selftest.py"), AGENT_DIR, scratch],
      python,
      plain: true,
    });
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assertSelftestPassed(run.stdout);
  });
}

test("old interpreters get one line and exit code 2", async (t) => {
  const old = existsSync(PYENV) ? readdirSync(PYENV).filter((v) => /^(2\.|3\.[0-9]\.)/.test(v)) : [];
  if (old.length === 0) {
    t.skip("no Python older than 3.10 installed");
    return;
  }
  for (const v of old) {
    const [major, minor] = v.split(".");
    const run = await runToEnd({
      cwd: FIXTURES,
      entry: ["pyc/app.py"],
      python: join(PYENV, v, "bin", "python"),
    });
    assert.equal(run.code, 2, `${v}: ${run.stderr}`);
    assert.equal(
      run.stderr,
      `hotframe: Python ${major}.${minor} is too old: hotframe needs 3.10 or newer (pick another with --python)\n`,
    );
    assert.equal(run.stdout, "");
  }
});

test(".pyc pitfall: plain and instrumented code never load each other's bytecode", async () => {
  const dir = copyFixture("pyc");
  const env = { PYTHONDONTWRITEBYTECODE: undefined };
  const cache = join(dir, "__pycache__");
  const plainPyc = () =>
    readdirSync(cache)
      .filter((name) => !name.includes(".hotframe."))
      .map((name) => [name, statSync(join(cache, name)).mtimeMs]);
  const plain1 = await runToEnd({ cwd: dir, entry: ["app.py"], env, plain: true });
  assert.equal(plain1.stdout, "instrumented False 1\n");
  const before = plainPyc();
  assert.equal(before.length, 1, "plain python wrote its .pyc");

  const agent = await runToEnd({ cwd: dir, entry: ["app.py"], env });
  assert.equal(agent.stdout, "instrumented True 1\n", "the plain .pyc was not used");
  assert.deepEqual(plainPyc(), before, "hotframe left the plain .pyc alone");
  const cached = readdirSync(cache)
    .filter((name) => name.includes(".hotframe."))
    .sort();
  assert.deepEqual(
    cached.map((name) => name.split(".")[0]),
    ["app", "mod"],
    "instrumented code (the script's too) is cached under a name plain python never loads",
  );

  const plain2 = await runToEnd({ cwd: dir, entry: ["app.py"], env, plain: true });
  assert.equal(plain2.stdout, "instrumented False 1\n");
  const again = await runToEnd({ cwd: dir, entry: ["app.py"], env });
  assert.equal(again.stdout, "instrumented True 1\n", "from the cache");

  // A changed source never runs stale cached code (same size, same second: the modification
  // time in nanoseconds decides).
  writeFileSync(
    join(dir, "mod.py"),
    readFileSync(join(dir, "mod.py"), "utf8").replace("return 1", "return 2"),
  );
  const changed = await runToEnd({ cwd: dir, entry: ["app.py"], env });
  assert.equal(changed.stdout, "instrumented True 2\n");
  const plain3 = await runToEnd({ cwd: dir, entry: ["app.py"], env, plain: true });
  assert.equal(plain3.stdout, "instrumented False 2\n");
});

test("without bytecode writing, instrumented code is cached in hotframe's own private folder", async () => {
  const dir = copyFixture("pyc");
  const home = copyFixture("pyc"); // (any fresh folder: the user's cache)
  const env = { PYTHONDONTWRITEBYTECODE: "1", XDG_CACHE_HOME: join(home, "cache") };
  const folder = join(home, "cache", "hotframe", "python");
  const first = await runToEnd({ cwd: dir, entry: ["app.py"], env });
  assert.equal(first.stdout, "instrumented True 1\n", first.stderr);
  assert.ok(!existsSync(join(dir, "__pycache__")), "nothing is written next to the sources");
  const cached = readdirSync(folder).sort();
  assert.equal(cached.length, 2, "the script's and the imported module's code are cached");
  assert.match(cached[0] ?? "", /^[0-9a-f]{16}\.cpython-3\d+\.hotframe\.pyc$/);
  assert.equal(statSync(folder).mode & 0o777, 0o700, "the folder is the user's alone");
  const written = statSync(join(folder, cached[0] ?? "")).mtimeMs;

  const again = await runToEnd({ cwd: dir, entry: ["app.py"], env });
  assert.equal(again.stdout, "instrumented True 1\n");
  assert.equal(
    statSync(join(folder, cached[0] ?? "")).mtimeMs,
    written,
    "loaded from the cache, not written again",
  );

  writeFileSync(
    join(dir, "mod.py"),
    readFileSync(join(dir, "mod.py"), "utf8").replace("return 1", "return 2"),
  );
  const changed = await runToEnd({ cwd: dir, entry: ["app.py"], env });
  assert.equal(changed.stdout, "instrumented True 2\n", "a changed source never runs stale cached code");
});

test("without bytecode writing, hotframe's own modules still keep their bytecode; the program's do not", async () => {
  const dir = copyFixture("pyc");
  const agent = mkdtempSync(join(tmpdir(), "hotframe-agent-copy-"));
  cpSync(AGENT_DIR, agent, { recursive: true, filter: (path) => basename(path) !== "__pycache__" });
  writeFileSync(
    join(dir, "flag.py"),
    'import sys\nimport mod\nprint("writes", not sys.dont_write_bytecode, mod.f())\n',
  );
  const env = { PYTHONDONTWRITEBYTECODE: "1", XDG_CACHE_HOME: join(dir, "cache") };
  const run = await runToEnd({
    cwd: dir,
    entry: [join(agent, "hotframe_boot.py"), "flag.py"],
    env,
    plain: true,
  });
  assert.equal(run.stdout, "writes False 1\n", run.stderr);
  const own = readdirSync(join(agent, "hotframe_agent", "__pycache__"));
  for (const name of ["main", "importer", "channel", "units"])
    assert.ok(
      own.some((file) => file.startsWith(`${name}.cpython-`)),
      `${name}: ${own.join(" ")}`,
    );
  assert.ok(!existsSync(join(dir, "__pycache__")), "nothing is written next to the program's sources");
});

test("a forked child keeps the old code, and the patch says so with its pid", async () => {
  const dir = copyFixture("forked");
  const run = new AgentRun({ cwd: dir, entry: ["app.py"] });
  await run.stdoutLine(/^ready$/);
  const lib = realpathSync(join(dir, "lib.py"));
  const result = await run.patch(lib, readFileSync(lib, "utf8").replace('"old"', '"new"'));
  assert.equal(result.outcome, "applied");
  assert.equal(await run.ask("probe", /^parent /), "parent new");
  assert.equal(await run.ask("child", /^child /), "child old");
  const warning = await run.message((m) => m.type === "warning");
  assert.ok(warning.type === "warning");
  assert.match(
    warning.message,
    /^1 forked child process\(es\) of this program \(pid \d+\) keep running the code/,
  );
  await run.finish();
});

test("hello comes first, then one loaded message per instrumented file", async () => {
  const dir = copyFixture("pyc");
  const run = new AgentRun({ cwd: dir, entry: ["app.py"] });
  const end = await run.finish();
  const hello = end.messages[0];
  assert.equal(hello?.type, "hello");
  if (hello?.type === "hello") {
    assert.equal(hello.protocol, PROTOCOL_VERSION);
    assert.equal(hello.runtime, "python");
    assert.equal(hello.pid, run.child.pid);
    assert.match(hello.runtimeVersion, /^3\.\d+\.\d+/);
  }
  const loaded = end.messages
    .filter((m) => m.type === "loaded")
    .map((m) => (m.type === "loaded" ? m.file : ""));
  assert.deepEqual(loaded, [realpathSync(join(dir, "app.py")), realpathSync(join(dir, "mod.py"))]);
});

test("loaded messages come while the program runs on, in order with the messages sent after them", async () => {
  // (loaded messages are written a few at a time, channel.py: a warning sent at once must not
  // overtake the loaded messages of the imports before it, and none waits for the program's exit)
  const dir = realpathSync(
    makeProject({
      "app/app.py":
        "import os\nimport sys\n\n" +
        'sys.path.append(os.path.join(os.path.dirname(__file__), "..", "outside"))\n' +
        'import first\nimport elsewhere\nimport second\n\nprint("ready", flush=True)\nsys.stdin.readline()\n',
      "app/first.py": "A = 1\n",
      "app/second.py": "B = 2\n",
      "outside/elsewhere.py": "C = 3\n",
    }),
  );
  const root = join(dir, "app");
  const run = new AgentRun({ cwd: root, root, entry: ["app.py"] });
  await run.stdoutLine(/^ready$/);
  await run.message((m) => m.type === "loaded" && m.file === join(root, "second.py"));
  assert.deepEqual(
    run.messages.map((m) => (m.type === "loaded" ? basename(m.file) : m.type)),
    ["hello", "app.py", "first.py", "warning", "second.py"],
  );
  run.write("\n");
  const end = await run.finish();
  assert.equal(end.code, 0, end.stderr);
});

test("a protocol mismatch is refused before the program runs", async () => {
  const dir = copyFixture("pyc");
  const run = await runToEnd({ cwd: dir, entry: ["app.py"], env: { HOTFRAME_PROTOCOL: "99" } });
  assert.equal(run.code, 2);
  assert.equal(run.stdout, "");
  assert.equal(
    run.stderr,
    `hotframe: this agent speaks protocol ${PROTOCOL_VERSION}, hotframe speaks 99: reinstall hotframe\n`,
  );
});

test("over the pipe: empty and unknown files are refused, every entry has its kind", async () => {
  const dir = copyFixture("live");
  const run = new AgentRun({ cwd: dir, entry: ["app.py"] });
  await run.stdoutLine(/^ready$/);
  const lib = realpathSync(join(dir, "lib.py"));
  const text = readFileSync(lib, "utf8");
  for (const empty of ["", " \n\n\t"]) {
    assert.deepEqual(await run.patch(lib, empty), {
      outcome: "rejected",
      functions: [],
      error: {
        kind: "refused",
        code: "empty-file",
        message:
          "the file is empty: an edit that removes everything is not applied (restart the program for that)",
      },
    });
  }
  const never = join(dir, "never_imported.py");
  const unknown = await run.patch(never, "x = 1\n");
  assert.equal(unknown.outcome, "rejected");
  assert.deepEqual([unknown.error?.kind, unknown.error?.code], ["refused", "unknown-file"]);

  const edited = text
    .replace("RATE = 0.2", "RATE = 0.3")
    .replace("def price(x, k=1):", "def price(x, k=2):")
    .concat("\n\nclass Added:\n    pass\n\n\nCACHE.setdefault(  'key',\n    'value')\n");
  const result = await run.patch(lib, edited);
  assert.equal(result.outcome, "applied", JSON.stringify(result));
  assert.deepEqual(
    result.functions.map((f) => [f.kind, f.name, f.qualname, f.status]),
    [
      ["statement", "RATE", "<module>", "updated"],
      ["class", "Added", "Added", "added"],
      ["statement", "CACHE.setdefault( 'key',", "<module>", "updated"],
      ["function", "price", "price", "updated"],
    ],
  );
  const end = await run.finish();
  assert.equal(end.code, 0, end.stderr);
});

test("-m module runs instrumented and patchable", async () => {
  const dir = copyFixture("live");
  const run = new AgentRun({ cwd: dir, entry: ["-m", "app"] });
  await run.stdoutLine(/^ready$/);
  const lib = realpathSync(join(dir, "lib.py"));
  await run.message((m) => m.type === "loaded" && m.file === realpathSync(join(dir, "app.py")));
  const text = readFileSync(lib, "utf8").replace('"dw1"', '"dw-m"');
  writeFileSync(lib, text);
  const result = await run.patch(lib, text);
  assert.equal(result.outcome, "applied", JSON.stringify(result));
  assert.match(await run.ask("report", /^\{/), /"dw": "dw-m"/);
  // __main__ itself is patchable under -m too.
  const app = realpathSync(join(dir, "app.py"));
  const appText = readFileSync(app, "utf8").replace(
    "def serve():",
    "def helper():\n    return 1\n\n\ndef serve():",
  );
  const added = await run.patch(app, appText);
  assert.deepEqual(
    added.functions.map((f) => [f.qualname, f.status]),
    [["helper", "added"]],
  );
  const end = await run.finish();
  assert.equal(end.code, 0);
  assert.equal(end.stderr, "");
});

test("the program is stopped by SIGHUP, as by a closed terminal, when the controller goes away", async () => {
  const dir = copyFixture("live");
  const run = new AgentRun({ cwd: dir, entry: ["app.py"] });
  await run.stdoutLine(/^ready$/);
  run.closePipe();
  // stdin stays open: without the agent's SIGHUP the program would wait for input forever.
  assert.deepEqual(await run.ended(), { code: null, signal: "SIGHUP" });
  assert.equal(
    run.output.stderr,
    `hotframe: the controller (pid ${process.pid}) is gone; stopping the program\n`,
  );
});

test("Ctrl-C (SIGINT) ends the program as it ends plain python", async () => {
  const dir = copyFixture("live");
  const results = [];
  for (const plain of [true, false]) {
    const run = new AgentRun({ cwd: dir, entry: ["app.py"], plain });
    await run.stdoutLine(/^ready$/);
    run.child.kill("SIGINT");
    const end = await run.exited;
    results.push({ ...end, last: run.output.stderr.trim().split("\n").at(-1) });
  }
  assert.deepEqual(results[1], results[0]);
  assert.equal(results[0]?.last, "KeyboardInterrupt");
});

test("only the program's own files are instrumented; --instrument-deps adds dependencies", async () => {
  const dir = copyFixture("deps");
  const loaded = async (deps: string) => {
    const run = await runToEnd({ cwd: dir, entry: ["app.py"], env: { HOTFRAME_INSTRUMENT_DEPS: deps } });
    assert.equal(run.stdout, "vendored venvmod own\n", run.stderr);
    return run.messages.flatMap((m) => (m.type === "loaded" ? [basename(m.file)] : [])).sort();
  };
  assert.deepEqual(await loaded("0"), ["app.py", "own.py"]);
  assert.deepEqual(await loaded("1"), ["app.py", "own.py", "vendored.py", "venvmod.py"]);
});
