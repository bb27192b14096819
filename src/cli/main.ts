#!/usr/bin/env node
import { readFileSync } from "node:fs";
import { packagePath } from "../paths.js";
import type { ExitInfo } from "../runtimes/agent-process.js";
import { LaunchError } from "../runtimes/runtime.js";
import { type CliArgs, parseArgs, UsageError, usage } from "./args.js";
import type { AttachArgs } from "./attach.js";
import type { DebugArgs } from "./debug-args.js";
import { runCommand } from "./run.js";
import type { DapArgs } from "../dap/dap-args.js";

/** The other commands' modules load only for them: `hotframe run` starts the program sooner. */
const attachModule = () => import("./attach.js");
const debugArgsModule = () => import("./debug-args.js");
const dapArgsModule = () => import("../dap/dap-args.js");

async function parse(
  argv: string[],
  stderrIsTTY: boolean,
): Promise<CliArgs | DebugArgs | DapArgs | AttachArgs> {
  if (argv[0] === "debug")
    return (await debugArgsModule()).parseDebugArgs(argv.slice(1), process.env, stderrIsTTY);
  if (argv[0] === "dap") return (await dapArgsModule()).parseDapArgs(argv.slice(1));
  if (argv[0] === "attach") return (await attachModule()).parseAttachArgs(argv.slice(1), process.env);
  return parseArgs(argv, process.env, stderrIsTTY);
}

async function main(argv: string[]): Promise<void> {
  try {
    const args = await parse(argv, process.stderr.isTTY === true);
    switch (args.command) {
      case "help": {
        const [{ DEBUG_USAGE }, { DAP_USAGE }, { ATTACH_USAGE }] = await Promise.all([
          debugArgsModule(),
          dapArgsModule(),
          attachModule(),
        ]);
        process.stdout.write(`${usage()}\n${DEBUG_USAGE}\n${DAP_USAGE}\n${ATTACH_USAGE}`);
        return;
      }
      case "version": {
        const pkg = JSON.parse(readFileSync(packagePath("package.json"), "utf8")) as { version: string };
        process.stdout.write(`hotframe ${pkg.version}\n`);
        return;
      }
      case "demo": {
        // Loaded only here: `hotframe run` starts the program sooner without it.
        const { runDemo } = await import("../demo/demo.js");
        process.exitCode = await runDemo(args.which, args.color);
        return;
      }
      case "run":
        leaveAs(await runCommand(args, process.cwd()));
        return;
      case "attach":
        process.exitCode = await (await attachModule()).attachCommand(args);
        return;
      case "debug": {
        // Loaded only here: `hotframe run` starts the program sooner without it.
        const { debugCommand } = await import("./debug.js");
        leaveAs(await debugCommand(args, process.cwd()));
        return;
      }
      case "dap": {
        const { dapCommand } = await import("../dap/serve.js");
        await dapCommand(args, process.cwd());
        process.exit(0);
      }
    }
  } catch (error) {
    if (error instanceof UsageError || error instanceof LaunchError) {
      process.stderr.write(`hotframe: ${error.message}\n`);
      process.exit(2);
    }
    // Never a stack trace from hotframe itself, unless asked for while debugging hotframe.
    const detail = process.env.HOTFRAME_DEBUG ? (error as Error).stack : String(error);
    process.stderr.write(`hotframe: internal error: ${detail} (please report this)\n`);
    process.exit(70);
  }
}

/** Leave exactly as the program did: same exit code, or die by the same signal. */
function leaveAs(exit: ExitInfo): void {
  if (exit.signal) {
    process.removeAllListeners(exit.signal);
    process.kill(process.pid, exit.signal);
    return;
  }
  process.exit(exit.code ?? 1);
}

await main(process.argv.slice(2));
