import { resolve } from "node:path";
import type { ExitInfo } from "../runtimes/agent-process.js";
import { RUNTIMES } from "../runtimes/registry.js";
import { DebugSession, loggedEvents, reportedEdit } from "../session/debugger/debug-session.js";
import { UsageError } from "./args.js";
import type { DebugArgs } from "./debug-args.js";
import { type CommandInput, LineInput, TerminalInput } from "./debug-input.js";
import { DebugTerminal } from "./debug-terminal.js";
import { DebugView, exitLine } from "./debug-view.js";
import {
  handleSignals,
  launched,
  openEventLog,
  pickController,
  programSpec,
  QUIET_MS,
  requireDebugger,
} from "./run.js";
import { TerminalReporter } from "./terminal.js";

/** Two Ctrl-C (or SIGINT) within this long end the program instead of pausing it. */
const KILL_WINDOW_MS = 1000;
/** `quit` ends the program as pdb does (its finally blocks run); killed if it takes longer. */
const QUIT_GRACE_MS = 2000;

/** `hotframe debug`: the program under the debugger; returns the exit status to leave with. */
export async function debugCommand(args: DebugArgs, cwd: string): Promise<ExitInfo> {
  const controller = pickController(args.run, RUNTIMES);
  requireDebugger(controller, "hotframe debug", RUNTIMES);
  if (args.run.attachable || args.run.listen) {
    throw new UsageError(
      "--attachable and --listen are options of hotframe run (hotframe debug is its own debugger)",
    );
  }
  const program = programSpec(args.run, controller, cwd);
  const { color, quiet, verbose } = args.run;
  const reporter = new TerminalReporter({ color, quiet, verbose, cwd });
  const log = openEventLog(args.run, cwd);
  const write = (line: string) => process.stderr.write(`${line}\n`);
  const view = new DebugView(cwd);
  const interactive = args.script === undefined && process.stdin.isTTY === true;

  const input: CommandInput = args.script
    ? LineInput.file(resolve(cwd, args.script), write)
    : interactive
      ? new TerminalInput((line) => terminal.completions(line))
      : new LineInput(process.stdin, write);

  const session = new DebugSession({
    controller,
    program,
    quietMs: QUIET_MS,
    restartOnEdit: args.restartOnEdit,
    stopAtEntry: args.stopAtEntry,
    // Commands read from a pipe are not the program's input: it gets an empty one.
    stdin: args.script === undefined && !interactive ? "ignore" : "inherit",
    output: "inherit",
    // `catch uncaught` is on by default, set before the program's first line runs.
    exceptionFilters: ["uncaught"],
    onVerbose: (message) => reporter.verbose(message),
    onWarning: (message) => write(`*** ${message}`),
  });
  const model = session.model;
  const terminal = new DebugTerminal(model, view, input, cwd, write);
  session.onNews((news) => {
    for (const event of loggedEvents(news)) log?.write(event);
    if (news.type === "session") reporter.event(news.event);
    if (news.type !== "pausedEdit") return;
    const shown = reportedEdit(news);
    if (shown) reporter.event(shown);
    if (news.aftermath?.restartRefused) write(`*** ${news.aftermath.restartRefused}`);
    if (news.stop) terminal.showStop(news.stop);
  });
  let quit = false;
  const commands = terminal.run().then(async (how) => {
    if (how === "exited") return;
    if (how === "no-more-commands") write("(no more commands: ending the program, as pdb does)");
    quit = true;
    if (!(await model.terminate(QUIT_GRACE_MS))) session.signal("SIGKILL");
  });

  let lastInterrupt = 0;
  const onInterrupt = () => {
    // In a terminal, Ctrl-C reaches the program itself: its agent pauses (a second one ends it).
    if (interactive) return;
    const now = Date.now();
    if (now - lastInterrupt < KILL_WINDOW_MS) session.signal("SIGINT");
    else void model.pause().catch((error: Error) => write(`*** ${error.message}`));
    lastInterrupt = now;
  };
  const release = handleSignals(session, onInterrupt);
  try {
    const exit = launched(await session.run(), controller);
    await commands;
    if (!quit) write(exitLine(exit));
    return quit ? { code: 0, signal: null } : exit;
  } finally {
    input.close();
    release();
    log?.close();
  }
}
