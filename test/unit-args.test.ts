import assert from "node:assert/strict";
import { test } from "node:test";
import { parseArgs, UsageError, usage } from "../src/cli/args.js";

const parse = (argv: string[], env: NodeJS.ProcessEnv = {}, tty = true) => parseArgs(argv, env, tty);

test("help and version, however asked", () => {
  for (const argv of [
    [],
    ["--help"],
    ["-h"],
    ["help"],
    ["run", "--help"],
    ["run", "--quiet", "-h", "app.py"],
  ])
    assert.deepEqual(parse(argv), { command: "help" }, argv.join(" "));
  assert.deepEqual(parse(["--version"]), { command: "version" });
  assert.deepEqual(parse(["-V"]), { command: "version" });
});

test("run: options before the entry point are hotframe's, everything after it is the program's", () => {
  assert.deepEqual(
    parse([
      "run",
      "--python",
      "/venv/bin/python",
      "--watch=src",
      "--events",
      "e.jsonl",
      "app.py",
      "--watch",
      "x",
    ]),
    {
      command: "run",
      entry: { kind: "file", path: "app.py" },
      args: ["--watch", "x"],
      runtimeOptions: new Map([["--python", "/venv/bin/python"]]),
      watch: "src",
      events: "e.jsonl",
      quiet: false,
      verbose: false,
      color: true,
      instrumentDeps: false,
      attachable: false,
    },
  );
});

test("run: -m module, --, and each runtime's options are kept by flag", () => {
  const module = parse(["run", "--quiet", "-m", "pkg.server", "--port", "8000"]);
  assert.equal(module.command, "run");
  if (module.command !== "run") return;
  assert.deepEqual(module.entry, { kind: "module", name: "pkg.server" });
  assert.deepEqual(module.args, ["--port", "8000"]);
  assert.equal(module.quiet, true);

  const dashed = parse([
    "run",
    "--node",
    "/opt/node",
    "--node-options",
    "--inspect --trace-warnings",
    "--",
    "-odd.js",
  ]);
  assert.equal(dashed.command, "run");
  if (dashed.command !== "run") return;
  assert.deepEqual(dashed.entry, { kind: "file", path: "-odd.js" });
  assert.deepEqual(
    [...dashed.runtimeOptions],
    [
      ["--node", "/opt/node"],
      ["--node-options", "--inspect --trace-warnings"],
    ],
  );
});

test("colour: on for a terminal, off with --no-color, NO_COLOR or no terminal", () => {
  const color = (argv: string[], env: NodeJS.ProcessEnv, tty: boolean) => {
    const args = parse(argv, env, tty);
    return args.command === "run" || args.command === "demo" ? args.color : undefined;
  };
  assert.equal(color(["run", "app.py"], {}, true), true);
  assert.equal(color(["run", "--no-color", "app.py"], {}, true), false);
  assert.equal(color(["run", "app.py"], { NO_COLOR: "" }, true), false);
  assert.equal(color(["run", "app.py"], {}, false), false);
  assert.equal(color(["demo", "--no-color"], {}, true), false);
});

test("demo takes python, node or nothing", () => {
  assert.deepEqual(parse(["demo"], {}, false), { command: "demo", which: "all", color: false });
  assert.deepEqual(parse(["demo", "node"], {}, false), { command: "demo", which: "node", color: false });
  assert.throws(() => parse(["demo", "ruby"]), new UsageError("demo takes 'python' or 'node', not 'ruby'"));
  assert.throws(() => parse(["demo", "--fast"]), new UsageError("unknown option --fast for demo"));
});

test("bad usage is one clear message", () => {
  const cases: [string[], string][] = [
    [["jump"], "unknown command 'jump' (expected run, debug, dap or demo)"],
    [["run", "--frobnicate", "app.py"], "unknown option --frobnicate (see hotframe --help)"],
    [["run", "--quiet=yes", "app.py"], "unknown option --quiet=yes (see hotframe --help)"],
    [["run", "--python"], "--python needs a value"],
    [["run", "--watch=", "app.py"], "--watch needs a value"],
    [["run", "-m"], "-m needs a module name"],
    [["run", "-m", "--quiet"], "-m needs a module name"],
    [["run", "--quiet", "--verbose", "app.py"], "--quiet and --verbose exclude each other"],
  ];
  for (const [argv, message] of cases)
    assert.throws(() => parse(argv), new UsageError(message), argv.join(" "));
  assert.throws(() => parse(["run"]), {
    constructor: UsageError,
    message: /^run needs a program: hotframe run file\.py \| -m module \| file\.js/,
  });
});

test("the usage text lists every runtime's entry point and options", () => {
  const text = usage();
  assert.match(
    text,
    /hotframe run \[options\] <file\.py \| -m module \| file\.js\|\.cjs\|\.mjs\|\.ts\|\.cts\|\.mts>/,
  );
  for (const flag of [
    "--python <path>",
    "--node <path>",
    "--node-options <opts>",
    "--watch <dir>",
    "--no-color",
  ])
    assert.match(text, new RegExp(`\\n {2}${flag} +\\S`), flag);
  assert.match(
    text,
    /\n {2}python +pyproject\.toml, setup\.py, setup\.cfg, \.git\n {2}node +package\.json, \.git\n$/,
  );
});
