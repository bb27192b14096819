import { writeSync } from "node:fs";
import { Socket } from "node:net";
import { JsonLineChannel } from "../../../protocol/channel.js";
import type { AgentMessage, ControllerMessage } from "../../../protocol/messages.js";

/**
 * The agent's end of the pipe to the controller: an inherited socket (never TCP), unref'd so a
 * program that finishes exits as it would under plain node. The controller waits for the program
 * and never closes its end first, so the end of the input (or a broken pipe) means it is gone.
 */
export function connect(
  fd: number,
  onMessage: (message: ControllerMessage) => void,
): JsonLineChannel<ControllerMessage, AgentMessage> {
  const controller = process.ppid; // the controller spawned this process itself
  const socket = new Socket({ fd, readable: true, writable: true });
  socket.unref();
  socket.on("error", () => {
    // ECONNRESET / EPIPE: the controller is gone; "close" follows.
  });
  socket.on("close", () => controllerGone(controller));
  return new JsonLineChannel<ControllerMessage, AgentMessage>(socket, onMessage, () => {});
}

/**
 * `loaded` for `file`, sent with the others of the same tick in one write: a start that loads
 * 1,000 modules makes a few writes, not 1,000. (If the program exits in that tick, they are not
 * sent: nothing of it is left to patch.)
 */
export function announcer(channel: JsonLineChannel<ControllerMessage, AgentMessage>): (file: string) => void {
  let files: string[] | undefined;
  return (file) => {
    if (!files) {
      files = [];
      process.nextTick(() => {
        const announced = files ?? [];
        files = undefined;
        channel.sendAll(announced.map((f) => ({ type: "loaded", file: f })));
      });
    }
    files.push(file);
  };
}

/**
 * The controller died (SIGKILL, a crash) while the program runs: stop the program as a closed
 * terminal does, so it neither runs on unpatchable nor writes to a terminal nobody watches.
 * SIGHUP runs the program's own handlers, if it has any; otherwise it ends it.
 */
function controllerGone(pid: number): void {
  try {
    writeSync(2, `hotframe: the controller (pid ${pid}) is gone; stopping the program\n`);
  } catch {
    // stderr is gone too: stop the program all the same
  }
  process.kill(process.pid, "SIGHUP");
}
