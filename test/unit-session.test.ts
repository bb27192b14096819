import assert from "node:assert/strict";
import { EventEmitter } from "node:events";
import { realpathSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import type { PatchResult } from "../src/protocol/messages.js";
import type {
  AgentConnection,
  AgentProcessEvents,
  ExitInfo,
  LaunchSpec,
} from "../src/runtimes/agent-process.js";
import type { SessionEvent } from "../src/session/events.js";
import { Session } from "../src/session/session.js";
import { makeProject } from "./helpers/hotframe.js";
import { Recorder } from "./helpers/recorder.js";
import { stubController } from "./helpers/stub-runtime.js";

/**
 * The program and its agent, in memory: it answers each patch with `answer` and records what it
 * was sent. The session under test watches real files.
 */
class FakeAgent extends EventEmitter<AgentProcessEvents> implements AgentConnection {
  readonly loadedFiles = new Set<string>();
  readonly patches = new Recorder<{ file: string; source: string }>();
  readonly signals: NodeJS.Signals[] = [];
  running = true;
  readonly exited: Promise<ExitInfo>;
  private settleExit: (info: ExitInfo) => void = () => {};

  constructor(
    readonly spec: LaunchSpec,
    private readonly answer: (source: string) => PatchResult,
  ) {
    super();
    this.exited = new Promise((resolve) => (this.settleExit = resolve));
  }

  load(file: string): void {
    this.loadedFiles.add(file);
    this.emit("loaded", file);
  }

  patch(file: string, source: string): Promise<PatchResult> {
    this.patches.push({ file, source });
    return Promise.resolve(this.answer(source));
  }

  signal(signal: NodeJS.Signals): void {
    this.signals.push(signal);
    this.exit({ code: null, signal });
  }

  exit(info: ExitInfo): void {
    this.running = false;
    this.settleExit(info);
  }
}

/** Every source is applied as "f updated"; an empty one is refused as the agents do. */
function answer(source: string): PatchResult {
  if (source.trim() === "")
    return {
      outcome: "rejected",
      functions: [],
      error: { kind: "refused", code: "empty-file", message: "empty" },
    };
  return {
    outcome: "applied",
    functions: [{ kind: "function", name: "f", qualname: "f", status: "updated" }],
  };
}

type EditEvent = Extract<SessionEvent, { type: "edit" }>;
const isEdit = (e: SessionEvent): e is EditEvent => e.type === "edit";

async function startSession(files: Record<string, string>) {
  const dir = realpathSync(makeProject(files));
  // Saved well before the program started: not a catch-up (watcher.ts) when their folder is watched.
  const before = new Date(Date.now() - 10_000);
  for (const name of Object.keys(files)) utimesSync(join(dir, name), before, before);
  const events = new Recorder<SessionEvent>();
  const verbose = new Recorder<string>();
  let started: (agent: FakeAgent) => void = () => {};
  const agentStarted = new Promise<FakeAgent>((resolve) => (started = resolve));
  const session = new Session({
    controller: stubController,
    program: {
      entry: { kind: "file", path: join(dir, "app.stub") },
      args: ["x"],
      cwd: dir,
      root: dir,
      runtimeOptions: [],
      instrumentDeps: false,
    },
    quietMs: 3,
    onEvent: events.push,
    onVerbose: verbose.push,
    startAgent: (spec) => {
      const agent = new FakeAgent(spec, answer);
      started(agent);
      return agent;
    },
  });
  const run = session.run();
  const agent = await agentStarted;
  return { dir, session, run, agent, events, verbose };
}

test("the session launches what the controller says, reports hello, patches saves of loaded files, reports exit", async () => {
  const { dir, run, agent, events } = await startSession({ "app.stub": "a = 1\n" });
  assert.deepEqual(agent.spec.args.slice(-2), [join(dir, "app.stub"), "x"]);
  agent.emit("hello", { type: "hello", protocol: 2, runtime: "python", pid: 42, runtimeVersion: "3.11" });
  const file = join(dir, "app.stub");
  agent.load(file);
  writeFileSync(file, "a = 2\n");
  const edit = await events.next(isEdit);
  assert.deepEqual(agent.patches.items[0], { file, source: "a = 2\n" });
  assert.equal(edit.file, file);
  assert.equal(edit.outcome, "applied");
  assert.deepEqual(edit.functions, [{ kind: "function", name: "f", qualname: "f", status: "updated" }]);
  assert.ok(edit.durationMs >= 0);
  agent.emit("warning", "after-patch hook raised", file);
  agent.emit("protocolError", "unreadable message from the agent: x");
  agent.exit({ code: 4, signal: null });
  assert.deepEqual(await run, { code: 4, signal: null });
  assert.deepEqual(
    events.items.map(({ time: _time, ...rest }) => (rest.type === "edit" ? rest.type : rest)),
    [
      { type: "started", runtime: "stub", pid: 42, root: dir },
      "edit",
      { type: "warning", message: "after-patch hook raised", file },
      { type: "warning", message: "unreadable message from the agent: x" },
      { type: "exit", code: 4, signal: null },
    ],
  );
});

test("an idle session rehearses its save path on a scratch file of its own, and sends nothing of it", async () => {
  const { dir, run, agent, events, verbose } = await startSession({ "app.stub": "a = 1\n" });
  const file = join(dir, "app.stub");
  agent.load(file);
  await verbose.next((l) => l === "rehearsed the save path");
  assert.deepEqual(agent.patches.items, []);
  writeFileSync(file, "a = 2\n");
  assert.equal((await events.next(isEdit)).outcome, "applied");
  assert.deepEqual(agent.patches.items, [{ file, source: "a = 2\n" }]);
  agent.exit({ code: 0, signal: null });
  await run;
});

test("a save of the same content is not sent again; a file the program never loaded is not sent at all", async () => {
  const { dir, agent, events, verbose, session, run } = await startSession({
    "app.stub": "a = 1\n",
    "other.stub": "",
  });
  const file = join(dir, "app.stub");
  agent.load(file);
  writeFileSync(join(dir, "other.stub"), "b = 1\n");
  await verbose.next((l) => l === `ignored ${join(dir, "other.stub")}: the program has not imported it`);
  writeFileSync(file, "a = 2\n");
  await events.next(isEdit);
  const mark = events.mark();
  writeFileSync(file, "a = 2\n");
  writeFileSync(file, "a = 3\n");
  await events.next(isEdit, mark);
  // Each content once, in order (the settled re-reads of a handled content are skipped).
  assert.deepEqual(
    agent.patches.items.map((p) => p.source),
    ["a = 2\n", "a = 3\n"],
  );
  assert.ok(agent.patches.items.every((p) => p.file === file));
  assert.equal(events.items.filter(isEdit).length, 2);
  session.signal("SIGTERM");
  assert.deepEqual(agent.signals, ["SIGTERM"]);
  assert.deepEqual(await run, { code: null, signal: "SIGTERM" });
});

test("an emptied file waits for the save to settle, then is refused; a deleted file is reported", async () => {
  const { dir, agent, events, verbose, run } = await startSession({
    "app.stub": "a = 1\n",
    "lib.stub": "b = 1\n",
  });
  const file = join(dir, "app.stub");
  agent.load(file);
  agent.load(join(dir, "lib.stub"));
  writeFileSync(file, "");
  await verbose.next((l) => l === `${file} is empty: waiting for the save to finish`);
  const empty = await events.next(isEdit);
  assert.equal(empty.outcome, "rejected");
  assert.equal(empty.error?.kind, "refused");
  assert.ok(
    agent.patches.items.every((p) => p.source === ""),
    "only the settled empty file may reach the agent",
  );
  rmSync(join(dir, "lib.stub"));
  const gone = await events.next((e): e is EditEvent => isEdit(e) && e.file === join(dir, "lib.stub"));
  assert.equal(gone.outcome, "rejected");
  assert.equal(gone.error?.kind, "refused");
  assert.match(gone.error?.message ?? "", /deleted/);
  agent.exit({ code: 0, signal: null });
  await run;
});
