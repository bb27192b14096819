import type { Duplex } from "node:stream";
import { DebugSession, Response } from "@vscode/debugadapter";
import type { DebugProtocol } from "@vscode/debugprotocol";

/**
 * A DAP peer that answers every request with the same error, so the editor shows the reason
 * (VS Code shows the message of the failed `initialize`). `once`: close the connection after the
 * first answer (a refused client); otherwise keep answering until the client leaves.
 */
export function refuseRequests(stream: Duplex, reason: string, { once }: { once: boolean }): void {
  const session = new RefusingSession(reason, once ? () => stream.end() : undefined);
  session.setRunAsServer(true); // a client leaving must not end hotframe (DebugSession would exit)
  session.start(stream, stream);
}

class RefusingSession extends DebugSession {
  constructor(
    private readonly reason: string,
    private readonly afterAnswer: (() => void) | undefined,
  ) {
    super();
  }

  protected override dispatchRequest(request: DebugProtocol.Request): void {
    this.sendResponse(new Response(request, this.reason));
    this.afterAnswer?.();
  }
}
