import assert from "node:assert/strict";
import { realpathSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { PROTOCOL_VERSION } from "../src/protocol/messages.js";
import { AgentProcess, type LaunchSpec } from "../src/runtimes/agent-process.js";
import { makeProject } from "./helpers/hotframe.js";
import { Recorder } from "./helpers/recorder.js";
import { STUB_AGENT } from "./helpers/stub-runtime.js";

/** AgentProcess with a real child: the stub runtime's agent (test/fixtures/stub-runtime/agent.mjs). */
function start(program: string, env: Record<string, string> = {}, command = process.execPath) {
  const dir = realpathSync(makeProject({ "app.stub": program }));
  const file = join(dir, "app.stub");
  const spec: LaunchSpec = { command, args: [STUB_AGENT, file], env, cwd: dir, root: dir };
  const agent = new AgentProcess(spec);
  const events = new Recorder<[string, ...unknown[]]>();
  for (const name of ["hello", "loaded", "warning", "protocolError"] as const)
    agent.on(name, (...args: unknown[]) => events.push([name, ...args]));
  return { agent, events, file };
}

test("hello and loaded arrive as events; a patch resolves with the agent's answer", async () => {
  const { agent, events, file } = start("price = 1\n");
  const [, hello] = await events.next((e) => e[0] === "hello");
  assert.deepEqual(
    { ...(hello as object), pid: 0 },
    { type: "hello", protocol: PROTOCOL_VERSION, runtime: "stub", pid: 0, runtimeVersion: "0.0" },
  );
  await events.next((e) => e[0] === "loaded" && e[1] === file);
  assert.deepEqual([...agent.loadedFiles], [file]);
  assert.equal(agent.running, true);
  assert.deepEqual(await agent.patch(file, "price = 2\n"), {
    outcome: "applied",
    functions: [{ kind: "function", name: "price", qualname: "price", status: "updated", line: 1 }],
  });
  agent.signal("SIGTERM");
  assert.deepEqual(await agent.exited, { code: null, signal: "SIGTERM" });
  assert.equal(agent.running, false);
});

test("an agent of another protocol version, and a line that is not JSON, are protocol errors", async () => {
  const { agent, events } = start("a = 1\n", { STUB_PROTOCOL: "1", STUB_GARBAGE: "1" });
  await events.next(
    (e) =>
      e[0] === "protocolError" && /^unreadable message from the agent: this is not JSON/.test(String(e[1])),
  );
  const [, mismatch] = await events.next((e) => e[0] === "protocolError" && /protocol/.test(String(e[1])));
  assert.equal(mismatch, `agent speaks protocol 1, controller ${PROTOCOL_VERSION}: reinstall hotframe`);
  agent.signal("SIGKILL");
  await agent.exited;
});

test("a program that exits during a patch: the patch is answered rejected, the exit status kept", async () => {
  const { agent, events, file } = start("a = 1\n");
  await events.next((e) => e[0] === "loaded");
  const result = await agent.patch(file, "crash = 5\n");
  assert.deepEqual(result, {
    outcome: "rejected",
    functions: [],
    error: {
      kind: "internal",
      code: "program-exited",
      message: "the program exited before the patch was applied",
    },
  });
  assert.deepEqual(await agent.exited, { code: 5, signal: null });
  // After the exit, a patch is answered at once, the same way.
  assert.equal((await agent.patch(file, "a = 2\n")).outcome, "rejected");
});

test("a binary that cannot be started is an exit with the reason", async () => {
  const { agent } = start("a = 1\n", {}, "/no/such/binary");
  assert.deepEqual(await agent.exited, {
    code: 127,
    signal: null,
    spawnError: "cannot start /no/such/binary: not found",
  });
  assert.equal(agent.running, false);
});
