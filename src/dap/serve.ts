import { createServer } from "node:net";
import type { ClientHandler } from "../attach/attach-point.js";
import { UsageError } from "../cli/args.js";
import { RUNTIMES } from "../runtimes/registry.js";
import { HotframeAdapter } from "./adapter.js";
import { type DapArgs, LOOPBACK } from "./dap-args.js";

/** How long a program asked to run in a terminal has to connect back, unless HOTFRAME_TERMINAL_WAIT
 * (seconds) says otherwise: a terminal's shell may run slow start-up files first. */
const TERMINAL_WAIT_S = 30;

/** `hotframe dap`: resolves when the stdio session is over (with --port: when the server closes). */
export async function dapCommand(args: DapArgs, cwd: string): Promise<void> {
  const wait = Number(process.env.HOTFRAME_TERMINAL_WAIT);
  const context = {
    kind: "launch",
    runtimes: RUNTIMES,
    baseCwd: cwd,
    terminalWaitMs: (wait > 0 ? wait : TERMINAL_WAIT_S) * 1000,
  } as const;
  if (args.port === undefined) {
    const adapter = new HotframeAdapter(context);
    const stop = () => adapter.shutdown();
    for (const signal of ["SIGTERM", "SIGHUP", "SIGINT"] as const) process.on(signal, stop);
    adapter.start(process.stdin, process.stdout);
    await adapter.finished;
    return;
  }
  const server = createServer((socket) => {
    const adapter = new HotframeAdapter(context);
    socket.on("close", () => adapter.shutdown());
    adapter.start(socket, socket);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) =>
      reject(new UsageError(`cannot listen on ${LOOPBACK}:${args.port}: ${error.code ?? error.message}`)),
    );
    server.listen(args.port, LOOPBACK, resolve);
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : args.port;
  process.stderr.write(
    `hotframe dap: listening on ${LOOPBACK}:${port} (loopback only: this machine's clients)\n`,
  );
  await new Promise((resolve) => server.on("close", resolve));
}

/** The attach seam's client handler (`hotframe run --attachable` / `--listen`): an adapter for
 * each attached client, on its stream; the stream closing never ends the program. */
export const serveAttached: ClientHandler = (stream, target) =>
  new HotframeAdapter({ kind: "attach", target }).start(stream, stream);
