import { realpathSync, statSync } from "node:fs";
import { rejected } from "../protocol/results.js";
import {
  type AgentConnection,
  AgentProcess,
  type ExitInfo,
  type LaunchSpec,
} from "../runtimes/agent-process.js";
import type { ProgramSpec, RuntimeController } from "../runtimes/runtime.js";
import { at, type SessionEvent, type Untimed } from "./events.js";
import { readSource } from "./read-source.js";
import { rehearseSaveWhenIdle } from "./rehearse-save.js";
import { SETTLE_MS, type SourceChange, SourceWatcher } from "./watcher.js";

export interface SessionOptions {
  controller: RuntimeController;
  program: ProgramSpec;
  /** How long a file must be quiet after a save before it is patched in. */
  quietMs: number;
  /** Every reportable event, in order: the terminal and the event log listen here. */
  onEvent: (event: SessionEvent) => void;
  /** Detail for --verbose. */
  onVerbose: (message: string) => void;
  /** Starts the program with its agent (default: a real AgentProcess; tests pass a stand-in). */
  startAgent?: (spec: LaunchSpec) => AgentConnection;
  /** The program was spawned already (`hotframe run` spawns it before this module loads):
   * from this spec, at this time; `startAgent` then connects to it. */
  launched?: Launched;
}

/** A program spawned before its Session: what it was spawned from, and when (`Date.now()`, so
 * that a file saved since is caught up). */
export interface Launched {
  spec: LaunchSpec;
  startedAt: number;
}

/**
 * One run of one program: spawn it with its agent, watch its sources, and take every saved file
 * through the edit pipeline — read → send to the agent (which analyses, applies and verifies) →
 * report. Runtime-agnostic: all runtime knowledge is in the controller and its agent.
 */
export class Session {
  private agent: AgentConnection | undefined;
  /** Per file, the last content (or read error) handled: a repeat of it is not an edit. */
  private readonly lastHandled = new Map<string, string>();
  /** Files with a patch in flight, and the change that arrived meanwhile (the latest wins). */
  private readonly inFlight = new Map<string, SourceChange | undefined>();
  private readonly toldIgnored = new Set<string>();

  constructor(private readonly options: SessionOptions) {}

  /** Runs the program to its end; resolves with how it exited. Throws LaunchError before spawning. */
  async run(): Promise<ExitInfo> {
    const {
      controller,
      program,
      onVerbose,
      startAgent = (launch) => new AgentProcess(launch),
    } = this.options;
    const { spec, startedAt } = this.options.launched ?? {
      spec: await controller.launch(program),
      startedAt: Date.now(), // file modification times are wall-clock times
    };
    onVerbose(`spawning ${spec.command} ${spec.args.join(" ")}`);
    const agent = startAgent(spec);
    this.agent = agent;
    agent.on("hello", (hello) =>
      this.emit({ type: "started", runtime: controller.name, pid: hello.pid, root: program.root }),
    );
    // Only loaded files can be patched: their folders are watched as the program loads them.
    const extensions = [...controller.sourceExtensions, ...(controller.dataExtensions ?? [])];
    const watcher = new SourceWatcher(extensions, this.options.quietMs, (change) => {
      rehearsal.close(); // a real save came first: it is warm from now on
      this.onChange(change);
    });
    // The first save costs what a later one does: the save path ran once before it.
    const rehearsal = rehearseSaveWhenIdle(extensions, this.options.quietMs);
    void rehearsal.done.then((rehearsed) => rehearsed && onVerbose("rehearsed the save path"));
    agent.on("loaded", (file) => {
      rehearsal.loaded();
      watcher.watchLoaded(file, startedAt);
      onVerbose(`instrumented ${file}`);
    });
    agent.on("warning", (message, file) => this.emit({ type: "warning", message, file }));
    agent.on("protocolError", (message) => this.emit({ type: "warning", message }));
    const exit = await agent.exited;
    rehearsal.close();
    watcher.close();
    this.emit({ type: "exit", code: exit.code, signal: exit.signal });
    return exit;
  }

  /** Forward a signal to the program (hotframe itself keeps running until the program exits). */
  signal(signal: NodeJS.Signals): void {
    this.agent?.signal(signal);
  }

  private emit(event: Untimed<SessionEvent>): void {
    this.options.onEvent(at(event));
  }

  private onChange(change: SourceChange): void {
    const file = canonical(change.file);
    if (this.inFlight.has(file)) {
      const queued = this.inFlight.get(file);
      this.inFlight.set(file, { ...change, file, seenAt: queued?.seenAt ?? change.seenAt });
      return;
    }
    this.inFlight.set(file, undefined);
    void this.handle(file, change)
      .catch((error: unknown) =>
        // A bug of hotframe's own must not take the program down with it: say it and go on.
        this.emit({ type: "warning", file, message: `internal error while patching: ${String(error)}` }),
      )
      .finally(() => {
        const queued = this.inFlight.get(file);
        this.inFlight.delete(file);
        if (queued) this.onChange(queued);
      });
  }

  private async handle(file: string, { seenAt, settled, catchUp }: SourceChange): Promise<void> {
    const agent = this.agent;
    if (!agent?.running) return;
    if (!agent.loadedFiles.has(file)) {
      if (!this.toldIgnored.has(file)) {
        this.toldIgnored.add(file);
        this.options.onVerbose(`ignored ${file}: the program has not imported it`);
      }
      return;
    }
    const read = readSource(file);
    if (
      read.ok &&
      read.text.trim() === "" &&
      (!settled || !(await staysEmpty(file, Buffer.byteLength(read.text))))
    ) {
      // Truncate-then-write saves show an empty file for a moment (longer on a loaded machine):
      // only the settled re-read sends an empty text (and the agent refuses it, docs/protocol.md),
      // and only if the file stays as it is for a settling time more: the settled re-read of one
      // save can come as the next save is truncating the file (whose own events follow), and on a
      // loaded machine the editor can be descheduled between its two steps for a long while.
      this.options.onVerbose(`${file} is empty: waiting for the save to finish`);
      return;
    }
    if (!read.ok && read.gone && !settled) {
      // Some editors save by removing the file and creating it again: the settled re-read decides.
      this.options.onVerbose(`${file} is gone: waiting for the save to finish`);
      return;
    }
    const handledKey = read.ok ? read.text : `\0${read.error.message}`;
    if (this.lastHandled.get(file) === handledKey) return;
    this.lastHandled.set(file, handledKey);
    const result = read.ok ? await agent.patch(file, read.text) : rejected(read.error);
    // A file modified while the program started, that already runs as it is: nothing to say.
    if (catchUp && result.outcome === "applied" && result.functions.length === 0) return;
    this.emit({
      type: "edit",
      file,
      outcome: result.outcome,
      functions: result.functions,
      durationMs: Math.round((performance.now() - seenAt) * 10) / 10,
      ...(result.error ? { error: result.error } : {}),
    });
  }
}

/** Still `size` bytes and unmodified a settling time from now: no save is under way. */
async function staysEmpty(file: string, size: number): Promise<boolean> {
  const before = statSync(file, { throwIfNoEntry: false });
  if (before?.size !== size) return false;
  await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
  const after = statSync(file, { throwIfNoEntry: false });
  return after?.mtimeMs === before.mtimeMs && after.size === size;
}

/** The agents report real paths; the watcher reports paths as found under the root. */
function canonical(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path; // deleted: it was under a real root, so the path is already canonical
  }
}
