/**
 * Run by the editor's terminal for a DAP launch with `console: "integratedTerminal"` (the
 * adapter's runInTerminal request): `node terminal-launcher.js <socket> <command> [args…]`.
 * It connects back to the adapter over its user-only Unix socket, then runs the program (the
 * command hotframe's controller chose, with the environment and folder runInTerminal gave the
 * terminal) with the terminal's stdin, stdout and stderr, and the agent's connection as its
 * AGENT_FD: the agent talks to the adapter as if hotframe had spawned the program (its hello
 * says the pid). It reports how the program ended on its control connection, forwards the
 * adapter's signals, and ends as the program did.
 */
import { spawn } from "node:child_process";
import { connect, type Socket } from "node:net";
import { JsonLineChannel } from "../protocol/channel.js";
import { AGENT_FD } from "../protocol/messages.js";
import { spawnFailure } from "../runtimes/agent-process.js";
import type { LauncherHello, LauncherOrder, LauncherReport } from "./terminal-link.js";

/** The terminal sends these to its whole foreground job: the program gets them itself (Ctrl-C
 * pauses a program under hotframe's Node debugger), and the launcher stays to report its end. */
const TERMINAL_SIGNALS = ["SIGINT", "SIGQUIT", "SIGHUP"] as const;

function open(path: string, hello: LauncherHello): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(path);
    socket.once("error", reject);
    socket.once("connect", () => {
      // Read nothing of the agent's connection here: its bytes are the program's.
      if (hello.type === "agent") socket.pause();
      socket.write(`${JSON.stringify(hello)}\n`, () => resolve(socket));
    });
  });
}

async function launch(path: string, command: string, args: string[]): Promise<void> {
  let control: Socket;
  let agent: Socket;
  try {
    control = await open(path, { type: "control" });
    agent = await open(path, { type: "agent" });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    process.stderr.write(
      `hotframe: the debugger that asked for this terminal is gone (${code} on ${path}): start the program from the editor again\n`,
    );
    process.exitCode = 1;
    return;
  }
  for (const signal of TERMINAL_SIGNALS) process.on(signal, () => {});
  // Node made the descriptor non-blocking, and the program shares that flag: an agent expects the
  // blocking socket a spawned program inherits (Python's reads would fail with EAGAIN).
  (agent as unknown as { _handle: { setBlocking(blocking: boolean): number } })._handle.setBlocking(true);
  const stdio: ("inherit" | Socket)[] = Array.from({ length: AGENT_FD }, () => "inherit");
  const child = spawn(command, args, { stdio: [...stdio, agent] });
  agent.destroy(); // the program holds the agent's connection now
  let ended = false;
  const channel = new JsonLineChannel<LauncherOrder, LauncherReport>(
    control,
    (order) => {
      if (!ended) child.kill(order.signal);
    },
    () => {},
  );
  process.on("SIGTERM", () => child.kill("SIGTERM"));
  // The debugger went away without a word: the program goes with it, as under `hotframe dap`.
  control.on("close", () => {
    if (!ended) child.kill("SIGKILL");
  });
  control.on("error", () => {});
  child.on("error", (error: NodeJS.ErrnoException) => {
    ended = true;
    const message = spawnFailure(command, error);
    process.stderr.write(`hotframe: ${message}\n`);
    channel.send({ type: "notStarted", message });
    control.end();
    process.exitCode = 127;
  });
  child.on("exit", (code, signal) => {
    ended = true;
    channel.send({ type: "exited", code, signal });
    control.end(() => {
      if (!signal) process.exit(code ?? 1);
      for (const s of TERMINAL_SIGNALS) process.removeAllListeners(s);
      process.removeAllListeners("SIGTERM");
      process.kill(process.pid, signal);
    });
  });
}

const [path, command, ...args] = process.argv.slice(2);
if (path === undefined || command === undefined) {
  process.stderr.write("usage: terminal-launcher <socket> <command> [args…] (hotframe dap runs it)\n");
  process.exitCode = 2;
} else {
  await launch(path, command, args);
}
