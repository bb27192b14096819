import type { DebugCommands } from "../../../../protocol/messages.js";
import type { Inspector, Location } from "./inspector.js";
import type { ScriptTexts } from "./script-texts.js";

type Arguments = DebugCommands["breakpointLocations"]["arguments"];

/**
 * `breakpointLocations`: the lines of a file where V8 can break, from every script it parsed of
 * that file (the module's own and the code its patches compiled), in the lines of the file's
 * newest text, between `line` and `endLine`. An older script's lines count where their code is
 * still in the file (moved with the lines above it); the lines a patch replaced do not. A file
 * not loaded has no scripts yet, so no lines.
 */
export async function breakpointLocations(
  inspector: Inspector,
  scripts: ReadonlyMap<string, { file: string | undefined }>,
  texts: ScriptTexts,
  args: Arguments,
): Promise<DebugCommands["breakpointLocations"]["body"]> {
  const last = args.endLine ?? args.line;
  const lines = new Set<number>();
  for (const [scriptId, script] of scripts) {
    if (script.file !== args.source) continue;
    // An older script whole: its lines may have moved into the range asked for.
    const current = texts.isCurrent(args.source, scriptId);
    const answer = await inspector
      .post<{ locations: Location[] }>("Debugger.getPossibleBreakpoints", {
        start: { scriptId, lineNumber: current ? args.line - 1 : 0, columnNumber: 0 },
        ...(current ? { end: { scriptId, lineNumber: last, columnNumber: 0 } } : {}),
      })
      .catch(() => ({ locations: [] })); // a script V8 no longer has (its code was collected)
    for (const location of answer.locations) {
      const line = texts.lineNow(args.source, scriptId, location.lineNumber + 1);
      if (line !== undefined) lines.add(line);
    }
  }
  return {
    breakpoints: [...lines]
      .filter((line) => line >= args.line && line <= last)
      .sort((a, b) => a - b)
      .map((line) => ({ line })),
  };
}
