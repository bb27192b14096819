import { extname } from "node:path";
import { type FSWatcher, watch } from "chokidar";

/** Folders that hold no user source (or far too many files to watch). */
const IGNORED_DIRS = new Set([
  "node_modules",
  ".git",
  "__pycache__",
  ".venv",
  "venv",
  ".tox",
  ".mypy_cache",
  ".pytest_cache",
  "dist",
  "build",
  ".hotframe-cache",
]);

interface PendingBurst {
  timer: NodeJS.Timeout;
  trailing: NodeJS.Timeout;
  /** When this burst was first seen; undefined once it was handed out. */
  seenAt: number | undefined;
}

export interface SourceChange {
  file: string;
  /** performance.now() when the first event of this burst was seen: latency is measured from it. */
  seenAt: number;
  /** The re-read after chokidar's throttle window: the burst is surely over by now. */
  settled: boolean;
}

/** chokidar drops further 'change' events of a path for 50 ms after one it reports. */
const CHOKIDAR_THROTTLE_MS = 50;

/**
 * Watches the source files of one runtime under a root and hands out one change per burst of saves:
 * a file is handed out when it has been quiet for `quietMs` (editors write in several steps, and a
 * half-written file must never be patched in). Atomic saves (write a temp file, rename it over the
 * original) arrive as a change of the original, thanks to chokidar's `atomic` handling.
 *
 * Because chokidar silently drops the changes that follow a change within its throttle window, each
 * burst is handed out once more after that window: the consumer compares contents and skips a file
 * whose text it has already handled, so the last content always wins.
 */
export class SourceWatcher {
  private readonly watcher: FSWatcher;
  private readonly timers = new Map<string, PendingBurst>();
  readonly ready: Promise<void>;

  constructor(
    root: string,
    extensions: readonly string[],
    private readonly quietMs: number,
    private readonly onChange: (change: SourceChange) => void,
  ) {
    const wanted = new Set(extensions);
    this.watcher = watch(root, {
      ignoreInitial: true,
      atomic: true,
      ignored: (path, stats) => {
        const name = path.slice(path.lastIndexOf("/") + 1);
        if (IGNORED_DIRS.has(name)) return true;
        return stats?.isFile() === true && !wanted.has(extname(path));
      },
    });
    this.ready = new Promise((resolve) => this.watcher.once("ready", () => resolve()));
    for (const event of ["add", "change", "unlink"] as const) {
      this.watcher.on(event, (path: string) => this.schedule(path));
    }
  }

  private schedule(file: string): void {
    const pending = this.timers.get(file);
    if (pending) {
      clearTimeout(pending.timer);
      clearTimeout(pending.trailing);
    }
    const seenAt = pending?.seenAt ?? performance.now();
    const timer = setTimeout(() => {
      const entry = this.timers.get(file);
      if (entry) entry.seenAt = undefined; // handed out: the next event starts a new latency clock
      this.onChange({ file, seenAt, settled: false });
    }, this.quietMs);
    const trailing = setTimeout(() => {
      this.timers.delete(file);
      this.onChange({ file, seenAt: performance.now(), settled: true });
    }, CHOKIDAR_THROTTLE_MS + this.quietMs);
    this.timers.set(file, { timer, trailing, seenAt });
  }

  async close(): Promise<void> {
    for (const { timer, trailing } of this.timers.values()) {
      clearTimeout(timer);
      clearTimeout(trailing);
    }
    this.timers.clear();
    await this.watcher.close();
  }
}
