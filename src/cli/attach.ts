/**
 * `hotframe attach`: list the attachable programs, or join stdin/stdout to one of them (what an
 * editor runs as its debug adapter for an attach configuration, docs/editors.md).
 */
import { bridge, type BridgeTarget } from "../attach/bridge.js";
import { parseLoopbackAddress } from "../attach/listen-address.js";
import { type AttachableProgram, attachSocketPath, listAttachable } from "../attach/location.js";
import { UsageError } from "./args.js";

export const ATTACH_USAGE = `Usage of attach:
  hotframe attach --list [--json]              the programs started with hotframe run --attachable
  hotframe attach --pid <pid>                  joins stdin/stdout to that program's debugger (DAP)
  hotframe attach --address 127.0.0.1:<port>   the same for hotframe run --listen; the token is read
                                               from HOTFRAME_TOKEN (or --token <token>)
`;

export type AttachArgs =
  | { command: "attach"; action: "list"; json: boolean }
  | { command: "attach"; action: "bridge"; target: BridgeTarget };

export function parseAttachArgs(argv: string[], env: NodeJS.ProcessEnv): AttachArgs {
  const values = new Map<string, string>();
  const flags = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const eq = arg.indexOf("=");
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    if (name === "--pid" || name === "--address" || name === "--token") {
      const value = eq > 0 ? arg.slice(eq + 1) : argv[++i];
      if (value === undefined || value === "") throw new UsageError(`${name} needs a value`);
      values.set(name, value);
    } else if ((name === "--list" || name === "--json") && eq < 0) {
      flags.add(name);
    } else {
      throw new UsageError(`unknown option ${arg} for attach (see hotframe --help)`);
    }
  }
  const pid = values.get("--pid");
  const address = values.get("--address");
  const chosen = [flags.has("--list"), pid !== undefined, address !== undefined].filter(Boolean).length;
  if (chosen !== 1)
    throw new UsageError("attach takes one of --list, --pid <pid>, --address 127.0.0.1:<port>");
  if (flags.has("--list")) return { command: "attach", action: "list", json: flags.has("--json") };
  if (flags.has("--json")) throw new UsageError("--json goes with --list");
  if (pid !== undefined) {
    if (!/^\d+$/.test(pid)) throw new UsageError(`--pid takes a process id, not '${pid}'`);
    return {
      command: "attach",
      action: "bridge",
      target: { kind: "socket", path: attachSocketPath(Number(pid)), pid: Number(pid) },
    };
  }
  const parsed = parseLoopbackAddress(address as string);
  if (!parsed.ok) throw new UsageError(`--address: ${parsed.reason}`);
  const token = values.get("--token") ?? env.HOTFRAME_TOKEN;
  if (!token)
    throw new UsageError("--address needs the token hotframe run --listen printed: set HOTFRAME_TOKEN");
  return { command: "attach", action: "bridge", target: { kind: "tcp", address: parsed.address, token } };
}

/** Runs `hotframe attach`; returns the exit code. */
export async function attachCommand(args: AttachArgs): Promise<number> {
  if (args.action === "list") {
    const programs = listAttachable();
    process.stdout.write(args.json ? `${JSON.stringify(programs)}\n` : listing(programs));
    return 0;
  }
  const end = await bridge(args.target, process.stdin, process.stdout);
  process.stdin.destroy(); // the stream is over: leave once stdout is flushed
  if (end.ok) return 0;
  process.stderr.write(`hotframe: ${end.reason}\n`);
  return 1;
}

/** One line per program: `12345  python  app.py  (in /home/me/shop)`. */
function listing(programs: AttachableProgram[]): string {
  if (programs.length === 0) return "no attachable programs (start one with hotframe run --attachable)\n";
  return programs.map((p) => `${p.pid}  ${p.runtime}  ${p.program}  (in ${p.cwd})\n`).join("");
}
