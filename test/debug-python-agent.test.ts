import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import type { DebugCommands } from "../src/protocol/messages.js";
import { lineOf } from "./helpers/debug-run.js";
import { makeProject } from "./helpers/hotframe.js";
import { AgentRun, pythons } from "./helpers/python-agent.js";

/** Reads numbers from stdin; `probe` prints what a debugger leaves in the process. */
const APP = `import sys


def parse(text):
    return int(text)


def compute(n):
    doubled = n * 2
    return doubled


def probe():
    monitoring = getattr(sys, "monitoring", None)
    events = monitoring.get_events(monitoring.DEBUGGER_ID) if monitoring else 0
    local = monitoring.get_local_events(monitoring.DEBUGGER_ID, compute.__code__) if monitoring else 0
    compiled = "__hotframe_break__" in compute.__code__.co_names
    return "probe trace=%s compiled=%s events=%d local=%d" % (sys.gettrace() is not None, compiled, events, local)


total = 0
for line in sys.stdin:
    if line.strip() == "probe":
        print(probe(), flush=True)
        continue
    total += compute(parse(line.strip()))
    print("total", total, flush=True)
`;

const CLEAN = "probe trace=False compiled=False events=0 local=0";

/** The body of a successful answer (the test fails with the agent's message otherwise). */
async function body<C extends keyof DebugCommands>(
  agent: AgentRun,
  command: C,
  args: DebugCommands[C]["arguments"],
): Promise<DebugCommands[C]["body"]> {
  const answer = await agent.debug(command, args);
  assert.ok(answer.success, `${command}: ${answer.success ? "" : answer.message}`);
  return answer.body as DebugCommands[C]["body"];
}

for (const { version, path } of pythons().filter((p) =>
  ["3.10", "3.11", "3.12", "3.13"].includes(p.version),
)) {
  test(`Python ${version}: HOTFRAME_DEBUGGER=attach is dormant until a request; detach leaves nothing behind (every message to the schema)`, async () => {
    const dir = makeProject({ "app.py": APP });
    const app = join(dir, "app.py");
    const agent = new AgentRun({
      cwd: dir,
      entry: ["app.py"],
      python: path,
      env: { HOTFRAME_DEBUGGER: "attach" },
    });
    assert.equal(
      await agent.ask("probe", /^probe/),
      CLEAN,
      "dormant: no trace, no breakpoint code, no events",
    );
    await agent.ask("1", /^total 2$/);

    // The first request attaches the debugger.
    const set = await body(agent, "setBreakpoints", {
      source: app,
      breakpoints: [{ id: 1, line: lineOf(APP, "doubled = n * 2") }],
    });
    assert.deepEqual(
      set.breakpoints.map((b) => [b.id, b.state, b.line]),
      [[1, "verified", lineOf(APP, "doubled = n * 2")]],
    );
    await body(agent, "setExceptionBreakpoints", { filters: ["uncaught"] });
    const bogus = await agent.debug("setExceptionBreakpoints", { filters: ["everything"] });
    assert.equal(bogus.success, false);
    assert.equal(!bogus.success && bogus.code, "unknown-exception-filter");

    let from = agent.messages.length;
    agent.write("2\n");
    const paused = await agent.debugEvent("paused", from);
    assert.equal(paused.reason, "breakpoint");
    assert.deepEqual(paused.hitBreakpointIds, [1]);
    const threads = await body(agent, "threads", {});
    assert.ok(threads.threads.some((t) => t.id === paused.threadId));
    const stack = await body(agent, "stackTrace", { threadId: paused.threadId });
    assert.deepEqual(
      stack.stackFrames.map((f) => [f.name, f.line]),
      [
        ["compute", lineOf(APP, "doubled = n * 2")],
        ["<module>", lineOf(APP, "total += compute")],
      ],
    );
    const [locals] = (await body(agent, "scopes", { frameId: stack.stackFrames[0]?.id ?? 0 })).scopes;
    const variables = await body(agent, "variables", { variablesReference: locals?.variablesReference ?? 0 });
    assert.deepEqual(
      variables.variables.map((v) => [v.name, v.value]),
      [["n", "2"]],
    );
    assert.equal((await body(agent, "evaluate", { expression: "n * 10" })).result, "20");
    const notAnException = await agent.debug("exceptionInfo", { threadId: paused.threadId });
    assert.equal(!notAnException.success && notAnException.code, "not-an-exception");

    from = agent.messages.length;
    await body(agent, "detach", {});
    await agent.debugEvent("resumed", from);
    await agent.stdoutLine(/^total 6$/);
    assert.equal(await agent.ask("probe", /^probe/), CLEAN, "detached: tracing and monitoring are off");
    await agent.ask("3", /^total 12$/);
    assert.ok(
      !agent.messages.slice(from).some((m) => m.type === "debugEvent" && m.event === "paused"),
      "no pause after detach: its breakpoint and exception filter are gone",
    );

    // Attached again: an uncaught exception pauses where it is raised, and is described.
    await body(agent, "setExceptionBreakpoints", { filters: ["uncaught"] });
    from = agent.messages.length;
    agent.write("x\n");
    const crash = await agent.debugEvent("paused", from);
    assert.equal(crash.reason, "exception");
    const info = await body(agent, "exceptionInfo", { threadId: crash.threadId });
    assert.equal(info.exceptionId, "ValueError");
    assert.equal(info.description, "invalid literal for int() with base 10: 'x'");
    assert.equal(info.breakMode, "unhandled");
    assert.match(info.stackTrace ?? "", /^Traceback \(most recent call last\):\n/);
    assert.match(info.stackTrace ?? "", /line \d+, in parse\n {4}return int\(text\)\n/);
    assert.match(info.stackTrace ?? "", /ValueError: invalid literal for int\(\) with base 10: 'x'\n$/);

    // terminate: the program ends as with pdb's quit.
    await body(agent, "terminate", {});
    const exit = await agent.finish();
    assert.equal(exit.code, 0, exit.stderr);
  });
}

for (const { version, path } of pythons().filter((p) => ["3.10", "3.13"].includes(p.version))) {
  test(`Python ${version}: breakpointLocations lists the lines with code, of a loaded file and of one on disk (to the schema)`, async () => {
    const other = "x = 1\n\n\ndef f():\n    # a comment\n    return x\n";
    const dir = makeProject({ "app.py": APP, "other.py": other, "broken.py": "def (:\n" });
    const agent = new AgentRun({
      cwd: dir,
      entry: ["app.py"],
      python: path,
      env: { HOTFRAME_DEBUGGER: "attach" },
    });
    await agent.ask("1", /^total 2$/);
    const lines = async (file: string, line: number, endLine?: number) =>
      (
        await body(agent, "breakpointLocations", {
          source: join(dir, file),
          line,
          ...(endLine !== undefined ? { endLine } : {}),
        })
      ).breakpoints.map((b) => b.line);
    const computeDef = lineOf(APP, "def compute(n):");
    assert.deepEqual(await lines("app.py", computeDef - 2, computeDef + 4), [
      computeDef,
      computeDef + 1,
      computeDef + 2,
    ]);
    assert.deepEqual(await lines("app.py", computeDef + 1), [computeDef + 1]);
    assert.deepEqual(await lines("app.py", computeDef + 3), []);
    assert.deepEqual(await lines("other.py", 1, 6), [1, 4, 6]);
    assert.deepEqual(await lines("broken.py", 1, 5), []);
    assert.deepEqual(await lines("missing.py", 1, 5), []);
    const exit = await agent.finish();
    assert.equal(exit.code, 0, exit.stderr);
  });
}
