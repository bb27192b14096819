import assert from "node:assert/strict";
import { test } from "node:test";
import { CAPABILITIES, REQUESTS } from "../src/dap/capabilities.js";
import * as convert from "../src/dap/convert.js";
import { parseDapArgs } from "../src/dap/dap-args.js";
import {
  isRefusal,
  type Launch,
  parseAttachArguments,
  parseLaunchArguments,
  programConsole,
} from "../src/dap/launch-arguments.js";
import { terminalRequest } from "../src/dap/terminal-program.js";
import { RUNTIMES } from "../src/runtimes/registry.js";
import type { RuntimeController } from "../src/runtimes/runtime.js";
import type { BreakpointEntry } from "../src/session/debugger/breakpoints.js";
import type { Stop } from "../src/session/debugger/model.js";

/** The registry's runtimes, with Node's debugger on (as it will be): the checks that need a
 * runtime that debugs, whichever one. */
const DEBUGGING: RuntimeController[] = RUNTIMES.map((r) => ({ ...r, debugs: true, launch: r.launch }));

function parse(raw: Record<string, unknown>, runtimes: readonly RuntimeController[] = DEBUGGING) {
  return parseLaunchArguments(raw, runtimes, "/work/project");
}

function refusal(raw: Record<string, unknown>, runtimes?: readonly RuntimeController[]): string {
  const parsed = parse(raw, runtimes);
  assert.ok(isRefusal(parsed), `expected a refusal for ${JSON.stringify(raw)}`);
  return `${parsed.argument}: ${parsed.message}`;
}

function launch(raw: Record<string, unknown>): Launch {
  const parsed = parse(raw);
  assert.ok(!isRefusal(parsed), `expected a launch for ${JSON.stringify(raw)}: ${JSON.stringify(parsed)}`);
  return parsed;
}

test("launch arguments: the runtime from the file, defaults, the interpreter, a relative cwd", () => {
  const python = launch({ program: "app.py", args: ["-v"], python: "/usr/bin/python3.12", cwd: "sub" });
  assert.equal(python.controller.name, "python");
  assert.deepEqual(python.run.entry, { kind: "file", path: "app.py" });
  assert.deepEqual(python.run.args, ["-v"]);
  assert.deepEqual([...python.run.runtimeOptions], [["--python", "/usr/bin/python3.12"]]);
  assert.equal(python.cwd, "/work/project/sub");
  assert.equal(python.stopOnEntry, false);
  assert.equal(python.restartOnEdit, "top");
  assert.equal(python.console, "internalConsole");
  assert.deepEqual(python.notes, []);
  for (const file of ["app.js", "app.mjs", "app.cjs", "app.ts", "app.mts", "app.cts"])
    assert.equal(launch({ program: file }).controller.name, "node", file);
  assert.deepEqual(launch({ module: "pkg.main" }).run.entry, { kind: "module", name: "pkg.main" });
  const set = launch({
    program: "app.ts",
    node: "/opt/node26",
    stopOnEntry: true,
    restartOnEdit: "never",
    instrumentDeps: true,
    env: { A: "1" },
  });
  assert.deepEqual([...set.run.runtimeOptions], [["--node", "/opt/node26"]]);
  assert.equal(set.stopOnEntry, true);
  assert.equal(set.restartOnEdit, "never");
  assert.equal(set.run.instrumentDeps, true);
  assert.deepEqual(set.env, { A: "1" });
});

test("launch arguments: each mistake is refused with the argument and what it takes", () => {
  const cases: [Record<string, unknown>, RegExp][] = [
    [{}, /^program: give either "program" \(a source file\) or "module"/],
    [{ program: "a.py", module: "a" }, /^program: give either/],
    [{ program: "app.rb" }, /^program: cannot tell how to run 'app\.rb': expected a file ending in \.py/],
    [{ program: "app.py", runtime: "node" }, /^runtime: the node runtime does not run 'app\.py'/],
    [{ module: "m", runtime: "node" }, /^runtime: the node runtime does not run a module by name/],
    [{ program: "app.py", runtime: "ruby" }, /^runtime: "runtime" takes "python", "node", not "ruby"/],
    [{ program: "app.py", node: "/bin/node" }, /^node: "node" does not apply to a python program/],
    [{ program: "app.py", restartOnEdit: "sideways" }, /"restartOnEdit" takes "top", "deepest", "never"/],
    [{ program: "app.py", stopOnEntry: "yes" }, /"stopOnEntry" takes true or false, not "yes"/],
    [{ program: "app.py", args: "-v" }, /"args" takes a list of strings, not "-v"/],
    [{ program: "app.py", env: { A: 1 } }, /"env\.A" takes a string, not 1/],
    [
      { program: "app.py", console: "browser" },
      /"console" takes "internalConsole", "integratedTerminal", "externalTerminal"/,
    ],
    [{ program: "" }, /"program" takes a non-empty string/],
  ];
  for (const [raw, expected] of cases) assert.match(refusal(raw), expected, JSON.stringify(raw));
  // A runtime whose debugger is not done is refused as such (Node's, on this branch).
  const node = RUNTIMES.find((r) => r.name === "node");
  if (node && !node.debugs)
    assert.match(
      refusal({ program: "app.js" }, RUNTIMES),
      /^runtime: hotframe dap needs the node debugger, which is not done yet \(hotframe dap works with python programs\)$/,
    );
});

test("launch arguments: what is ignored is said", () => {
  const noted = launch({
    program: "app.py",
    type: "hotframe",
    request: "launch",
    name: "x",
    __sessionId: "1",
    stopOnentry: true,
    console: "integratedTerminal",
  });
  assert.equal(noted.notes.length, 1);
  assert.equal(noted.console, "integratedTerminal");
  assert.match(
    noted.notes[0] as string,
    /^ignored launch argument "stopOnentry" \(hotframe's: program, module, args/,
  );
});

test("the console: a terminal when asked and the client runs them, else the Debug Console, said", () => {
  assert.deepEqual(programConsole("internalConsole", true), { kind: "debugConsole" });
  assert.deepEqual(programConsole("integratedTerminal", true), { kind: "terminal", terminal: "integrated" });
  assert.deepEqual(programConsole("externalTerminal", true), { kind: "terminal", terminal: "external" });
  const fallback = programConsole("externalTerminal", false);
  assert.equal(fallback.kind, "debugConsole");
  assert.match(
    (fallback as { note: string }).note,
    /^console "externalTerminal": this client does not run programs in a terminal \(it did not offer runInTerminal\), so the program runs in the Debug Console$/,
  );
});

test("attach arguments: the schema's, a pid as number or string, mistakes refused, the rest noted", () => {
  assert.deepEqual(parseAttachArguments({ processId: "4821", type: "hotframe", request: "attach" }), {
    processId: 4821,
    restartOnEdit: "top",
    notes: [],
  });
  assert.deepEqual(
    parseAttachArguments({ address: "127.0.0.1:5678", token: "ab", restartOnEdit: "never", pid: 1 }),
    {
      restartOnEdit: "never",
      notes: ['ignored attach argument "pid" (hotframe\'s: processId, address, token, restartOnEdit)'],
    },
  );
  const cases: [Record<string, unknown>, string][] = [
    [{ processId: "me" }, 'processId: "processId" takes a process id, not "me"'],
    [{ processId: true }, 'processId: "processId" takes a number or a string, not true'],
    [
      { address: "0.0.0.0:1" },
      'address: "address" takes a string matching ^127\\.0\\.0\\.1:\\d+$, not "0.0.0.0:1"',
    ],
    [{ restartOnEdit: "all" }, 'restartOnEdit: "restartOnEdit" takes "top", "deepest", "never", not "all"'],
  ];
  for (const [raw, expected] of cases) {
    const parsed = parseAttachArguments(raw);
    assert.ok(isRefusal(parsed), JSON.stringify(raw));
    assert.equal(`${parsed.argument}: ${parsed.message}`, expected);
  }
});

test("every request the capabilities announce has a handler", () => {
  const announced: Record<string, string> = {
    supportsConfigurationDoneRequest: "configurationDone",
    supportsFunctionBreakpoints: "setFunctionBreakpoints",
    supportsExceptionInfoRequest: "exceptionInfo",
    supportsCompletionsRequest: "completions",
    supportsSetVariable: "setVariable",
    supportsRestartFrame: "restartFrame",
    supportsLoadedSourcesRequest: "loadedSources",
    supportsBreakpointLocationsRequest: "breakpointLocations",
    supportsTerminateRequest: "terminate",
  };
  for (const [capability, request] of Object.entries(announced)) {
    assert.equal(CAPABILITIES[capability as keyof typeof CAPABILITIES], true, capability);
    assert.ok((REQUESTS as readonly string[]).includes(request), request);
  }
  for (const [capability, value] of Object.entries(CAPABILITIES))
    if (value === true && capability.endsWith("Request")) assert.ok(capability in announced, capability);
});

test("dap arguments: --port takes a port number", () => {
  assert.deepEqual(parseDapArgs([]), { command: "dap" });
  assert.deepEqual(parseDapArgs(["--port", "4711"]), { command: "dap", port: 4711 });
  assert.deepEqual(parseDapArgs(["--port=0"]), { command: "dap", port: 0 });
  assert.throws(
    () => parseDapArgs(["--port", "http"]),
    /--port takes a port number \(0 to 65535\), not 'http'/,
  );
  assert.throws(() => parseDapArgs(["--host", "0.0.0.0"]), /unknown option --host for dap/);
});

test("the model's shapes in DAP's: stop reasons, breakpoints, frames, exit codes", () => {
  const stop: Stop = {
    reason: "breakpoint",
    threadId: 1,
    threadName: "MainThread",
    frames: [],
    hitBreakpoints: [2],
  };
  const entries = new Map<number, BreakpointEntry>([
    [1, { number: 1, file: "/p/app.py", requestedLine: 3, line: 4, enabled: true, state: "moved" }],
    [2, { number: 2, function: "compute", enabled: true, state: "pending", message: "not loaded yet" }],
  ]);
  assert.equal(
    convert.stopReason(stop, (n) => entries.get(n)),
    "function breakpoint",
  );
  assert.equal(
    convert.stopReason({ ...stop, hitBreakpoints: [1] }, (n) => entries.get(n)),
    "breakpoint",
  );
  assert.equal(
    convert.stopReason({ ...stop, reason: "exception" }, (n) => entries.get(n)),
    "exception",
  );
  assert.deepEqual(convert.stopped({ ...stop, description: "the condition raised" }, "breakpoint"), {
    reason: "breakpoint",
    threadId: 1,
    allThreadsStopped: false,
    hitBreakpointIds: [2],
    description: "the condition raised",
    text: "the condition raised",
  });
  const zeroBased = { line: (n: number) => n - 1, column: (n: number) => n - 1 };
  assert.deepEqual(convert.breakpoint(entries.get(1) as BreakpointEntry, zeroBased), {
    id: 1,
    verified: true,
    source: { name: "app.py", path: "/p/app.py" },
    line: 3,
  });
  assert.deepEqual(convert.breakpoint(entries.get(2) as BreakpointEntry, zeroBased), {
    id: 2,
    verified: false,
    message: "not loaded yet",
    reason: "pending",
  });
  const frame = { id: 7, name: "compute", source: "/p/app.py", line: 16, canRestart: true, runningOld: true };
  assert.deepEqual(convert.stackFrame(frame, zeroBased), {
    id: 7,
    name: "compute (running old code: restart the frame for the new)",
    source: { name: "app.py", path: "/p/app.py" },
    line: 15,
    column: 0,
    canRestart: true,
  });
  assert.equal(convert.exitCode({ code: 3, signal: null }, { SIGTERM: 15 }), 3);
  assert.equal(convert.exitCode({ code: null, signal: "SIGTERM" }, { SIGTERM: 15 }), 143);
});

test("runInTerminal: the launcher runs the controller's command; the folder and the agent's environment", () => {
  const request = terminalRequest(
    {
      command: "python3",
      args: ["/agent/hotframe_boot.py", "/p/app.py", "a b"],
      env: { GREETING: "hi", HOTFRAME_DEBUGGER: "entry" },
      cwd: "/p",
      root: "/p",
    },
    "/run/user/1/hotframe/terminal-7-1.sock",
    { kind: "integrated", title: "hotframe: app.py" },
  );
  assert.equal(request.kind, "integrated");
  assert.equal(request.cwd, "/p");
  assert.equal(request.args[0], process.execPath);
  assert.match(request.args[1] as string, /dist\/src\/dap\/terminal-launcher\.js$/);
  assert.deepEqual(request.args.slice(2), [
    "/run/user/1/hotframe/terminal-7-1.sock",
    "python3",
    "/agent/hotframe_boot.py",
    "/p/app.py",
    "a b",
  ]);
  assert.deepEqual(request.env, {
    GREETING: "hi",
    HOTFRAME_DEBUGGER: "entry",
    HOTFRAME_FD: "3",
    HOTFRAME_PROTOCOL: "2",
    HOTFRAME_ROOT: "/p",
    HOTFRAME_INSTRUMENT_DEPS: "0",
  });
});
