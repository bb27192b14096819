import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Duplex } from "node:stream";
import { test } from "node:test";
import { DebugSession } from "@vscode/debugadapter";
import type { DebugProtocol } from "@vscode/debugprotocol";
import type { AttachTarget } from "../src/attach/attach-point.js";
import { attachSocketPath } from "../src/attach/location.js";
import { parseArgs, type RunArgs } from "../src/cli/args.js";
import { runCommand } from "../src/cli/run.js";
import { DapWire } from "./helpers/dap-wire.js";
import { CLI, HotframeRun, makeProject } from "./helpers/hotframe.js";
import { ObservedProcess } from "./helpers/observed-process.js";

/** Answers one line per line of input: the test sees the program go on by asking it. */
const ECHO = `import sys

for line in sys.stdin:
    print("echo", line.strip(), flush=True)
`;

/** Each test its own runtime folder: its attach sockets are its own. */
function runtimeEnv(): Record<string, string> {
  return { XDG_RUNTIME_DIR: mkdtempSync(join(tmpdir(), "hotframe-runtime-")) };
}

const mode = (path: string) => statSync(path).mode & 0o777;

async function echo(run: HotframeRun, text: string): Promise<string> {
  const from = run.stdout.length;
  run.write(`${text}\n`);
  return run.stdoutLine(/^echo /, from);
}

/** `hotframe attach …` as an editor runs it: DAP over its stdin/stdout. */
function attachClient(args: string[], env: Record<string, string>) {
  const child = spawn(process.execPath, [CLI, "attach", ...args], {
    env: { ...process.env, ...env },
    stdio: ["pipe", "pipe", "pipe"],
  });
  const observed = new ObservedProcess(child);
  const wire = new DapWire(Duplex.from({ readable: child.stdout, writable: child.stdin }));
  return { observed, wire };
}

function hotframe(args: string[], env: Record<string, string>) {
  return spawnSync(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, encoding: "utf8" });
}

/** `hotframe run --attachable` of the echo program, in its own runtime folder, once it is attachable. */
async function attachableEcho() {
  const env = runtimeEnv();
  const dir = makeProject({ "app.py": ECHO });
  const run = new HotframeRun(dir, ["--attachable", "app.py"], { env });
  const started = await run.started();
  const pid = started.type === "started" ? started.pid : 0;
  const line = await run.stderrLine(/^hotframe: attachable: /);
  return { env, dir, run, pid, line };
}

test("run --attachable: a 0600 socket named by the pid, one client at a time, the program outlives its clients", async () => {
  const { env, dir, run, pid, line } = await attachableEcho();
  const socket = join(env.XDG_RUNTIME_DIR as string, "hotframe", `${pid}.sock`);
  assert.equal(line, `hotframe: attachable: hotframe attach --pid ${pid} (socket ${socket})`);
  assert.equal(mode(socket), 0o600);
  assert.equal(mode(join(env.XDG_RUNTIME_DIR as string, "hotframe")), 0o700);
  assert.equal(hotframe(["attach", "--list"], env).stdout, `${pid}  python  app.py  (in ${dir})\n`);
  const listed = JSON.parse(hotframe(["attach", "--list", "--json"], env).stdout) as {
    pid: number;
    socket: string;
  }[];
  assert.deepEqual(
    listed.map((p) => [p.pid, p.socket]),
    [[pid, socket]],
  );

  const first = attachClient(["--pid", String(pid)], env);
  const answer = await first.wire.request("initialize", { adapterID: "hotframe" });
  assert.doesNotMatch(answer.message ?? "", /another debugger/);

  const second = attachClient(["--pid", String(pid)], env);
  const refusal = await second.wire.request("initialize", { adapterID: "hotframe" });
  assert.deepEqual(
    [refusal.success, refusal.message],
    [false, `another debugger is attached to pid ${pid}: detach it first`],
  );
  assert.equal((await second.observed.ended()).code, 0);

  // The client leaving does not end the program, and frees the place for the next one.
  first.wire.stream.end();
  assert.equal((await first.observed.ended()).code, 0);
  assert.equal(await echo(run, "still here"), "echo still here");
  const third = attachClient(["--pid", String(pid)], env);
  assert.doesNotMatch((await third.wire.request("initialize")).message ?? "", /another debugger/);
  third.wire.stream.end();
  await third.observed.ended();
  assert.equal(await echo(run, "and here"), "echo and here");

  run.child.stdin?.end();
  assert.equal((await run.ended()).code, 0);
  assert.deepEqual(readdirSync(join(env.XDG_RUNTIME_DIR as string, "hotframe")), []);
  assert.equal(
    hotframe(["attach", "--list"], env).stdout,
    "no attachable programs (start one with hotframe run --attachable)\n",
  );
});

test("the socket goes when hotframe is stopped by a signal, and attaching to it then says why not", async () => {
  const { env, run, pid } = await attachableEcho();
  const client = attachClient(["--pid", String(pid)], env);
  await client.wire.request("initialize");
  run.child.kill("SIGTERM");
  assert.equal((await run.ended()).signal, "SIGTERM");
  assert.equal((await client.observed.ended()).code, 0); // the program ended: so did its stream
  assert.equal(existsSync(join(env.XDG_RUNTIME_DIR as string, "hotframe", `${pid}.sock`)), false);
  const late = hotframe(["attach", "--pid", String(pid)], env);
  assert.equal(late.status, 1);
  assert.equal(
    late.stderr,
    `hotframe: no program with pid ${pid} is attachable (start it with hotframe run --attachable; hotframe attach --list shows them)\n`,
  );
});

test("run --listen: loopback only, a token printed once, a client without it gets nothing", async () => {
  const env = runtimeEnv();
  const dir = makeProject({ "app.py": ECHO });
  const refused = hotframe(["run", "--listen", "0.0.0.0:5678", "app.py"], { ...env, NO_COLOR: "1" });
  assert.equal(refused.status, 2);
  assert.match(
    refused.stderr,
    /^hotframe: --listen: hotframe listens on 127\.0\.0\.1 only, not on 0\.0\.0\.0: .*\n$/,
  );

  const run = new HotframeRun(dir, ["--quiet", "--listen", "127.0.0.1:0", "app.py"], { env });
  const line = await run.stderrLine(/^hotframe: listening on /);
  const [, address, token] =
    /^hotframe: listening on (127\.0\.0\.1:\d+) for a debugger, token ([0-9a-f]{32}) /.exec(line) ?? [];
  assert.ok(address && token, line);
  assert.equal(run.stderr.filter((l) => l.includes(token)).length, 1);
  assert.deepEqual(readdirSync(env.XDG_RUNTIME_DIR as string), []); // no socket without --attachable

  const wrong = attachClient(["--address", address], { HOTFRAME_TOKEN: "0".repeat(32) });
  wrong.wire.send({ seq: 1, type: "request", command: "initialize", arguments: {} });
  assert.equal((await wrong.observed.ended()).code, 1);
  assert.deepEqual(wrong.wire.messages, []);
  assert.equal(
    wrong.observed.output.stderr,
    `hotframe: ${address} closed the connection: the token is wrong (hotframe run --listen printed it)\n`,
  );

  const client = attachClient(["--address", address], { HOTFRAME_TOKEN: token });
  const answer = await client.wire.request("initialize", { adapterID: "hotframe" });
  assert.equal(answer.command, "initialize");
  client.wire.stream.end();
  await client.observed.ended();
  assert.equal(await echo(run, "on"), "echo on");
  run.child.stdin?.end();
  assert.equal((await run.ended()).code, 0);
});

/** The seam the DAP adapter plugs into: a DebugSession serving the attached client's stream. */
class ThreadsOnly extends DebugSession {
  constructor(private readonly target: AttachTarget) {
    super();
  }

  protected override threadsRequest(response: DebugProtocol.ThreadsResponse): void {
    void this.target.backend.request("threads", {}).then((body) => {
      response.body = { threads: body.threads.map((t) => ({ id: t.id, name: t.name })) };
      this.sendResponse(response);
    });
  }
}

test("a client handler gets the live program: its debug requests reach the agent, and leaving ends nothing", async () => {
  process.env.XDG_RUNTIME_DIR = runtimeEnv().XDG_RUNTIME_DIR;
  // signal.pause(), not sigwait: SIGTERM is not blocked in the agent's threads, so sigwait would
  // take it only when the kernel picks the main thread (exit 0), else the default action kills.
  const dir = makeProject({ "app.py": "import signal\n\nwhile True:\n    signal.pause()\n" });
  let attachable: (line: string) => void = () => {};
  const announced = new Promise<string>((resolve) => (attachable = resolve));
  const targets: AttachTarget[] = [];
  const args = parseArgs(["run", "--attachable", "app.py"], {}, false) as RunArgs;
  const exited = runCommand(args, dir, {
    writeLine: (line) => line.includes("attachable:") && attachable(line),
    onClient: (stream, target) => {
      targets.push(target);
      const session = new ThreadsOnly(target);
      session.setRunAsServer(true);
      session.start(stream, stream);
    },
  });
  const pid = Number(/--pid (\d+)/.exec(await announced)?.[1]);
  const client = await DapWire.connect({ path: attachSocketPath(pid) });
  const threads = (await client.request("threads")) as DebugProtocol.ThreadsResponse;
  assert.deepEqual(
    threads.body.threads.map((t) => t.name),
    ["MainThread"],
  );
  assert.deepEqual([targets[0]?.pid, targets[0]?.runtime], [pid, "python"]);
  client.stream.end();
  await client.closed;
  process.kill(pid, "SIGTERM"); // still there to be stopped: the client's leaving did not end it
  assert.deepEqual(await exited, { code: null, signal: "SIGTERM" });
  assert.equal(existsSync(attachSocketPath(pid)), false);
});
