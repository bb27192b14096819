/**
 * What the DAP adapter and the launcher it has the editor's terminal run (terminal-launcher.ts)
 * say to each other, over the adapter's user-only Unix socket (location.ts's terminalSocketPath).
 * The launcher makes two connections: the control one (these messages, JSON lines) and the
 * agent's, which it hands to the program as its AGENT_FD: from its first line on, the agent's
 * pipe, exactly as if hotframe had spawned the program.
 */

/** The first line of each connection: which one it is. */
export type LauncherHello = { type: "control" } | { type: "agent" };

/** launcher → adapter, on the control connection. */
export type LauncherReport =
  /** The program ended (the launcher ends too, the same way). */
  | { type: "exited"; code: number | null; signal: NodeJS.Signals | null }
  /** The program could not be started at all: `message` says why (`cannot start python3: not found`). */
  | { type: "notStarted"; message: string };

/** adapter → launcher, on the control connection: send the program this signal. */
export interface LauncherOrder {
  type: "signal";
  signal: NodeJS.Signals;
}
