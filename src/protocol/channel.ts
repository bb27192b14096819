import type { Duplex } from "node:stream";

/**
 * Newline-delimited JSON over a byte stream: the framing of the controller↔agent protocol.
 * Used by the controller side and by the Node agent; the Python agent implements the same framing.
 */
export class JsonLineChannel<In, Out> {
  /** Pieces of the line being received: a patch message can be megabytes in many chunks, and
   * re-scanning or re-joining everything received on each chunk would cost quadratic time. */
  private pending: string[] = [];

  constructor(
    private readonly stream: Duplex,
    private readonly onMessage: (message: In) => void,
    private readonly onBadLine: (line: string, error: unknown) => void,
  ) {
    stream.setEncoding("utf8");
    stream.on("data", (chunk: string) => this.receive(chunk));
  }

  private receive(chunk: string): void {
    let from = 0;
    for (let newline = chunk.indexOf("\n"); newline >= 0; newline = chunk.indexOf("\n", from)) {
      this.pending.push(chunk.slice(from, newline));
      const line = this.pending.join("");
      this.pending = [];
      from = newline + 1;
      if (line.trim() === "") continue;
      let message: In;
      try {
        message = JSON.parse(line) as In;
      } catch (error) {
        this.onBadLine(line, error);
        continue;
      }
      this.onMessage(message);
    }
    if (from < chunk.length) this.pending.push(chunk.slice(from));
  }

  send(message: Out): void {
    this.sendAll([message]);
  }

  /** Several messages in one write. */
  sendAll(messages: Out[]): void {
    if (!this.stream.destroyed && this.stream.writable)
      this.stream.write(messages.map((m) => `${JSON.stringify(m)}\n`).join(""));
  }
}
