import type { DebugCommand, DebugCommands } from "../../protocol/messages.js";

/**
 * What the debugger model needs of a runtime: requests to its agent, answered or refused (a
 * refusal rejects with an Error whose message is the agent's one-line reason). Events come back
 * through DebuggerModel.receive. AgentProcess is the real one; tests use a fake.
 */
export interface DebugBackend {
  request<C extends DebugCommand>(
    command: C,
    args: DebugCommands[C]["arguments"],
  ): Promise<DebugCommands[C]["body"]>;
}
