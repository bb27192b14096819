import assert from "node:assert/strict";
import { test } from "node:test";
import { nearestCommand, parseBreakTarget, parseCommand } from "../src/cli/debug-commands.js";
import type { DebugCommand, DebugCommands, FunctionOutcome, StackFrame } from "../src/protocol/messages.js";
import type { DebugBackend } from "../src/session/debugger/backend.js";
import { reportedEdit } from "../src/session/debugger/debug-session.js";
import { planRestart } from "../src/session/debugger/edit-rules.js";
import { type DebugNotice, DebuggerModel } from "../src/session/debugger/model.js";

function frame(id: number, name: string, line: number, extra: Partial<StackFrame> = {}): StackFrame {
  return { id, name, source: "/p/app.py", line, canRestart: true, runningOld: false, ...extra };
}

/** A runtime that answers like an agent, without a process: what the model asks is recorded. */
class FakeBackend implements DebugBackend {
  readonly requests: { command: DebugCommand; args: unknown }[] = [];
  frames: StackFrame[] = [];
  model!: DebuggerModel;

  request<C extends DebugCommand>(
    command: C,
    args: DebugCommands[C]["arguments"],
  ): Promise<DebugCommands[C]["body"]> {
    this.requests.push({ command, args });
    const specs = (args as { breakpoints?: { condition?: string }[] }).breakpoints ?? [];
    if (specs.some((b) => b.condition === "("))
      return Promise.reject(new Error("the condition does not compile: ("));
    return Promise.resolve(this.answer(command, args) as DebugCommands[C]["body"]);
  }

  private answer(command: DebugCommand, args: unknown): unknown {
    switch (command) {
      case "stackTrace":
        return { stackFrames: this.frames, totalFrames: this.frames.length };
      case "setBreakpoints": {
        const { source, breakpoints } = args as DebugCommands["setBreakpoints"]["arguments"];
        return {
          breakpoints: breakpoints.map((b) => ({
            id: b.id,
            verified: true,
            state: "moved",
            source,
            line: b.line + 1,
            requestedLine: b.line,
          })),
        };
      }
      case "setFunctionBreakpoints": {
        const { breakpoints } = args as DebugCommands["setFunctionBreakpoints"]["arguments"];
        return { breakpoints: breakpoints.map((b) => ({ id: b.id, verified: false, state: "pending" })) };
      }
      case "restartFrame":
        // The agent restarts the frame and pauses at the new first line.
        this.frames = [frame(9, "compute", 38), ...this.frames.slice(1).map((f) => ({ ...f }))];
        queueMicrotask(() => this.pause("restart"));
        return {};
      default:
        return {};
    }
  }

  /** What the agent sends when the thread stops (again). */
  pause(reason: "breakpoint" | "restart"): void {
    this.model.receive({
      type: "debugEvent",
      event: "resumed",
      body: { threadId: 1, allThreadsContinued: false },
    });
    const hitBreakpointIds = reason === "breakpoint" ? [1] : [];
    this.model.receive({
      type: "debugEvent",
      event: "paused",
      body: { reason, threadId: 1, threadName: "MainThread", allThreadsStopped: false, hitBreakpointIds },
    });
  }
}

function setUp(policy: "top" | "deepest" | "never" = "top"): {
  backend: FakeBackend;
  model: DebuggerModel;
  notices: DebugNotice[];
} {
  const backend = new FakeBackend();
  const model = new DebuggerModel(backend, policy);
  backend.model = model;
  const notices: DebugNotice[] = [];
  model.onNotice((n) => notices.push(n));
  return { backend, model, notices };
}

const COMPUTE_EDITED: FunctionOutcome[] = [
  {
    kind: "function",
    name: "compute",
    qualname: "compute",
    status: "running-old",
    code: "running",
    reason: "running in thread MainThread",
  },
];

test("an edit of the paused top frame restarts it and pauses at its new first line", async () => {
  const { backend, model, notices } = setUp();
  backend.frames = [frame(1, "compute", 42), frame(2, "main", 10)];
  backend.pause("breakpoint");
  const stop = await model.whenStopped();
  assert.equal(stop?.frames[0]?.line, 42);

  backend.frames = [frame(1, "compute", 42, { runningOld: true }), frame(2, "main", 10)];
  const aftermath = await model.afterEdit("/p/app.py", "applied", COMPUTE_EDITED);
  assert.deepEqual(aftermath?.restarted, { index: 0, function: "compute" });
  assert.deepEqual(
    aftermath?.functions.map((f) => [f.qualname, f.status, f.reason]),
    [["compute", "restarted", undefined]],
  );
  assert.deepEqual(backend.requests.find((r) => r.command === "restartFrame")?.args, { frameId: 1 });
  assert.deepEqual(model.stop?.restarted, { function: "compute", afterEdit: "/p/app.py" });
  assert.equal(model.stop?.frames[0]?.line, 38);
  assert.deepEqual(
    notices.filter((n) => n.type === "stopped").map((n) => n.type === "stopped" && n.stop.reason),
    ["breakpoint", "restart"],
  );
});

test("an edit of a deeper frame keeps the pause and says how to restart it", async () => {
  const { backend, model } = setUp();
  backend.frames = [
    frame(1, "helper", 5),
    frame(2, "compute", 42, { runningOld: true }),
    frame(3, "main", 10),
  ];
  backend.pause("breakpoint");
  await model.whenStopped();
  const aftermath = await model.afterEdit("/p/app.py", "applied", COMPUTE_EDITED);
  assert.equal(aftermath?.restarted, undefined);
  assert.equal(
    aftermath?.functions[0]?.reason,
    "(frame 1) still runs its old code — `restart 1` restarts it",
  );
  assert.ok(!backend.requests.some((r) => r.command === "restartFrame"), "nothing restarted");
  assert.equal(model.stop?.frames[0]?.name, "helper");
});

test("a rejected edit or an edit while running changes nothing", async () => {
  const { backend, model } = setUp();
  assert.equal(
    await model.afterEdit("/p/app.py", "applied", COMPUTE_EDITED),
    undefined,
    "running: nothing to do",
  );
  backend.frames = [frame(1, "compute", 42, { runningOld: true })];
  backend.pause("breakpoint");
  await model.whenStopped();
  assert.equal(await model.afterEdit("/p/app.py", "rejected", []), undefined);
  assert.ok(!backend.requests.some((r) => r.command === "restartFrame"));
});

test("the stop after a resume is found when it arrived before the resume's caller waited for it", async () => {
  const { backend, model, notices } = setUp();
  backend.frames = [frame(1, "compute", 42)];
  backend.pause("breakpoint");
  const first = (await model.whenStopped()) as NonNullable<Awaited<ReturnType<DebuggerModel["whenStopped"]>>>;
  await model.resume("continue");
  // The thread stops again, and the stop has fully arrived, before anyone waits for it.
  const arrived = new Promise<void>((resolve) =>
    model.onNotice((n) => {
      if (n.type === "stopped") resolve();
    }),
  );
  backend.pause("breakpoint");
  await arrived;
  const turn = new Promise<"none">((resolve) => setImmediate(() => resolve("none")));
  const next = await Promise.race([model.stopAfter(first), turn]);
  assert.notEqual(next, "none", "the stop that came first is the one after the resume");
  assert.notEqual(next, first);
  assert.equal(notices.filter((n) => n.type === "stopped").length, 2);
});

test("restart policies: top, deepest, never", () => {
  const frames = [
    frame(1, "helper", 1, { runningOld: true }),
    frame(2, "compute", 2, { runningOld: true }),
    frame(3, "<module>", 3, { runningOld: true, canRestart: false }),
  ];
  assert.deepEqual(planRestart(frames, "top"), {
    restart: 0,
    stillOld: [
      { index: 1, why: "not-restarted" },
      { index: 2, why: "cannot-restart" },
    ],
  });
  assert.deepEqual(planRestart(frames, "deepest"), {
    restart: 1,
    stillOld: [{ index: 2, why: "cannot-restart" }],
  });
  assert.equal(planRestart(frames, "never").restart, undefined);
  assert.equal(
    planRestart([frame(1, "a", 1), frame(2, "b", 2, { runningOld: true })], "top").restart,
    undefined,
  );
});

test("breakpoints are numbered by the model and take the agent's verdict (moved, pending)", async () => {
  const { backend, model, notices } = setUp();
  const entry = await model.breakLine("/p/app.py", 7, { condition: "x > 3" });
  assert.deepEqual([entry.number, entry.state, entry.line], [1, "moved", 8]);
  assert.deepEqual(backend.requests.at(-1)?.args, {
    source: "/p/app.py",
    breakpoints: [{ id: 1, line: 7, condition: "x > 3" }],
  });
  await model.change(1, { enabled: false });
  assert.deepEqual(
    backend.requests.at(-1)?.args,
    { source: "/p/app.py", breakpoints: [] },
    "a disabled breakpoint is not sent",
  );
  model.receive({
    type: "debugEvent",
    event: "breakpointChanged",
    body: { reason: "removed", breakpoint: { id: 1, verified: false, state: "removed" } },
  });
  assert.equal(model.breakpoints.all().length, 0);
  assert.deepEqual(
    notices.filter((n) => n.type === "breakpoint").map((n) => n.type === "breakpoint" && n.change),
    ["set", "changed", "removed"],
  );
});

test("a file's breakpoints replaced at once (DAP's setBreakpoints); a refused replacement keeps the old ones", async () => {
  const { backend, model } = setUp();
  await model.breakLine("/p/app.py", 3);
  await model.breakLine("/p/other.py", 5);
  const replaced = await model.replaceLines("/p/app.py", [{ line: 7 }, { line: 9, hitCondition: "2" }]);
  assert.deepEqual(
    replaced.map((e) => [e.number, e.requestedLine, e.line]),
    [
      [3, 7, 8],
      [4, 9, 10],
    ],
  );
  assert.deepEqual(backend.requests.at(-1)?.args, {
    source: "/p/app.py",
    breakpoints: [
      { id: 3, line: 7 },
      { id: 4, line: 9, hitCondition: "2" },
    ],
  });
  await assert.rejects(model.replaceLines("/p/app.py", [{ line: 1, condition: "(" }]), /does not compile/);
  assert.deepEqual(
    model.breakpoints.all().map((e) => [e.number, e.file]),
    [
      [2, "/p/other.py"],
      [3, "/p/app.py"],
      [4, "/p/app.py"],
    ],
  );
  const functions = await model.replaceFunctions([{ name: "compute", condition: "n > 1" }]);
  assert.deepEqual(backend.requests.at(-1)?.args, {
    breakpoints: [{ id: functions[0]?.number, name: "compute", condition: "n > 1" }],
  });
});

test("an edit while paused as the views report it: a restarted function is said by the stop", () => {
  const event = {
    type: "edit" as const,
    file: "/p/app.py",
    outcome: "applied" as const,
    durationMs: 1,
    time: "t",
    functions: [
      { kind: "function" as const, name: "compute", qualname: "compute", status: "restarted" as const },
    ],
  };
  const restarted = { index: 0, function: "compute" };
  assert.equal(
    reportedEdit({ type: "pausedEdit", event, aftermath: { functions: event.functions, restarted } }),
    undefined,
  );
  const other = { kind: "function" as const, name: "total", qualname: "total", status: "updated" as const };
  const both = { ...event, functions: [...event.functions, other] };
  assert.deepEqual(
    reportedEdit({ type: "pausedEdit", event: both, aftermath: { functions: both.functions, restarted } })
      ?.functions,
    [other],
  );
  assert.equal(
    reportedEdit({ type: "pausedEdit", event: both }),
    both,
    "nothing restarted: the edit as it is",
  );
});

test("the prompt's parser: pdb's names, evaluation of the rest, break targets", () => {
  assert.deepEqual(parseCommand("c"), { kind: "command", name: "continue", argument: "" });
  assert.deepEqual(parseCommand("b app.py:42 if x > 3"), {
    kind: "command",
    name: "break",
    argument: "app.py:42 if x > 3",
  });
  assert.deepEqual(parseCommand("p = 3"), { kind: "evaluate", expression: "p = 3" }, "an assignment is code");
  assert.deepEqual(parseCommand("n.value"), { kind: "evaluate", expression: "n.value" });
  assert.deepEqual(parseCommand("!c"), { kind: "evaluate", expression: "c" });
  assert.deepEqual(parseCommand("   "), { kind: "empty" });
  assert.deepEqual(parseBreakTarget("app.py:42 if x > 3"), {
    kind: "line",
    file: "app.py",
    line: 42,
    condition: "x > 3",
  });
  assert.deepEqual(parseBreakTarget("Order.total"), { kind: "function", name: "Order.total" });
  assert.match(parseBreakTarget("app.py:") as string, /cannot read/);
  assert.equal(nearestCommand("contnue"), "continue");
  assert.equal(nearestCommand("wheer"), "where");
  assert.equal(nearestCommand("xyzzy"), undefined);
});
