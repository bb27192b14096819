import { type FSWatcher, readdirSync, statSync, watch } from "node:fs";
import { basename, dirname, extname, join } from "node:path";

interface PendingBurst {
  timer: NodeJS.Timeout;
  settle: NodeJS.Timeout;
  /** When this burst was first seen; undefined once it was handed out. */
  seenAt: number | undefined;
  catchUp: boolean;
}

export interface SourceChange {
  file: string;
  /** performance.now() when the first event of this burst was seen: latency is measured from it. */
  seenAt: number;
  /** The re-read a while after the burst: an empty or missing file seen now is really so. */
  settled: boolean;
  /**
   * Not a save seen by the watch: the file was modified after the program started, before its
   * folder was watched (the save may come before or after the program read it).
   */
  catchUp: boolean;
}

/**
 * How long after a burst the file is handed out once more, settled: a save that empties the file
 * and then writes it, or removes it and creates it again, is over by then, even when the editor
 * is descheduled between its two steps on a loaded machine (50 ms was seen to be too short).
 */
export const SETTLE_MS = 250;

/**
 * Watches the folders of the files the program loaded (only those can be patched) and hands out
 * one change per burst of saves: a file is handed out when it has been quiet for `quietMs` (editors
 * write in several steps, and a half-written file must never be patched in), and once more,
 * settled, a while after the burst. The consumer compares contents and skips a file whose text it
 * has already handled, so the last content always wins.
 *
 * One `fs.watch` per folder, added as the program loads its modules: nothing scans the project
 * while the program starts, and the cost does not grow with files the program never loads. A
 * folder watch sees every way an editor saves: in place, or a temporary file renamed over the
 * original (atomic save), or delete and create again.
 */
export class SourceWatcher {
  /** Per watched folder: its watch, and the source files it held when the watch started. */
  private readonly folders = new Map<string, { watcher: FSWatcher; listed: ReadonlySet<string> }>();
  private readonly timers = new Map<string, PendingBurst>();
  private readonly wanted: Set<string>;
  private closed = false;

  constructor(
    extensions: readonly string[],
    private readonly quietMs: number,
    private readonly onChange: (change: SourceChange) => void,
  ) {
    this.wanted = new Set(extensions);
  }

  /**
   * Watch the folder of a file the program loaded (one watch per folder). A save or a removal made
   * after the program read a file but before its folder was watched is caught when the watch
   * starts: each source file of the folder is handed out once if it was modified after `since`
   * (when the program was started), and a loaded file that is not there, once, as gone. A file of
   * a folder watched already needs no look: the watch has seen what happened to it since its
   * folder was listed.
   *
   * The look is synchronous, one stat per source file of the folder (a few µs each): a promise
   * per file costs the controller 2-3 times the CPU, taken from the program starting meanwhile.
   */
  watchLoaded(file: string, since: number): void {
    if (this.closed) return;
    const folder = dirname(file);
    const listed = this.folders.get(folder)?.listed ?? this.watchFolder(folder, since);
    if (!listed.has(basename(file))) this.catchUp(file, since);
  }

  /** Starts the folder's watch, then catches up its source files; returns the names listed. */
  private watchFolder(folder: string, since: number): ReadonlySet<string> {
    let watcher: FSWatcher;
    try {
      watcher = watch(folder, { persistent: false }, (_event, name) => {
        if (name && this.wanted.has(extname(name))) this.schedule(join(folder, name), false);
      });
    } catch {
      return new Set(); // the folder is gone already: there is nothing left to patch in it
    }
    watcher.on("error", () => {
      // The folder was removed: its files cannot be saved again until it exists, and then they
      // are new files the program has not loaded.
      watcher.close();
      this.folders.delete(folder);
    });
    let names: string[] = [];
    try {
      names = readdirSync(folder).filter((name) => this.wanted.has(extname(name)));
    } catch {
      // removed meanwhile: the watch's error event follows
    }
    const listed = new Set(names);
    this.folders.set(folder, { watcher, listed });
    for (const name of names) this.catchUp(join(folder, name), since);
    return listed;
  }

  private catchUp(file: string, since: number): void {
    const stats = statSync(file, { throwIfNoEntry: false });
    if (stats === undefined || stats.mtimeMs > since) this.schedule(file, true);
  }

  private schedule(file: string, catchUp: boolean): void {
    const pending = this.timers.get(file);
    if (pending) {
      clearTimeout(pending.timer);
      clearTimeout(pending.settle);
    }
    const seenAt = pending?.seenAt ?? performance.now();
    const burstCatchUp = catchUp && (pending?.catchUp ?? true); // a real save among it makes it one
    const timer = setTimeout(() => {
      const entry = this.timers.get(file);
      if (entry) entry.seenAt = undefined; // handed out: the next event starts a new latency clock
      this.onChange({ file, seenAt, settled: false, catchUp: burstCatchUp });
    }, this.quietMs);
    const settle = setTimeout(() => {
      this.timers.delete(file);
      this.onChange({ file, seenAt: performance.now(), settled: true, catchUp: burstCatchUp });
    }, SETTLE_MS + this.quietMs);
    this.timers.set(file, { timer, settle, seenAt, catchUp: burstCatchUp });
  }

  close(): void {
    this.closed = true;
    for (const { timer, settle } of this.timers.values()) {
      clearTimeout(timer);
      clearTimeout(settle);
    }
    this.timers.clear();
    for (const { watcher } of this.folders.values()) watcher.close();
    this.folders.clear();
  }
}
