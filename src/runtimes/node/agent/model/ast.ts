/** Reading acorn's ESTree nodes: what every part of the model needs. */

// acorn's ESTree nodes are loosely typed; the model reads fields by name.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- ESTree node shapes vary by type
export type AnyNode = any;

const FUNCTION_TYPES = new Set(["FunctionDeclaration", "FunctionExpression", "ArrowFunctionExpression"]);
const SKIP_KEYS = new Set(["type", "start", "end", "loc", "range"]);

export function isFunction(node: AnyNode): boolean {
  return node !== null && typeof node === "object" && FUNCTION_TYPES.has(node.type);
}

/** The child nodes of a node, in source order. */
export function children(node: AnyNode): AnyNode[] {
  const out: AnyNode[] = [];
  for (const key in node) {
    if (SKIP_KEYS.has(key)) continue;
    const value = node[key];
    if (Array.isArray(value)) {
      for (const item of value) if (item && typeof item.type === "string") out.push(item);
    } else if (value && typeof value.type === "string") out.push(value);
  }
  return out;
}

/** Names bound by a declaration pattern. */
export function patternNames(pattern: AnyNode, into: Set<string>): void {
  if (!pattern) return;
  switch (pattern.type) {
    case "Identifier":
      into.add(pattern.name);
      break;
    case "ObjectPattern":
      for (const p of pattern.properties) patternNames(p.type === "RestElement" ? p.argument : p.value, into);
      break;
    case "ArrayPattern":
      for (const e of pattern.elements) patternNames(e, into);
      break;
    case "RestElement":
      patternNames(pattern.argument, into);
      break;
    case "AssignmentPattern":
      patternNames(pattern.left, into);
      break;
  }
}

export function hasUseStrict(body: AnyNode[]): boolean {
  for (const statement of body) {
    if (statement.type !== "ExpressionStatement" || typeof statement.directive !== "string") return false;
    if (statement.directive === "use strict") return true;
  }
  return false;
}

/** A nested function, as `blank` replaces it. */
interface Nested {
  key: string;
  headerStart: number;
  node: { end: number };
}

/** Source text of [start, end) with the given nested functions replaced by their keys. */
export function blank(source: string, start: number, end: number, nested: Nested[]): string {
  let out = "";
  let at = start;
  for (const fn of [...nested].sort((a, b) => a.headerStart - b.headerStart)) {
    out += `${source.slice(at, fn.headerStart)}\u0000${fn.key}\u0000`;
    at = fn.node.end;
  }
  return out + source.slice(at, end);
}
