import { createServer } from "node:net";
import type { ClientHandler } from "../attach/attach-point.js";
import { UsageError } from "../cli/args.js";
import { RUNTIMES } from "../runtimes/registry.js";
import { HotframeAdapter } from "./adapter.js";
import { type DapArgs, LOOPBACK } from "./dap-args.js";

/** `hotframe dap`: resolves when the stdio session is over (with --port: when the server closes). */
export async function dapCommand(args: DapArgs, cwd: string): Promise<void> {
  if (args.port === undefined) {
    const adapter = new HotframeAdapter({ kind: "launch", runtimes: RUNTIMES, baseCwd: cwd });
    const stop = () => adapter.shutdown();
    for (const signal of ["SIGTERM", "SIGHUP", "SIGINT"] as const) process.on(signal, stop);
    adapter.start(process.stdin, process.stdout);
    await adapter.finished;
    return;
  }
  const server = createServer((socket) => {
    const adapter = new HotframeAdapter({ kind: "launch", runtimes: RUNTIMES, baseCwd: cwd });
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
