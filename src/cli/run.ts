import { existsSync, realpathSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { isatty } from "node:tty";
import type { AttachEndpoints, AttachOptions, AttachPoint, ClientHandler } from "../attach/attach-point.js";
import { AGENT_ENV } from "../protocol/messages.js";
import { type ExitInfo, type LaunchSpec, spawnProgram } from "../runtimes/program-host.js";
import { controllerFor, missingDebugger, RUNTIMES } from "../runtimes/registry.js";
import { LaunchError, type ProgramSpec, type RuntimeController } from "../runtimes/runtime.js";
import { at, EventLog, type SessionEvent } from "../session/events.js";
import type { Session } from "../session/session.js";
import { type RunArgs, UsageError } from "./args.js";
import type { TerminalReporter } from "./terminal.js";

/** A file is handed to the agent once it has been quiet this long after a save. */
export const QUIET_MS = 3;

export interface RunContext {
  /** The runtimes to pick from (the registry's; a test adds its own). */
  runtimes?: readonly RuntimeController[];
  /** Where hotframe's own lines go (default: stderr). */
  writeLine?: (line: string) => void;
  /** Serves a debugger that attaches (--attachable, --listen); default: the DAP adapter. */
  onClient?: ClientHandler;
}

/** `hotframe run`: returns the exit status to leave with (the program's own).
 *
 * The program is spawned as soon as it is known what to spawn, before the modules of the
 * session (agent connection, protocol, watcher, terminal) load: the interpreter starts while
 * node loads them. Its messages wait in the pipe until the session's agent connection reads them. */
export async function runCommand(
  args: RunArgs,
  cwd: string,
  { runtimes = RUNTIMES, writeLine, onClient }: RunContext = {},
): Promise<ExitInfo> {
  const controller = pickController(args, runtimes);
  const attach = await attachOptions(args);
  if (attach) requireDebugger(controller, args.attachable ? "--attachable" : "--listen", runtimes);
  const program = programSpec(args, controller, cwd);
  const log = openEventLog(args, cwd);
  const launch = await controller.launch(program);
  // An attachable program starts with its debugger dormant.
  const spec = attach ? { ...launch, env: { ...launch.env, [AGENT_ENV.debugger]: "attach" } } : launch;
  const spawned = { spec, startedAt: Date.now() }; // (file modification times are wall-clock times)
  const host = spawnProgram(spec, () => {}); // (its output is hotframe's own: nothing is piped)
  // Ctrl-C in a terminal reaches the whole foreground process group, the program included:
  // forwarding it too would interrupt the program twice. Elsewhere (kill -INT), pass it on.
  // (isatty, not process.stdin: making that stream now would make the program's stdin, a pipe
  // shared with it, non-blocking under it.)
  const release = handleSignals(host, isatty(0) ? () => {} : () => host.signal("SIGINT"));
  // Loaded only now (`hotframe run` starts the program sooner), and only when asked for.
  const [{ AgentProcess }, { Session }, { TerminalReporter }, attachModule, serveClient] = await Promise.all([
    import("../runtimes/agent-process.js"),
    import("../session/session.js"),
    import("./terminal.js"),
    attach ? import("../attach/attach-point.js") : undefined,
    attach ? (onClient ?? import("../dap/serve.js").then((m) => m.serveAttached)) : undefined,
  ]);
  const connect = (connectSpec: LaunchSpec) => new AgentProcess(connectSpec, () => host);
  const reporter = new TerminalReporter(
    { color: args.color, quiet: args.quiet, verbose: args.verbose, cwd },
    writeLine,
  );
  let attachPoint: AttachPoint | undefined;
  const onEvent = (event: SessionEvent) => {
    log?.write(event);
    reporter.event(event);
    attachPoint?.sessionEvent(event);
  };
  /** The program with its debugger dormant, and the servers a debugger attaches through. */
  const startAttachable =
    (options: AttachOptions, { AttachPoint }: AttachModule, serve: ClientHandler) =>
    (connectSpec: LaunchSpec) => {
      const agent = connect(connectSpec);
      const description = {
        hotframePid: process.pid,
        runtime: controller.name,
        program: args.entry.kind === "file" ? args.entry.path : `-m ${args.entry.name}`,
        cwd,
      };
      const warn = (message: string) => onEvent(at({ type: "warning", message }));
      const point = new AttachPoint(agent, description, program, serve, warn);
      attachPoint = point;
      agent.on("hello", (hello) =>
        point.open(hello.pid, options).then(
          (endpoints) => announce(endpoints, options, hello.pid, reporter),
          (error: Error) => warn(`cannot be attached to: ${error.message}`),
        ),
      );
      return agent;
    };
  const session = new Session({
    controller,
    program,
    quietMs: QUIET_MS,
    onEvent,
    onVerbose: (message) => reporter.verbose(message),
    launched: spawned,
    startAgent:
      attach && attachModule && serveClient ? startAttachable(attach, attachModule, serveClient) : connect,
  });
  try {
    return launched(await session.run(), controller);
  } finally {
    await attachPoint?.close();
    release();
    log?.close();
  }
}

type AttachModule = typeof import("../attach/attach-point.js");

/** A --listen token. node:crypto loads only here: `hotframe run` starts the program sooner without it. */
async function newToken(): Promise<string> {
  const { randomBytes } = await import("node:crypto");
  return randomBytes(16).toString("hex");
}

/** --attachable / --listen, with the token a --listen client must present (a new one per run). */
async function attachOptions(args: RunArgs): Promise<AttachOptions | undefined> {
  if (!args.attachable && !args.listen) return undefined;
  return {
    socket: args.attachable,
    ...(args.listen ? { tcp: { address: args.listen, token: await newToken() } } : {}),
  };
}

/** Where a debugger can attach; the token is printed once, here, even with --quiet. */
function announce(
  endpoints: AttachEndpoints,
  options: AttachOptions,
  pid: number,
  reporter: TerminalReporter,
): void {
  if (endpoints.socket)
    reporter.note(`attachable: hotframe attach --pid ${pid} (socket ${endpoints.socket})`);
  if (endpoints.port !== undefined && options.tcp) {
    const address = `${options.tcp.address.host}:${endpoints.port}`;
    reporter.note(
      `listening on ${address} for a debugger, token ${options.tcp.token} ` +
        `(HOTFRAME_TOKEN=${options.tcp.token} hotframe attach --address ${address})`,
      true,
    );
  }
}

/** `what` needs the runtime's debugger: refused, with the reason, for a runtime without one. */
export function requireDebugger(
  controller: RuntimeController,
  what: string,
  runtimes: readonly RuntimeController[],
): void {
  const missing = missingDebugger(controller, what, runtimes);
  if (missing) throw new UsageError(missing);
}

/** SIGINT goes to `onInterrupt`; SIGTERM and SIGHUP are forwarded to the program. Returns the
 * function that removes these handlers. */
export function handleSignals(session: Pick<Session, "signal">, onInterrupt: () => void): () => void {
  const onTerminate = () => session.signal("SIGTERM");
  const onHangup = () => session.signal("SIGHUP");
  process.on("SIGINT", onInterrupt);
  process.on("SIGTERM", onTerminate);
  process.on("SIGHUP", onHangup);
  return () => {
    process.off("SIGINT", onInterrupt);
    process.off("SIGTERM", onTerminate);
    process.off("SIGHUP", onHangup);
  };
}

/** `--events <file>`, opened (truncated) before the program starts. */
export function openEventLog(args: RunArgs, cwd: string): EventLog | undefined {
  if (!args.events) return undefined;
  try {
    return new EventLog(resolve(cwd, args.events));
  } catch (error) {
    throw new UsageError(`cannot write the events file ${args.events}: ${(error as Error).message}`);
  }
}

/** The program's exit, or the LaunchError of a program that could not be started at all. */
export function launched(exit: ExitInfo, controller: RuntimeController): ExitInfo {
  if (exit.spawnError) {
    const { flag, value } = controller.binaryOption;
    throw new LaunchError(`${exit.spawnError} (pick one with ${flag} ${value})`);
  }
  return exit;
}

export function pickController(args: RunArgs, runtimes: readonly RuntimeController[]): RuntimeController {
  const controller = controllerFor(args.entry, runtimes);
  if (controller) return controller;
  const extensions = runtimes.flatMap((r) => r.sourceExtensions).join(", ");
  throw new UsageError(
    args.entry.kind === "module"
      ? "no runtime runs a module by name (-m): give a source file"
      : `cannot tell how to run '${args.entry.path}': expected a file ending in ${extensions}`,
  );
}

export function programSpec(args: RunArgs, controller: RuntimeController, cwd: string): ProgramSpec {
  const own = [controller.binaryOption.flag, controller.runtimeOptions?.flag];
  const misplaced = [...args.runtimeOptions.keys()].find((flag) => !own.includes(flag));
  if (misplaced) throw new UsageError(`${misplaced} does not apply to a ${controller.name} program`);
  let entry: ProgramSpec["entry"];
  let programDir: string;
  if (args.entry.kind === "file") {
    const path = resolve(cwd, args.entry.path);
    if (!existsSync(path) || !statSync(path).isFile()) {
      throw new UsageError(`${args.entry.path}: no such file (looked in ${cwd})`);
    }
    entry = { kind: "file", path };
    programDir = dirname(realpathSync(path));
  } else {
    entry = args.entry;
    programDir = cwd;
  }
  let root: string;
  if (args.watch) {
    const watch = resolve(cwd, args.watch);
    if (!existsSync(watch) || !statSync(watch).isDirectory()) {
      throw new UsageError(`--watch ${args.watch}: no such folder`);
    }
    root = realpathSync(watch);
  } else {
    root = projectRoot(programDir, controller.rootMarkers);
  }
  const options = controller.runtimeOptions && args.runtimeOptions.get(controller.runtimeOptions.flag);
  return {
    entry,
    args: args.args,
    cwd,
    root,
    runtimeBinary: args.runtimeOptions.get(controller.binaryOption.flag),
    runtimeOptions: (options ?? "").split(/\s+/).filter((o) => o !== ""),
    instrumentDeps: args.instrumentDeps,
  };
}

/** The nearest folder at or above `start` holding one of `markers`; else `start` itself. */
function projectRoot(start: string, markers: readonly string[]): string {
  for (let dir = start; ; dir = dirname(dir)) {
    if (markers.some((marker) => existsSync(join(dir, marker)))) return dir;
    if (dirname(dir) === dir) return start;
  }
}
