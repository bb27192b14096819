/**
 * The program's process, as hotframe starts it: what to spawn, the environment its agent reads, how
 * it ended. Kept apart from the agent's connection (agent-process.ts) so that `hotframe run` spawns
 * the program before the protocol's modules load.
 */
import { spawn } from "node:child_process";
import type { Duplex } from "node:stream";
import { AGENT_ENV, AGENT_FD, PROTOCOL_VERSION } from "../protocol/messages.js";

/** What a runtime controller asks to spawn: the program with its agent preloaded. */
export interface LaunchSpec {
  command: string;
  args: string[];
  /** Extra environment for the child, on top of hotframe's own environment. */
  env: Record<string, string>;
  cwd: string;
  /** The watched root: only modules under it are instrumented. */
  root: string;
  instrumentDeps?: boolean;
  /** The program's stdin: hotframe's own (the default), or nothing (`hotframe debug` reading
   * its commands from a pipe). */
  stdin?: "inherit" | "ignore";
  /** The program's stdout and stderr: hotframe's own (the default), or piped and told as
   * `output` events (the DAP adapter: its stdout carries the protocol). */
  output?: "inherit" | "pipe";
}

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Set when the program could not be started at all (e.g. the interpreter was not found). */
  spawnError?: string;
}

/** The program's process as its controller reaches it: the controller's end of the agent's pipe,
 * how the process ends, and its signals. A child hotframe spawns (`spawnProgram`), or one a
 * terminal runs for the DAP adapter (src/dap/terminal-program.ts). */
export interface ProgramHost {
  /** The controller's end of the pipe the program has as AGENT_FD. */
  readonly pipe: Duplex;
  /** Settles once the process has ended and what it wrote is read. */
  readonly exited: Promise<ExitInfo>;
  signal(signal: NodeJS.Signals): void;
}

/** Starts the program of `spec`; `onOutput` is told what it writes when its output is piped. */
export type ProgramStarter = (
  spec: LaunchSpec,
  onOutput: (stream: "stdout" | "stderr", text: string) => void,
) => ProgramHost;

/** The environment hotframe adds for the program's agent: the launch's own and the protocol's. */
export function agentEnvironment(spec: LaunchSpec): Record<string, string> {
  return {
    ...spec.env,
    [AGENT_ENV.fd]: String(AGENT_FD),
    [AGENT_ENV.protocol]: String(PROTOCOL_VERSION),
    [AGENT_ENV.root]: spec.root,
    [AGENT_ENV.instrumentDeps]: spec.instrumentDeps ? "1" : "0",
  };
}

/** Why `command` could not be started: `cannot start python3: not found`. */
export function spawnFailure(command: string, error: NodeJS.ErrnoException): string {
  return `cannot start ${command}: ${error.code === "ENOENT" ? "not found" : (error.code ?? error.message)}`;
}

/** The program as hotframe's own child, sharing hotframe's stdio (or piping its output). */
export const spawnProgram: ProgramStarter = (spec, onOutput) => {
  const output = spec.output ?? "inherit";
  const stdio: ("inherit" | "pipe" | "ignore")[] = [spec.stdin ?? "inherit", output, output];
  while (stdio.length < AGENT_FD) stdio.push("inherit");
  stdio.push("pipe"); // a socket pair: duplex, inherited by the child as AGENT_FD
  const child = spawn(spec.command, spec.args, {
    cwd: spec.cwd,
    stdio,
    env: { ...process.env, ...agentEnvironment(spec) },
  });
  for (const stream of ["stdout", "stderr"] as const) {
    const readable = child[stream];
    readable?.setEncoding("utf8");
    readable?.on("data", (text: string) => onOutput(stream, text));
  }
  const exited = new Promise<ExitInfo>((resolve) => {
    child.on("error", (error: NodeJS.ErrnoException) =>
      // spawn failed (e.g. ENOENT): report it as an exit so callers have one path.
      resolve({ code: 127, signal: null, spawnError: spawnFailure(spec.command, error) }),
    );
    // Piped output is all read once the streams close: told before the exit, never after.
    child.on(output === "pipe" ? "close" : "exit", (code, signal) => resolve({ code, signal }));
  });
  return {
    pipe: child.stdio[AGENT_FD] as Duplex,
    exited,
    signal: (signal) => child.kill(signal),
  };
};
