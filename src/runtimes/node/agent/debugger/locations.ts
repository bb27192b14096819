import type { DebugCommands } from "../../../../protocol/messages.js";
import type { Inspector, Location } from "./inspector.js";

type Arguments = DebugCommands["breakpointLocations"]["arguments"];

/**
 * `breakpointLocations`: the lines of a file where V8 can break, from every script it parsed of
 * that file (the module's own and the code its patches compiled), between `line` and `endLine`.
 * A file not loaded has no scripts yet, so no lines.
 */
export async function breakpointLocations(
  inspector: Inspector,
  scripts: ReadonlyMap<string, { file: string | undefined }>,
  args: Arguments,
): Promise<DebugCommands["breakpointLocations"]["body"]> {
  const last = args.endLine ?? args.line;
  const lines = new Set<number>();
  for (const [scriptId, script] of scripts) {
    if (script.file !== args.source) continue;
    const answer = await inspector
      .post<{ locations: Location[] }>("Debugger.getPossibleBreakpoints", {
        start: { scriptId, lineNumber: args.line - 1, columnNumber: 0 },
        end: { scriptId, lineNumber: last, columnNumber: 0 },
      })
      .catch(() => ({ locations: [] })); // a script V8 no longer has (its code was collected)
    for (const location of answer.locations) lines.add(location.lineNumber + 1);
  }
  return {
    breakpoints: [...lines]
      .filter((line) => line >= args.line && line <= last)
      .sort((a, b) => a - b)
      .map((line) => ({ line })),
  };
}
