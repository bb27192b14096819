import type { AttachTarget } from "../attach/attach-point.js";
import type { ExitInfo } from "../runtimes/agent-process.js";
import { type DebuggedProgram, type DebugNews, DebugNewsFeed } from "../session/debugger/debug-session.js";
import type { RestartOnEdit } from "../session/debugger/edit-rules.js";
import type { DebuggerModel } from "../session/debugger/model.js";

/**
 * A program running under `hotframe run --attachable` / `--listen`, as the client that attached
 * debugs it. The run's Session already watches and patches its files: its edits arrive as
 * session events (through the target) and go to the model like a launched program's do.
 * Nothing here outlives the client's stream: the attach point drops these listeners and puts
 * the agent's debugger back to sleep when it closes.
 */
export class AttachedProgram implements DebuggedProgram {
  private readonly feed: DebugNewsFeed;
  /** Resolves with how the program exited, if it does while the client is attached. */
  readonly ended: Promise<ExitInfo>;

  constructor(
    private readonly target: AttachTarget,
    restartOnEdit: RestartOnEdit,
  ) {
    this.feed = new DebugNewsFeed(target.backend, restartOnEdit);
    let markEnded: (exit: ExitInfo) => void = () => {};
    this.ended = new Promise((resolve) => (markEnded = resolve));
    target.onDebugEvent((event) => this.model.receive(event));
    target.onSessionEvent((event) => {
      if (event.type === "exit") {
        this.model.programExited();
        markEnded({ code: event.code, signal: event.signal as NodeJS.Signals | null });
      }
      this.feed.sessionEvent(event);
    });
  }

  get model(): DebuggerModel {
    return this.feed.model;
  }

  get loadedFiles(): ReadonlySet<string> {
    return this.target.loadedFiles;
  }

  onNews(listener: (news: DebugNews) => void): void {
    this.feed.onNews(listener);
  }

  signal(signal: NodeJS.Signals): void {
    this.target.signal(signal);
  }
}
