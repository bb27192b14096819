import type { Duplex } from "node:stream";

/**
 * Newline-delimited JSON over a byte stream: the framing of the controller↔agent protocol.
 * Used by the controller side and by the Node agent; the Python agent implements the same framing.
 */
export class JsonLineChannel<In, Out> {
  private buffered = "";

  constructor(
    private readonly stream: Duplex,
    onMessage: (message: In) => void,
    onBadLine: (line: string, error: unknown) => void,
  ) {
    stream.setEncoding("utf8");
    stream.on("data", (chunk: string) => {
      this.buffered += chunk;
      let newline = this.buffered.indexOf("\n");
      while (newline >= 0) {
        const line = this.buffered.slice(0, newline);
        this.buffered = this.buffered.slice(newline + 1);
        if (line.trim() !== "") {
          let message: In;
          try {
            message = JSON.parse(line) as In;
          } catch (error) {
            onBadLine(line, error);
            newline = this.buffered.indexOf("\n");
            continue;
          }
          onMessage(message);
        }
        newline = this.buffered.indexOf("\n");
      }
    });
  }

  send(message: Out): void {
    if (!this.stream.destroyed && this.stream.writable) this.stream.write(`${JSON.stringify(message)}\n`);
  }
}
