import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readSource } from "./read-source.js";
import { SourceWatcher } from "./watcher.js";

/**
 * The controller's side of a save, rehearsed once while the program is idle, on a scratch file
 * of its own in a fresh temporary folder: a folder watch sees it written, the burst is handed out
 * after the quiet time, the file is read and its patch message serialized (not sent). The first
 * real save then runs none of that code cold: measured on the first save of a 1,000-line file,
 * the watch's first event, the hand-out, the read and the message cost 5-20 ms more than on a
 * later save. Nothing of the program's or the session's is touched; the folder is removed after.
 *
 * Idle: no `loaded` from the agent for `IDLE_MS` after one (the program has loaded its modules):
 * a program that loaded none has nothing to save. Timers are unref'd: the rehearsal never keeps
 * hotframe running.
 */

/** How long after the last module the program loaded the rehearsal starts. */
const IDLE_MS = 500;
/** A rehearsal whose save was not seen by then (no working folder watch) is given up. */
const GIVE_UP_MS = 5000;

/** What the scratch file holds before and after its save: lines, quotes, a non-ASCII letter. */
const SCRATCH = [
  '// hotframe rehearses a save here\nexport const name = "first";\n',
  'export const name = "é";\n',
];

export interface SaveRehearsal {
  /** The program loaded a module: the rehearsal waits until it has been idle a while. */
  loaded(): void;
  /** The session ends (or a real save came first): no rehearsal, and a running one stops. */
  close(): void;
  /** Whether the save was rehearsed (false: closed first, or no watch or folder worked); its
   * scratch folder is gone by then. */
  done: Promise<boolean>;
}

export function rehearseSaveWhenIdle(extensions: readonly string[], quietMs: number): SaveRehearsal {
  let timer: NodeJS.Timeout | undefined;
  let stop: (() => void) | undefined;
  let started = false;
  let finish: (rehearsed: boolean) => void = () => {};
  const done = new Promise<boolean>((resolve) => (finish = resolve));
  const schedule = () => {
    if (started) return;
    clearTimeout(timer);
    timer = setTimeout(() => {
      started = true;
      stop = rehearse(extensions, quietMs, finish);
    }, IDLE_MS).unref();
  };
  return {
    loaded: schedule,
    close: () => {
      clearTimeout(timer);
      if (stop) stop();
      else finish(false);
      started = true;
    },
    done,
  };
}

/**
 * Starts the rehearsal; the function returned ends it. It ends by itself once the save is read
 * (at its settled re-read), or after `GIVE_UP_MS`; `finish` hears which.
 */
function rehearse(
  extensions: readonly string[],
  quietMs: number,
  finish: (rehearsed: boolean) => void,
): () => void {
  let folder: string;
  try {
    folder = mkdtempSync(join(tmpdir(), "hotframe-rehearsal-"));
  } catch {
    finish(false); // no temporary folder: the first save runs its code cold
    return () => {};
  }
  const file = join(folder, `rehearsal${extensions[0] ?? ".js"}`);
  let read = false;
  let ended = false;
  const end = () => {
    if (ended) return;
    ended = true;
    clearTimeout(giveUp);
    watcher.close();
    rmSync(folder, { recursive: true, force: true });
    finish(read);
  };
  const watcher = new SourceWatcher(extensions, quietMs, (change) => {
    if (change.settled) return end();
    const source = readSource(change.file);
    if (!source.ok) return;
    JSON.stringify({ type: "patch", id: 0, file: change.file, source: source.text });
    read = true;
  });
  const giveUp = setTimeout(end, GIVE_UP_MS).unref();
  try {
    writeFileSync(file, SCRATCH[0] as string);
    watcher.watchLoaded(file, Date.now());
    writeFileSync(file, SCRATCH[1] as string);
  } catch {
    end();
  }
  return end;
}
