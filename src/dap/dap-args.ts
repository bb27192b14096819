import { UsageError } from "../cli/args.js";

/** The only address `--port` listens on (rule 5: a port only when asked, on loopback only). */
export const LOOPBACK = "127.0.0.1";

export interface DapArgs {
  command: "dap";
  /** Serve DAP on this TCP port of 127.0.0.1 (0: any free one) instead of stdin/stdout. */
  port?: number;
}

export const DAP_USAGE = `Options of dap:
  --port <n>             serve on 127.0.0.1:<n> only (0: a free port, printed), one session per connection;
                         default: one session on stdin/stdout
`;

export function parseDapArgs(argv: string[]): DapArgs | { command: "help" } {
  let port: number | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === "--help" || arg === "-h") return { command: "help" };
    const eq = arg.indexOf("=");
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    if (name !== "--port") throw new UsageError(`unknown option ${arg} for dap (see hotframe --help)`);
    const value = eq > 0 ? arg.slice(eq + 1) : argv[++i];
    const n = Number(value);
    if (value === undefined || value === "" || !Number.isInteger(n) || n < 0 || n > 65535)
      throw new UsageError(`--port takes a port number (0 to 65535), not '${value ?? ""}'`);
    port = n;
  }
  return { command: "dap", ...(port !== undefined ? { port } : {}) };
}
