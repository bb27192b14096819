/**
 * Where the attach sockets of `hotframe run --attachable` live, and which programs are attachable:
 * one folder per user that only this user can enter (0700), one socket per program (0600) named by
 * the program's pid, with a small description beside it for listings.
 */
import { chmodSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";

/** What `hotframe attach --list` shows of one attachable program (`<pid>.json` beside its socket). */
export interface AttachableProgram {
  /** The program's pid: what `hotframe attach --pid` and a launch.json `processId` take. */
  pid: number;
  /** The `hotframe run` process serving the socket. */
  hotframePid: number;
  runtime: string;
  /** The entry point as given (`app.py`, `-m pkg.main`) and the folder it runs in. */
  program: string;
  cwd: string;
  socket: string;
}

/** The user's folder of attach sockets: $XDG_RUNTIME_DIR/hotframe, else hotframe-<uid> in the
 * temporary folder (macOS, or a Linux session without a runtime folder). */
export function attachFolder(env: NodeJS.ProcessEnv = process.env): string {
  const runtimeDir = env.XDG_RUNTIME_DIR;
  return runtimeDir ? join(runtimeDir, "hotframe") : join(tmpdir(), `hotframe-${userInfo().uid}`);
}

/** The socket of the program with this pid, if it runs under `hotframe run --attachable`. */
export function attachSocketPath(pid: number, env: NodeJS.ProcessEnv = process.env): string {
  return join(attachFolder(env), `${pid}.sock`);
}

/** The socket a program started in the editor's terminal connects back on (the DAP adapter's
 * `console: "integratedTerminal"`): one per launch of the adapter with this pid. Not named like an
 * attach socket, so `hotframe attach --list` never shows it. */
export function terminalSocketPath(
  adapterPid: number,
  launch: number,
  env: NodeJS.ProcessEnv = process.env,
): string {
  return join(attachFolder(env), `terminal-${adapterPid}-${launch}.sock`);
}

/** Removes the terminal sockets of adapters that are gone (SIGKILL leaves no time to remove them). */
export function removeStaleTerminalSockets(env: NodeJS.ProcessEnv = process.env): void {
  let names: string[];
  try {
    names = readdirSync(attachFolder(env));
  } catch {
    return;
  }
  for (const name of names) {
    const adapter = /^terminal-(\d+)-\d+\.sock$/.exec(name)?.[1];
    if (adapter !== undefined && !isAlive(Number(adapter)))
      rmSync(join(attachFolder(env), name), { force: true });
  }
}

function descriptionPath(pid: number, env: NodeJS.ProcessEnv): string {
  return join(attachFolder(env), `${pid}.json`);
}

/** Creates the folder (0700), or checks an existing one is this user's own and closed to others. */
export function prepareAttachFolder(env: NodeJS.ProcessEnv = process.env): string {
  const folder = attachFolder(env);
  try {
    mkdirSync(folder, { recursive: true, mode: 0o700 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error; // a file: said below
  }
  const stat = lstatSync(folder);
  if (!stat.isDirectory()) throw new Error(`${folder} is not a folder: remove it and try again`);
  if (stat.uid !== userInfo().uid)
    throw new Error(`${folder} belongs to another user: hotframe will not use it`);
  if ((stat.mode & 0o077) !== 0) chmodSync(folder, 0o700);
  return folder;
}

/** Writes the description listed beside a program's socket (readable by this user only). */
export function describeAttachable(program: AttachableProgram, env: NodeJS.ProcessEnv = process.env): void {
  writeFileSync(descriptionPath(program.pid, env), `${JSON.stringify(program)}\n`, { mode: 0o600 });
}

/** Removes a program's socket and description (at its exit, or found stale). */
export function removeAttachable(pid: number, env: NodeJS.ProcessEnv = process.env): void {
  rmSync(attachSocketPath(pid, env), { force: true });
  rmSync(descriptionPath(pid, env), { force: true });
}

/** This user's attachable programs, by pid. Sockets left by a `hotframe run` or an adapter that
 * was killed (SIGKILL leaves no time to remove them) are removed on the way. */
export function listAttachable(env: NodeJS.ProcessEnv = process.env): AttachableProgram[] {
  removeStaleTerminalSockets(env);
  let names: string[];
  try {
    names = readdirSync(attachFolder(env));
  } catch {
    return []; // no folder: nothing was ever made attachable
  }
  const programs: AttachableProgram[] = [];
  for (const name of names) {
    const match = /^(\d+)\.sock$/.exec(name);
    if (!match) continue;
    const pid = Number(match[1]);
    const program = readDescription(pid, env);
    if (program && isAlive(program.pid) && isAlive(program.hotframePid)) programs.push(program);
    else removeAttachable(pid, env);
  }
  return programs.sort((a, b) => a.pid - b.pid);
}

function readDescription(pid: number, env: NodeJS.ProcessEnv): AttachableProgram | undefined {
  try {
    const program = JSON.parse(readFileSync(descriptionPath(pid, env), "utf8")) as AttachableProgram;
    return program.pid === pid ? program : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
