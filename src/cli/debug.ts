import { resolve } from "node:path";
import { AGENT_ENV } from "../protocol/messages.js";
import { AgentProcess, type ExitInfo } from "../runtimes/agent-process.js";
import { RUNTIMES } from "../runtimes/registry.js";
import { DebuggerModel } from "../session/debugger/model.js";
import { sessionEvents } from "../session/debugger/events.js";
import { at, type SessionEvent, type Untimed } from "../session/events.js";
import { Session } from "../session/session.js";
import { UsageError } from "./args.js";
import type { DebugArgs } from "./debug-args.js";
import { type CommandInput, LineInput, TerminalInput } from "./debug-input.js";
import { DebugTerminal } from "./debug-terminal.js";
import { DebugView } from "./debug-view.js";
import { handleSignals, launched, openEventLog, pickController, programSpec, QUIET_MS } from "./run.js";
import { TerminalReporter } from "./terminal.js";

/** Two Ctrl-C (or SIGINT) within this long end the program instead of pausing it. */
const KILL_WINDOW_MS = 1000;
/** `quit` ends the program as pdb does (its finally blocks run); killed if it takes longer. */
const QUIT_GRACE_MS = 2000;

/** `hotframe debug`: the program under the debugger; returns the exit status to leave with. */
export async function debugCommand(args: DebugArgs, cwd: string): Promise<ExitInfo> {
  const controller = pickController(args.run, RUNTIMES);
  if (!controller.debugs) {
    const debuggable = RUNTIMES.filter((r) => r.debugs).map((r) => r.name);
    throw new UsageError(
      `hotframe debug runs ${debuggable.join(", ")} programs for now (the ${controller.name} debugger is not done yet)`,
    );
  }
  const program = programSpec(args.run, controller, cwd);
  const { color, quiet, verbose } = args.run;
  const reporter = new TerminalReporter({ color, quiet, verbose, cwd });
  const log = openEventLog(args.run, cwd);
  const record = (event: Untimed<SessionEvent>) => log?.write(at(event));
  const write = (line: string) => process.stderr.write(`${line}\n`);
  const view = new DebugView(cwd);
  const interactive = args.script === undefined && process.stdin.isTTY === true;

  let model: DebuggerModel | undefined;
  let terminal: DebugTerminal | undefined;
  let commands: Promise<void> = Promise.resolve();
  let quit = false;
  const input: CommandInput = args.script
    ? LineInput.file(resolve(cwd, args.script), write)
    : interactive
      ? new TerminalInput((line) => terminal?.completions(line) ?? Promise.resolve([]))
      : new LineInput(process.stdin, write);

  const session: Session = new Session({
    controller,
    program,
    quietMs: QUIET_MS,
    onVerbose: (message) => reporter.verbose(message),
    startAgent: (spec) => {
      const agent = new AgentProcess({
        ...spec,
        env: { ...spec.env, [AGENT_ENV.debugger]: args.stopAtEntry ? "entry" : "continue" },
        // Commands read from a pipe are not the program's input: it gets an empty one.
        stdin: args.script === undefined && !interactive ? "ignore" : "inherit",
      });
      const debuggerModel = new DebuggerModel(
        { request: (command, a) => agent.debug(command, a) },
        args.restartOnEdit,
      );
      model = debuggerModel;
      // `catch uncaught` is on by default (sent before any command, so before the program runs
      // past its entry pause; with --continue an exception in its first moments may come first).
      void debuggerModel
        .setExceptionFilters(["uncaught"])
        .catch((error: Error) => write(`*** ${error.message}`));
      agent.on("debugEvent", (event) => debuggerModel.receive(event));
      debuggerModel.onNotice((notice) => {
        // A restart after an edit is recorded with the edit, after it (pausedEdit).
        if (notice.type === "stopped" && notice.stop.restarted?.afterEdit) return;
        for (const event of sessionEvents(notice)) record(event);
      });
      terminal = new DebugTerminal(debuggerModel, view, input, cwd, write);
      commands = terminal.run().then(async (how) => {
        if (how === "exited") return;
        if (how === "no-more-commands") write("(no more commands: ending the program, as pdb does)");
        quit = true;
        if (!(await debuggerModel.terminate(QUIT_GRACE_MS))) session.signal("SIGKILL");
      });
      return agent;
    },
    onEvent: (event) => {
      if (event.type === "edit" && model?.stop) {
        void pausedEdit(event);
        return;
      }
      log?.write(event);
      reporter.event(event);
    },
  });

  /** An edit saved while paused: the model decides what it does to the paused stack. */
  async function pausedEdit(event: Extract<SessionEvent, { type: "edit" }>): Promise<void> {
    const debuggerModel = model as DebuggerModel;
    const aftermath = await debuggerModel
      .afterEdit(event.file, event.outcome, event.functions)
      .catch(() => undefined);
    const shown = aftermath ? { ...event, functions: aftermath.functions } : event;
    log?.write(shown);
    const others = shown.functions.filter((f) => f.status !== "restarted");
    if (!aftermath?.restarted || others.length > 0 || shown.outcome !== "applied") {
      reporter.event({ ...shown, functions: aftermath?.restarted ? others : shown.functions });
    }
    if (aftermath?.restartRefused) write(`*** ${aftermath.restartRefused}`);
    const stop = debuggerModel.stop;
    if (aftermath?.restarted && stop) {
      terminal?.showStop(stop);
      for (const e of sessionEvents({ type: "stopped", stop })) record(e);
    }
  }

  let lastInterrupt = 0;
  const onInterrupt = () => {
    // In a terminal, Ctrl-C reaches the program itself: its agent pauses (a second one ends it).
    if (interactive) return;
    const now = Date.now();
    if (now - lastInterrupt < KILL_WINDOW_MS) session.signal("SIGINT");
    else void model?.pause().catch((error: Error) => write(`*** ${error.message}`));
    lastInterrupt = now;
  };
  const release = handleSignals(session, onInterrupt);
  try {
    const exit = launched(await session.run(), controller);
    model?.programExited();
    await commands;
    if (!quit)
      write(`the program exited${exit.signal ? ` (${exit.signal})` : ` with code ${exit.code ?? "?"}`}`);
    return quit ? { code: 0, signal: null } : exit;
  } finally {
    input.close();
    release();
    log?.close();
  }
}
