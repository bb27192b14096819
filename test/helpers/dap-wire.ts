import { connect, type Socket } from "node:net";
import type { Duplex } from "node:stream";
import type { DebugProtocol } from "@vscode/debugprotocol";

/** Content-Length framing of DAP, both ways, over any stream: the tests' client and their handlers. */
export class DapWire {
  readonly messages: DebugProtocol.ProtocolMessage[] = [];
  /** Resolves when the stream closes (either side). */
  readonly closed: Promise<void>;
  private buffer = Buffer.alloc(0);
  private seq = 1;
  private waiters: (() => void)[] = [];

  constructor(readonly stream: Duplex) {
    stream.on("data", (data: Buffer) => this.take(data));
    stream.on("error", () => {});
    this.closed = new Promise((resolve) => stream.on("close", () => resolve()));
  }

  /** Connects to a Unix socket path, or to a loopback port sending `firstLine` before any DAP. */
  static connect(to: { path: string } | { port: number; firstLine: string }): Promise<DapWire> {
    const socket: Socket = "path" in to ? connect(to.path) : connect(to.port, "127.0.0.1");
    return new Promise((resolve, reject) => {
      socket.once("error", reject);
      socket.once("connect", () => {
        if ("firstLine" in to) socket.write(`${to.firstLine}\n`);
        resolve(new DapWire(socket));
      });
    });
  }

  send(message: object): void {
    const json = JSON.stringify(message);
    this.stream.write(`Content-Length: ${Buffer.byteLength(json)}\r\n\r\n${json}`);
  }

  /** Sends a request and resolves with its response. */
  async request(command: string, args: object = {}): Promise<DebugProtocol.Response> {
    const seq = this.seq++;
    this.send({ seq, type: "request", command, arguments: args });
    return (await this.next(
      (m) => m.type === "response" && (m as DebugProtocol.Response).request_seq === seq,
    )) as DebugProtocol.Response;
  }

  /** The first message (received so far or later) that matches. */
  next(match: (m: DebugProtocol.ProtocolMessage) => boolean): Promise<DebugProtocol.ProtocolMessage> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = this.messages.find(match);
        if (found) resolve(found);
        return found !== undefined;
      };
      if (check()) return;
      this.waiters.push(() => void check());
      void this.closed.then(() => check() || reject(new Error("the stream closed without that message")));
    });
  }

  private take(data: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, data]);
    for (;;) {
      const header = this.buffer.indexOf("\r\n\r\n");
      if (header < 0) break;
      const length = Number(/Content-Length: (\d+)/.exec(this.buffer.subarray(0, header).toString())?.[1]);
      if (this.buffer.length < header + 4 + length) break;
      const body = this.buffer.subarray(header + 4, header + 4 + length).toString();
      this.buffer = this.buffer.subarray(header + 4 + length);
      this.messages.push(JSON.parse(body) as DebugProtocol.ProtocolMessage);
    }
    for (const waiter of this.waiters) waiter();
  }
}
