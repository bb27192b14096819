import { lstatSync, mkdirSync } from "node:fs";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";

/**
 * The folder of the agent's caches (the instrumented modules, V8's code cache): in the system's
 * temporary directory, per user, never next to the program's files.
 */
const root = join(tmpdir(), `hotframe-${safeUser()}`);

/**
 * A cache folder whose contents become code (V8's compiled code), made now, or undefined unless
 * the temporary folder's hotframe folder is this user's alone: in a shared temporary directory
 * another user could have made it first and filled it.
 */
export function privateCacheDir(name: string): string | undefined {
  try {
    mkdirSync(root, { recursive: true, mode: 0o700 });
    const stat = lstatSync(root);
    const uid = process.getuid?.();
    if (!stat.isDirectory() || (uid !== undefined && stat.uid !== uid) || (stat.mode & 0o022) !== 0)
      return undefined;
    return join(root, name);
  } catch {
    return undefined;
  }
}

function safeUser(): string {
  try {
    return userInfo().username.replace(/[^\w.-]/g, "_");
  } catch {
    return "user";
  }
}
