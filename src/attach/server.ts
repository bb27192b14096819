/**
 * The attach transport of `hotframe run`: a Unix domain socket (--attachable) or a loopback TCP
 * port guarded by a token (--listen), serving one client at a time. What a client's stream
 * carries (DAP) is the client handler's business; this module only decides who gets through.
 */
import { timingSafeEqual } from "node:crypto";
import { chmodSync, rmSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import type { LoopbackAddress } from "./listen-address.js";
import { refuseRequests } from "./refusal.js";

export type AttachEndpoint =
  | { kind: "socket"; path: string }
  /** The client's first line must be the token; anything else closes the connection unanswered. */
  | { kind: "tcp"; address: LoopbackAddress; token: string };

/** An unauthenticated TCP connection has this long to present its token. */
const TOKEN_WAIT_MS = 10_000;
/** How long closing waits for a client to take the last messages written to it. */
const CLOSE_WAIT_MS = 1000;
/** Longer than any first line (a token, a launcher's hello): a peer that sends more without a
 * newline is not a client. */
const MAX_FIRST_LINE = 256;

export class AttachServer {
  /** The connected client, if any: a second one is refused while it stays. */
  private client: Socket | undefined;
  /** Every open connection (admitted, refused or still to present its token), ended by close. */
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    private readonly endpoint: AttachEndpoint,
    private readonly onClient: (stream: Socket) => void,
    private readonly busyReason: string,
  ) {}

  /** Listens on the endpoint; `onClient` gets each admitted client's stream. `busyReason` is what
   * a second client is told while one is attached. */
  static async open(
    endpoint: AttachEndpoint,
    onClient: (stream: Socket) => void,
    busyReason: string,
  ): Promise<AttachServer> {
    const server = createServer();
    const attach = new AttachServer(server, endpoint, onClient, busyReason);
    server.on("connection", (socket) => attach.connected(socket));
    if (endpoint.kind === "socket") await listenOnUserSocket(server, endpoint.path);
    else
      await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(endpoint.address.port, endpoint.address.host, resolve);
      });
    return attach;
  }

  /** The TCP port bound (the one asked for, or the system's pick for port 0). */
  get port(): number | undefined {
    const address = this.server.address();
    return typeof address === "object" && address ? address.port : undefined;
  }

  /** Stops listening, ends the connections (what was written still reaches the client, unless it
   * stopped reading) and removes the socket file. */
  close(): Promise<void> {
    for (const socket of this.sockets) socket.end(() => socket.destroy());
    setTimeout(() => {
      for (const socket of this.sockets) socket.destroy();
    }, CLOSE_WAIT_MS).unref();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    if (this.endpoint.kind === "socket") rmSync(this.endpoint.path, { force: true });
    return closed;
  }

  private connected(socket: Socket): void {
    this.sockets.add(socket);
    socket.on("close", () => this.sockets.delete(socket));
    socket.on("error", () => {
      // A client that vanished mid-write: its 'close' follows, which is all that matters here.
    });
    if (this.endpoint.kind === "socket") this.admit(socket);
    else awaitToken(socket, this.endpoint.token, () => this.admit(socket));
  }

  private admit(socket: Socket): void {
    if (this.client) {
      refuseRequests(socket, this.busyReason, { once: true });
      return;
    }
    this.client = socket;
    socket.on("close", () => {
      if (this.client === socket) this.client = undefined;
    });
    this.onClient(socket);
    // Paused while its token was read: flowing again from the next tick, once the handler listens.
    if (socket.isPaused()) socket.resume();
  }
}

/** Admits `socket` (with the rest unread) when its first line is the token, else closes it. */
function awaitToken(socket: Socket, token: string, admit: () => void): void {
  readFirstLine(socket, TOKEN_WAIT_MS, (line) => {
    if (sameToken(line.trim(), token)) admit();
    else socket.destroy();
  });
}

/**
 * Listens on a Unix socket only this user can open: its folder is the user's own 0700 one
 * (location.ts), the socket itself is 0600. A socket file left by a killed process is replaced.
 */
export async function listenOnUserSocket(server: Server, path: string): Promise<void> {
  rmSync(path, { force: true });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(path, resolve);
  });
  chmodSync(path, 0o600);
}

/**
 * Calls `onLine` with the first line `socket` sends, leaving it paused with the rest unread; a
 * peer that sends no line within `waitMs`, or a longer one than any first line, is cut off.
 */
export function readFirstLine(socket: Socket, waitMs: number, onLine: (line: string) => void): void {
  let received = Buffer.alloc(0);
  socket.setTimeout(waitMs, () => socket.destroy());
  const onData = (data: Buffer) => {
    received = Buffer.concat([received, data]);
    const end = received.indexOf("\n");
    if (end < 0) {
      if (received.length > MAX_FIRST_LINE) socket.destroy();
      return;
    }
    socket.off("data", onData);
    socket.pause();
    socket.setTimeout(0);
    const rest = received.subarray(end + 1);
    if (rest.length > 0) socket.unshift(rest);
    onLine(received.subarray(0, end).toString("utf8"));
  };
  socket.on("data", onData);
}

function sameToken(given: string, token: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}
