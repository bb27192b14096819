/**
 * `hotframe attach`: joins this process's stdin/stdout to an attachable program's DAP stream, so
 * any editor that runs a debug adapter as a command (VS Code, nvim-dap, dape) — or ssh / docker
 * exec — reaches the program: stdin/stdout here, the Unix socket or loopback port there.
 */
import { connect } from "node:net";
import type { Readable, Writable } from "node:stream";
import type { LoopbackAddress } from "./listen-address.js";

export type BridgeTarget =
  { kind: "socket"; path: string; pid: number } | { kind: "tcp"; address: LoopbackAddress; token: string };

/** How a bridge ended: the client or the program closed the stream, or it never got through. */
export type BridgeEnd = { ok: true } | { ok: false; reason: string };

export function bridge(target: BridgeTarget, input: Readable, output: Writable): Promise<BridgeEnd> {
  const where =
    target.kind === "socket" ? `pid ${target.pid}` : `${target.address.host}:${target.address.port}`;
  return new Promise((resolve) => {
    const socket =
      target.kind === "socket" ? connect(target.path) : connect(target.address.port, target.address.host);
    let answered = false;
    let connected = false;
    socket.on("connect", () => {
      connected = true;
      if (target.kind === "tcp") socket.write(`${target.token}\n`);
      input.pipe(socket);
    });
    socket.on("data", (data) => {
      answered = true;
      output.write(data);
    });
    socket.on("error", (error: NodeJS.ErrnoException) => {
      if (connected) return; // a write after the other side closed: 'close' says how it ended
      const missing = error.code === "ENOENT" || error.code === "ECONNREFUSED";
      resolve({
        ok: false,
        reason: missing
          ? target.kind === "socket"
            ? `no program with pid ${target.pid} is attachable (start it with hotframe run --attachable; hotframe attach --list shows them)`
            : `nothing listens on ${where} (start the program with hotframe run --listen ${where})`
          : `cannot reach ${where}: ${error.message}`,
      });
    });
    socket.on("close", () => {
      input.unpipe(socket);
      // A listener closes a connection unanswered only when its first line was not the token.
      if (target.kind === "tcp" && !answered && !input.readableEnded)
        resolve({
          ok: false,
          reason: `${where} closed the connection: the token is wrong (hotframe run --listen printed it)`,
        });
      else resolve({ ok: true });
    });
  });
}
