import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { type AttachableAgent, AttachPoint, type AttachTarget } from "../src/attach/attach-point.js";
import { parseLoopbackAddress } from "../src/attach/listen-address.js";
import {
  attachFolder,
  attachSocketPath,
  describeAttachable,
  listAttachable,
  prepareAttachFolder,
  removeStaleTerminalSockets,
  terminalSocketPath,
} from "../src/attach/location.js";
import { AttachServer } from "../src/attach/server.js";
import { parseAttachArgs } from "../src/cli/attach.js";
import { parseArgs, type RunArgs, UsageError } from "../src/cli/args.js";
import { runCommand } from "../src/cli/run.js";
import type { DebugEvent } from "../src/protocol/messages.js";
import type { ProgramSpec } from "../src/runtimes/runtime.js";
import type { DebugProtocol } from "@vscode/debugprotocol";
import { DapWire } from "./helpers/dap-wire.js";
import { stubController } from "./helpers/stub-runtime.js";

/** This test process's own runtime folder: the attach folder is a fresh one inside it. */
process.env.XDG_RUNTIME_DIR = mkdtempSync(join(tmpdir(), "hotframe-runtime-"));

const mode = (path: string) => statSync(path).mode & 0o777;

test("the attach folder is $XDG_RUNTIME_DIR/hotframe, else hotframe-<uid> in the temporary folder", () => {
  assert.equal(attachFolder({ XDG_RUNTIME_DIR: "/run/user/1000" }), "/run/user/1000/hotframe");
  assert.equal(attachFolder({}), join(tmpdir(), `hotframe-${process.getuid?.()}`));
  assert.equal(
    attachSocketPath(4242, { XDG_RUNTIME_DIR: "/run/user/1000" }),
    "/run/user/1000/hotframe/4242.sock",
  );
});

test("the folder is made 0700, and an existing one opened to others is closed again", () => {
  const env = { XDG_RUNTIME_DIR: mkdtempSync(join(tmpdir(), "hotframe-runtime-")) };
  assert.equal(mode(prepareAttachFolder(env)), 0o700);
  const wide = mkdtempSync(join(tmpdir(), "hotframe-runtime-"));
  mkdirSync(join(wide, "hotframe"), { mode: 0o755 });
  assert.equal(mode(prepareAttachFolder({ XDG_RUNTIME_DIR: wide })), 0o700);
  const file = mkdtempSync(join(tmpdir(), "hotframe-runtime-"));
  writeFileSync(join(file, "hotframe"), "");
  assert.throws(() => prepareAttachFolder({ XDG_RUNTIME_DIR: file }), /is not a folder/);
});

test("--listen and --address take 127.0.0.1:<port> only, and say how to reach a program elsewhere", () => {
  assert.deepEqual(parseLoopbackAddress("127.0.0.1:5678"), {
    ok: true,
    address: { host: "127.0.0.1", port: 5678 },
  });
  assert.deepEqual(parseLoopbackAddress("127.0.0.1:0"), {
    ok: true,
    address: { host: "127.0.0.1", port: 0 },
  });
  for (const host of ["0.0.0.0", "localhost", "[::1]", "192.168.1.4", ""]) {
    const parsed = parseLoopbackAddress(`${host}:5678`);
    assert.equal(parsed.ok, false);
    assert.match(!parsed.ok ? parsed.reason : "", /127\.0\.0\.1 only, not on .*ssh host hotframe attach/);
  }
  for (const text of ["5678", "127.0.0.1", "127.0.0.1:99999", "127.0.0.1:http"]) {
    const parsed = parseLoopbackAddress(text);
    assert.match(!parsed.ok ? parsed.reason : "", /is not an address: expected 127\.0\.0\.1:<port>$/);
  }
  assert.throws(
    () => parseArgs(["run", "--listen", "0.0.0.0:5678", "app.py"], {}, false),
    (e) =>
      e instanceof UsageError &&
      /^--listen: hotframe listens on 127\.0\.0\.1 only, not on 0\.0\.0\.0/.test(e.message),
  );
  const run = parseArgs(["run", "--attachable", "--listen=127.0.0.1:0", "app.py"], {}, false);
  assert.equal(run.command === "run" && run.attachable, true);
  assert.deepEqual(run.command === "run" && run.listen, { host: "127.0.0.1", port: 0 });
});

test("hotframe attach takes one of --list, --pid, --address (with its token)", () => {
  assert.deepEqual(parseAttachArgs(["--list", "--json"], {}), {
    command: "attach",
    action: "list",
    json: true,
  });
  const byPid = parseAttachArgs(["--pid", "77"], {});
  assert.deepEqual(byPid.action === "bridge" && byPid.target, {
    kind: "socket",
    path: attachSocketPath(77),
    pid: 77,
  });
  const byAddress = parseAttachArgs(["--address=127.0.0.1:9000"], { HOTFRAME_TOKEN: "t0k" });
  assert.deepEqual(byAddress.action === "bridge" && byAddress.target, {
    kind: "tcp",
    address: { host: "127.0.0.1", port: 9000 },
    token: "t0k",
  });
  const refusals: [string[], RegExp][] = [
    [[], /^attach takes one of --list, --pid <pid>, --address/],
    [["--pid", "1", "--list"], /^attach takes one of/],
    [["--pid", "me"], /^--pid takes a process id, not 'me'$/],
    [["--address", "127.0.0.1:9000"], /needs the token hotframe run --listen printed: set HOTFRAME_TOKEN$/],
    [["--address", "0.0.0.0:9000", "--token", "x"], /^--address: hotframe listens on 127\.0\.0\.1 only/],
    [["--pid", "1", "--json"], /^--json goes with --list$/],
    [["--port", "1"], /^unknown option --port for attach/],
  ];
  for (const [argv, message] of refusals) {
    assert.throws(
      () => parseAttachArgs(argv, {}),
      (e) => e instanceof UsageError && message.test(e.message),
    );
  }
});

/** A server whose clients are collected, and who got each client's bytes. */
async function collectingServer(endpoint: Parameters<typeof AttachServer.open>[0]) {
  const clients: DapWire[] = [];
  let admitted: () => void = () => {};
  const server = await AttachServer.open(
    endpoint,
    (stream) => {
      clients.push(new DapWire(stream));
      admitted();
    },
    "another debugger is attached",
  );
  const nextClient = () =>
    new Promise<DapWire>((resolve) => (admitted = () => resolve(clients.at(-1) as DapWire)));
  return { server, clients, nextClient };
}

test("a socket server: 0600 socket in a 0700 folder, one client at a time, removed when closed", async () => {
  const path = join(prepareAttachFolder(), "1.sock");
  writeFileSync(path, ""); // left over by a killed run: replaced
  const { server, nextClient } = await collectingServer({ kind: "socket", path });
  assert.equal(mode(path), 0o600);
  assert.equal(mode(attachFolder()), 0o700);

  const admitted = nextClient();
  const first = await DapWire.connect({ path });
  const served = await admitted;
  first.send({ seq: 1, type: "request", command: "initialize", arguments: {} });
  assert.equal(
    ((await served.next((m) => m.type === "request")) as DebugProtocol.Request).command,
    "initialize",
  );

  const second = await DapWire.connect({ path });
  const refusal = await second.request("initialize", { adapterID: "hotframe" });
  assert.deepEqual(
    [refusal.success, refusal.command, refusal.message],
    [false, "initialize", "another debugger is attached"],
  );
  await second.closed; // refused: the server closes the connection after answering

  // The first client leaving frees the place; the server itself goes on.
  const readmitted = nextClient();
  first.stream.end();
  await served.closed;
  const third = await DapWire.connect({ path });
  await readmitted;
  await server.close();
  await third.closed;
  assert.equal(existsSync(path), false);
});

test("a TCP server admits a client whose first line is the token, and closes others unanswered", async () => {
  const token = "5ea1d8b8abaa82bd23a822730611eb04";
  const { server, nextClient } = await collectingServer({
    kind: "tcp",
    address: { host: "127.0.0.1", port: 0 },
    token,
  });
  const port = server.port as number;
  assert.ok(port > 0);
  for (const firstLine of ["wrong", `${token}x`, "", "Content-Length: 2\r\n\r\n{}"]) {
    const intruder = await DapWire.connect({ port, firstLine });
    await intruder.closed;
    assert.deepEqual(intruder.messages, []);
  }
  const admitted = nextClient();
  const client = await DapWire.connect({ port, firstLine: token });
  const served = await admitted;
  client.send({ seq: 1, type: "request", command: "initialize", arguments: {} });
  await served.next((m) => m.type === "request"); // what followed the token reached the handler intact
  const second = await DapWire.connect({ port, firstLine: token });
  assert.equal((await second.request("initialize")).message, "another debugger is attached");
  await server.close();
});

test("a TCP peer that sends a long line without the token is cut off", async () => {
  const { server } = await collectingServer({
    kind: "tcp",
    address: { host: "127.0.0.1", port: 0 },
    token: "t",
  });
  const socket: Socket = connect(server.port as number, "127.0.0.1");
  const closed = new Promise((resolve) => socket.on("close", resolve));
  socket.on("error", () => {});
  socket.write("x".repeat(1000));
  await closed;
  await server.close();
});

/** An agent stand-in that records the debug requests and signals it gets. */
class RecordingAgent implements AttachableAgent {
  readonly calls: string[] = [];
  readonly loadedFiles = new Set<string>();
  private listener: ((event: DebugEvent) => void) | undefined;
  debug: AttachableAgent["debug"] = (command) => {
    this.calls.push(command);
    return Promise.resolve({} as never);
  };
  on(_event: "debugEvent", listener: (event: DebugEvent) => void): this {
    this.listener = listener;
    return this;
  }
  signal(signal: NodeJS.Signals): void {
    this.calls.push(signal);
  }
  emit(event: DebugEvent): void {
    this.listener?.(event);
  }
}

const PROGRAM: ProgramSpec = {
  entry: { kind: "file", path: "/p/app.py" },
  args: [],
  cwd: "/p",
  root: "/p",
  runtimeOptions: [],
  instrumentDeps: false,
};

test("an attach point lists the program, hands clients the target, and detaches a client that debugged", async () => {
  const agent = new RecordingAgent();
  const targets: AttachTarget[] = [];
  const wires: DapWire[] = [];
  let served: () => void = () => {};
  const warnings: string[] = [];
  const point = new AttachPoint(
    agent,
    { hotframePid: process.pid, runtime: "python", program: "app.py", cwd: "/p" },
    PROGRAM,
    (stream, target) => {
      targets.push(target);
      wires.push(new DapWire(stream));
      served();
    },
    (message) => warnings.push(message),
  );
  const pid = process.pid;
  const endpoints = await point.open(pid, { socket: true });
  assert.equal(endpoints.socket, attachSocketPath(pid));
  assert.deepEqual(listAttachable(), [
    {
      hotframePid: process.pid,
      runtime: "python",
      program: "app.py",
      cwd: "/p",
      pid,
      socket: attachSocketPath(pid),
    },
  ]);

  // A client that never asked the debugger anything leaves: nothing to undo.
  let next = new Promise<void>((resolve) => (served = resolve));
  const idle = await DapWire.connect({ path: attachSocketPath(pid) });
  await next;
  idle.stream.end();
  await wires[0]?.closed;

  next = new Promise<void>((resolve) => (served = resolve));
  const client = await DapWire.connect({ path: attachSocketPath(pid) });
  await next;
  const target = targets[1] as AttachTarget;
  assert.deepEqual([target.pid, target.runtime, target.program], [pid, "python", PROGRAM]);
  const events: string[] = [];
  target.onDebugEvent((event) => events.push(event.event));
  target.onSessionEvent((event) => events.push(event.type));
  await target.backend.request("threads", {});
  agent.emit({ type: "debugEvent", event: "resumed", body: { threadId: 1, allThreadsContinued: false } });
  point.sessionEvent({ type: "warning", message: "w", time: "" });
  assert.deepEqual(events, ["resumed", "warning"]);
  target.signal("SIGTERM");
  client.stream.destroy(); // vanished without a word: hotframe detaches the debugger itself
  await wires[1]?.closed;
  assert.deepEqual(agent.calls, ["threads", "SIGTERM", "detach"]);
  // A client that left hears nothing more.
  point.sessionEvent({ type: "warning", message: "after", time: "" });
  assert.deepEqual(events, ["resumed", "warning"]);

  await point.close();
  assert.deepEqual(listAttachable(), []);
  assert.deepEqual(readdirSync(attachFolder()), []);
  assert.deepEqual(warnings, []);
});

test("listing skips and removes what a killed hotframe left behind", () => {
  const dead = spawnSync(process.execPath, ["-e", ""]).pid as number; // a pid that has exited
  prepareAttachFolder();
  writeFileSync(attachSocketPath(dead), "");
  describeAttachable({
    pid: dead,
    hotframePid: process.pid,
    runtime: "python",
    program: "a.py",
    cwd: "/",
    socket: attachSocketPath(dead),
  });
  writeFileSync(attachSocketPath(dead + 1), ""); // no description at all
  writeFileSync(terminalSocketPath(dead, 1), ""); // an adapter's, killed while its program ran
  writeFileSync(terminalSocketPath(process.pid, 1), ""); // a live adapter's: kept
  assert.deepEqual(listAttachable(), []);
  assert.deepEqual(readdirSync(attachFolder()), [`terminal-${process.pid}-1.sock`]);
  removeStaleTerminalSockets();
  assert.deepEqual(readdirSync(attachFolder()), [`terminal-${process.pid}-1.sock`]);
  rmSync(terminalSocketPath(process.pid, 1));
});

test("--attachable and --listen need a runtime with a debugger: refused before anything starts", async () => {
  const dir = mkdtempSync(join(tmpdir(), "hotframe-test-"));
  writeFileSync(join(dir, "app.stub"), "");
  for (const option of [["--attachable"], ["--listen", "127.0.0.1:0"]]) {
    const args = parseArgs(["run", ...option, "app.stub"], {}, false, [stubController]);
    await assert.rejects(
      runCommand(args as RunArgs, dir, { runtimes: [stubController] }),
      (e) =>
        e instanceof UsageError &&
        e.message === `${option[0]} needs the stub debugger, which is not done yet`,
    );
  }
});
