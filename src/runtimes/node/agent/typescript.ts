import { createRequire } from "node:module";
import type tsBlankSpaceType from "ts-blank-space";

/** Loaded on the first TypeScript file: it pulls in the TypeScript compiler (~0.5 s to load). */
let tsBlankSpace: typeof tsBlankSpaceType | undefined;
function blanker(): typeof tsBlankSpaceType {
  tsBlankSpace ??= (
    createRequire(import.meta.url)("ts-blank-space") as {
      default: typeof tsBlankSpaceType;
    }
  ).default;
  return tsBlankSpace;
}

/** File extensions of TypeScript sources. */
export function isTypeScript(file: string): boolean {
  return /\.[cm]?ts$/.test(file) && !file.endsWith(".d.ts");
}

export class TypeScriptError extends Error {
  constructor(
    message: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(message);
  }
}

/**
 * Type stripping that keeps positions: every type annotation becomes spaces, so each line and
 * column of the .ts file is the same in the JavaScript that runs (stack traces, breakpoints and
 * per-function diffs need no source map). TypeScript that is not erasable (enum, namespace with
 * values, parameter properties) cannot be blanked out; it is refused with its position.
 */
export function stripTypes(source: string): string {
  let unsupported: { start: number; text: string } | undefined;
  const js = blanker()(source, (node) => {
    // The nodes have no parent pointers here: positions come from the text, not node.getStart().
    const text = source.slice(node.pos, node.end);
    const start = node.pos + text.length - text.trimStart().length;
    unsupported ??= { start, text: text.trimStart().split("\n")[0] ?? "" };
  });
  if (unsupported) {
    const before = source.slice(0, unsupported.start);
    const line = before.split("\n").length;
    const column = unsupported.start - before.lastIndexOf("\n");
    throw new TypeScriptError(
      `TypeScript syntax that cannot be run by stripping types: \`${unsupported.text.slice(0, 60)}\` (enums, namespaces and parameter properties need a build step)`,
      line,
      column,
    );
  }
  return js;
}
