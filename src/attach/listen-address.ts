/**
 * `--listen 127.0.0.1:N` and `hotframe attach --address 127.0.0.1:N`: a TCP address on the
 * loopback interface only (hotframe never opens a port other machines can reach). A decision is a
 * value: the address, or the one-line reason it is refused.
 */
export interface LoopbackAddress {
  host: "127.0.0.1";
  /** 0 asks the system for a free port (the one bound is printed). */
  port: number;
}

export type ParsedAddress = { ok: true; address: LoopbackAddress } | { ok: false; reason: string };

export function parseLoopbackAddress(text: string): ParsedAddress {
  const match = /^(.*):(\d{1,5})$/.exec(text);
  const port = match ? Number(match[2]) : NaN;
  if (!match || port > 65535) {
    return { ok: false, reason: `'${text}' is not an address: expected 127.0.0.1:<port>` };
  }
  if (match[1] !== "127.0.0.1") {
    return {
      ok: false,
      reason:
        `hotframe listens on 127.0.0.1 only, not on ${match[1]}: from another machine or a container, ` +
        "run `hotframe attach` there (ssh host hotframe attach …, docker exec -i … hotframe attach …)",
    };
  }
  return { ok: true, address: { host: "127.0.0.1", port } };
}
