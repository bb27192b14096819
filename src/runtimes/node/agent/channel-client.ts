import { Socket } from "node:net";
import { JsonLineChannel } from "../../../protocol/channel.js";
import type { AgentMessage, ControllerMessage } from "../../../protocol/messages.js";

/**
 * The agent's end of the pipe to the controller: an inherited socket (never TCP), unref'd so a
 * program that finishes exits as it would under plain node.
 */
export function connect(
  fd: number,
  onMessage: (message: ControllerMessage) => void,
): JsonLineChannel<ControllerMessage, AgentMessage> {
  const socket = new Socket({ fd, readable: true, writable: true });
  socket.unref();
  socket.on("error", () => {
    // The controller went away: the program keeps running, unpatched, as plain node would.
  });
  return new JsonLineChannel<ControllerMessage, AgentMessage>(socket, onMessage, () => {});
}
