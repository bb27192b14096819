import type { AnyNode } from "./model.js";

/**
 * Where instrumentation puts a module's one-line preamble (transform.ts). It must run before any
 * user statement but should not move user code: at the start of a line that holds only
 * whitespace or a comment before the first statement that runs (after a shebang, directives and
 * imports); failing that, right before that statement.
 */
export function preamblePosition(source: string, program: AnyNode): number {
  let from = source.startsWith("#!") ? source.indexOf("\n") + 1 || source.length : 0;
  let to = source.length;
  for (const statement of program.body) {
    const isDirective = statement.type === "ExpressionStatement" && typeof statement.directive === "string";
    if (isDirective || statement.type === "ImportDeclaration") {
      from = statement.end;
      continue;
    }
    to = statement.start;
    break;
  }
  if (from === 0 || source[from - 1] === "\n") {
    if (/^\s*(\/\/.*|\/\*.*)?$/.test(source.slice(from, Math.min(to, source.indexOf("\n", from) >>> 0))))
      return from;
  }
  let lineStart = source.indexOf("\n", from);
  while (lineStart >= 0 && lineStart < to) {
    const at = lineStart + 1;
    const rest = source.slice(at, Math.min(to, source.indexOf("\n", at) >>> 0));
    if (at <= to && /^\s*(\/\/.*|\/\*.*)?$/.test(rest) && !insideBlockComment(source, from, at)) return at;
    lineStart = source.indexOf("\n", at);
  }
  return to === source.length ? source.length : to;
}

function insideBlockComment(source: string, from: number, at: number): boolean {
  const open = source.lastIndexOf("/*", at);
  return open >= from && source.indexOf("*/", open) >= at;
}
