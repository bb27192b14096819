import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import type { DebugProtocol } from "@vscode/debugprotocol";
import { DapClient, dapRuntimes, type RuntimeRow, type TerminalBehaviour } from "./helpers/dap-client.js";
import { makeProject } from "./helpers/hotframe.js";
import type { ObservedProcess } from "./helpers/observed-process.js";

/**
 * `console: "integratedTerminal"`: the adapter asks the client to run the program in a terminal
 * (runInTerminal); the test client runs the command in a POSIX shell as an editor's terminal
 * does, with pipes for the terminal's screen and keyboard.
 */
interface Row extends RuntimeRow {
  /** Prints its arguments and $GREETING, reads a name from stdin, prints `hello <name> <compute(len)>`
   * and exits with compute(len(name)); compute doubles. */
  app: string;
  /** compute triples. */
  edited: string;
  /** compute()'s first line. */
  computeFirst: number;
  /** Prints "running", then echoes each line it reads ("echo <line>") until its input ends. */
  waiting: string;
  /** How it shows ["a b", "it's", "$HOME"]. */
  argsShown: string;
}

const PYTHON_APP = `import os
import sys


def compute(n):
    total = n * 2
    return total


def main():
    print("args", sys.argv[1:], "env", os.environ.get("GREETING"), flush=True)
    name = input()
    result = compute(len(name))
    print("hello", name, result, flush=True)
    sys.exit(result)


main()
`;

const NODE_APP = `const readline = require("node:readline");

function compute(n) {
  const total = n * 2;
  return total;
}

console.log("args", JSON.stringify(process.argv.slice(2)), "env", process.env.GREETING);
const lines = readline.createInterface({ input: process.stdin });
lines.once("line", (name) => {
  lines.close();
  process.stdin.destroy(); // a pipe for stdin keeps node running even once paused
  const result = compute(name.length);
  console.log("hello", name, result);
  process.exitCode = result;
});
`;

const LANGUAGES: Record<RuntimeRow["language"], Omit<Row, keyof RuntimeRow>> = {
  python: {
    app: PYTHON_APP,
    edited: PYTHON_APP.replace("n * 2", "n * 3"),
    computeFirst: 6,
    waiting:
      'import sys\nprint("running", flush=True)\nfor line in sys.stdin:\n    print("echo", line.strip(), flush=True)\n',
    argsShown: `args ['a b', "it's", '$HOME'] env hi "there"`,
  },
  node: {
    app: NODE_APP,
    edited: NODE_APP.replace("n * 2", "n * 3"),
    computeFirst: 4,
    waiting:
      // The timer: JavaScript runs now and then, where a pause (Ctrl-C) can land.
      'const lines = require("node:readline").createInterface({ input: process.stdin });\nconst timer = setInterval(() => {}, 20);\nconsole.log("running");\nlines.on("line", (line) => console.log("echo", line));\nlines.on("close", () => clearInterval(timer));\n',
    argsShown: `args ["a b","it's","$HOME"] env hi "there"`,
  },
};

const ROWS: Row[] = dapRuntimes().map((runtime) => ({ ...runtime, ...LANGUAGES[runtime.language] }));

const clients: DapClient[] = [];
after(() => {
  for (const client of clients) client.kill();
});

async function start(
  row: Row,
  source: string,
  terminal: TerminalBehaviour | undefined,
  env: Record<string, string> = {},
): Promise<{ dap: DapClient; path: string }> {
  const dir = makeProject({ [row.file]: source });
  const dap = new DapClient(dir, { terminal, env });
  clients.push(dap);
  await dap.start();
  return { dap, path: join(dir, row.file) };
}

/** initialize (offering runInTerminal) and a launch that must fail: its error message. */
async function refusedLaunch(dap: DapClient, args: Record<string, unknown>): Promise<string> {
  await dap.initialize();
  return dap.refusal("launch", dap.client.launchRequest(args as DebugProtocol.LaunchRequestArguments));
}

/** The row's `waiting` program launched in a terminal, running: its client and terminal. */
async function waitingInTerminal(row: Row): Promise<{ dap: DapClient; terminal: ObservedProcess }> {
  const { dap, path } = await start(row, row.waiting, "run");
  await dap.launch({ program: path, ...row.launch, console: "integratedTerminal" });
  await dap.request("configurationDone", dap.client.configurationDoneRequest());
  const terminal = await dap.firstTerminal();
  await terminal.stdoutLine(/^running$/);
  return { dap, terminal };
}

async function exitCode(dap: DapClient): Promise<number> {
  const exited = await dap.event<DebugProtocol.ExitedEvent>("exited");
  await dap.event("terminated");
  return exited.body.exitCode;
}

for (const row of ROWS) {
  describe(`hotframe dap in a terminal, ${row.name}`, { skip: row.skip }, () => {
    test("the program runs in the terminal (its input and output); break, edit, restart, continue, the exit code", async () => {
      const { dap, path } = await start(row, row.app, "run");
      await dap.launch({
        program: path,
        ...row.launch,
        console: "integratedTerminal",
        args: ["a b", "it's", "$HOME"],
        env: { GREETING: 'hi "there"' },
      });
      const request = dap.terminalRequests[0] as DebugProtocol.RunInTerminalRequestArguments;
      assert.equal(request.kind, "integrated");
      assert.equal(request.cwd, join(path, ".."));
      await dap.request(
        "setBreakpoints",
        dap.client.setBreakpointsRequest({ source: { path }, breakpoints: [{ line: row.computeFirst }] }),
      );
      let from = dap.mark();
      await dap.request("configurationDone", dap.client.configurationDoneRequest());
      const terminal = await dap.firstTerminal();
      await terminal.stdoutLine(/^args /);
      assert.equal(terminal.stdout[0], row.argsShown);
      terminal.write("ada\n");
      const stop = await dap.stopped(from, "breakpoint");
      const threadId = stop.body.threadId as number;
      assert.equal((await dap.top(threadId)).name, "compute");
      assert.equal(await dap.evaluate(threadId, "n"), "3");

      from = dap.mark();
      writeFileSync(path, row.edited);
      await dap.stopped(from, "restart");
      const restarted = await dap.top(threadId);
      assert.equal(restarted.line, row.computeFirst);
      await dap.request(
        "setBreakpoints",
        dap.client.setBreakpointsRequest({ source: { path }, breakpoints: [] }),
      );
      await dap.request("continue", dap.client.continueRequest({ threadId }));
      assert.equal(await exitCode(dap), 9);
      await terminal.stdoutLine(/^hello ada 9$/);
      // The terminal's command ends as the program did.
      assert.equal((await terminal.ended()).code, 9);
      assert.equal(dap.output("stdout"), "");
      assert.match(dap.output("console"), /the program exited with code 9/);
      await dap.stop();
    });

    test("disconnect without terminateDebuggee: the program runs on in its terminal, to its end", async () => {
      const { dap, terminal } = await waitingInTerminal(row);
      terminal.write("before\n");
      await terminal.stdoutLine(/^echo before$/);
      await dap.request("disconnect", dap.client.disconnectRequest({ terminateDebuggee: false }));
      terminal.write("still here\n");
      await terminal.stdoutLine(/^echo still here$/);
      terminal.child.stdin?.end();
      assert.equal((await terminal.ended()).code, 0);
      assert.equal(await dap.ended(), 0);
    });

    test("Ctrl-C in the terminal pauses the program; it continues from there", async () => {
      const { dap, terminal } = await waitingInTerminal(row);
      const from = dap.mark();
      process.kill(-(terminal.child.pid as number), "SIGINT");
      const paused = await dap.stopped(from, "pause");
      terminal.write("after\n");
      await dap.request("continue", dap.client.continueRequest({ threadId: paused.body.threadId as number }));
      await terminal.stdoutLine(/^echo after$/);
      await dap.stop();
    });

    test("terminate ends the program in its terminal (the signal goes through the launcher)", async () => {
      const { dap, terminal } = await waitingInTerminal(row);
      await dap.request("terminate", dap.client.terminateRequest());
      assert.equal(await exitCode(dap), 128 + 15);
      // The launcher ends as the program did: by the same signal.
      assert.equal((await terminal.ended()).code, 128 + 15);
      await dap.stop();
    });

    test("closing the terminal ends the program: exited and terminated", async () => {
      const { dap, terminal } = await waitingInTerminal(row);
      process.kill(-(terminal.child.pid as number), "SIGHUP");
      assert.equal(await exitCode(dap), 128 + 1);
      assert.match(dap.output("console"), /the program exited \(SIGHUP\)/);
      await dap.stop();
    });
  });
}

describe("hotframe dap in a terminal: when it cannot be", () => {
  const row = ROWS[0] as Row;

  test("a client without runInTerminal: the Debug Console, and the client is told", async () => {
    const { dap, path } = await start(row, 'print("running", flush=True)\n', undefined);
    await dap.launch({ program: path, ...row.launch, console: "integratedTerminal" });
    await dap.request("configurationDone", dap.client.configurationDoneRequest());
    await dap.outputMatching("stdout", /^running\n/);
    assert.match(
      dap.output("important"),
      /console "integratedTerminal": this client does not run programs in a terminal \(it did not offer runInTerminal\), so the program runs in the Debug Console/,
    );
    assert.equal(await exitCode(dap), 0);
    await dap.stop();
  });

  test("a client that refuses runInTerminal: the launch fails and says so", async () => {
    const { dap, path } = await start(row, row.app, "refuse");
    const refused = await refusedLaunch(dap, { program: path, ...row.launch, console: "integratedTerminal" });
    assert.match(
      refused,
      /^the client did not run the program in a terminal \(this client does not run programs in a terminal\): set "console": "internalConsole"/,
    );
    await dap.stop();
  });

  test("an interpreter the terminal cannot find: the launch fails and says which, the terminal shows it", async () => {
    const { dap, path } = await start(row, row.app, "run");
    const refused = await refusedLaunch(dap, {
      program: path,
      python: "/nowhere/python3",
      console: "integratedTerminal",
    });
    assert.match(
      refused,
      /^cannot start \/nowhere\/python3: not found \(set "python" in the launch configuration\)$/,
    );
    const terminal = await dap.firstTerminal();
    assert.equal((await terminal.ended()).code, 127);
    assert.match(terminal.output.stderr, /^hotframe: cannot start \/nowhere\/python3: not found$/m);
    await dap.stop();
  });

  test("a terminal whose command never connects back: the launch fails after the wait", async () => {
    const { dap, path } = await start(row, row.app, "ignore", { HOTFRAME_TERMINAL_WAIT: "1" });
    const refused = await refusedLaunch(dap, { program: path, ...row.launch, console: "externalTerminal" });
    assert.equal(dap.terminalRequests[0]?.kind, "external");
    assert.match(
      refused,
      /^the program did not start in the terminal: its launcher did not connect back within 1 s/,
    );
    await dap.stop();
  });
});
