import type { FunctionModel, StatementKind, StatementModel } from "../model.js";
import { type AnyNode, blank, children, isFunction } from "./ast.js";

/**
 * Statement facts: what a top-level statement is for a patch (an import, a declaration per
 * declarator, other code), its text to compare, whether re-running it has side effects, and the
 * names it reads.
 */

/**
 * Built-ins whose construction makes a fresh, unshared object and does nothing else (given
 * arguments that do nothing else): `new Map()` is a value, not an action.
 */
const FRESH_CONSTRUCTORS = new Set([
  "Map",
  "Set",
  "WeakMap",
  "WeakSet",
  "Array",
  "Date",
  "RegExp",
  "URL",
  "URLSearchParams",
  "Error",
]);
/** Built-in functions that compute a value from their arguments and touch nothing else. */
const VALUE_CALLS = new Set([
  "Symbol",
  "String",
  "Number",
  "Boolean",
  "BigInt",
  "JSON.parse",
  "Object.freeze",
  "Object.fromEntries",
  "Array.of",
  "Array.from",
]);

function calleeName(node: AnyNode): string | undefined {
  if (node.type === "Identifier") return node.name;
  if (node.type === "MemberExpression" && !node.computed && node.object.type === "Identifier")
    return `${node.object.name}.${node.property.name}`;
  return undefined;
}

/** A call or construction of a built-in that only makes a value (see FRESH_CONSTRUCTORS). */
function makesValue(node: AnyNode): boolean {
  const name = calleeName(node.callee);
  if (!name) return false;
  if (node.type === "NewExpression") return FRESH_CONSTRUCTORS.has(name);
  // Loading a module is what a fresh start does (CommonJS's import list).
  if (name === "require") return node.arguments.length === 1 && node.arguments[0].type === "Literal";
  // Object.freeze changes its argument: only a literal made right there.
  if (name === "Object.freeze") return /^(Object|Array)Expression$/.test(node.arguments[0]?.type ?? "");
  return VALUE_CALLS.has(name);
}

/** Does an initializer do anything beyond computing a value from literals and names? */
export function hasSideEffects(node: AnyNode): boolean {
  if (!node || typeof node !== "object") return false;
  if (isFunction(node) || node.type === "ClassExpression") return false;
  switch (node.type) {
    case "CallExpression":
    case "NewExpression":
      return !makesValue(node) || node.arguments.some(hasSideEffects);
    case "TaggedTemplateExpression":
    case "AwaitExpression":
    case "YieldExpression":
    case "AssignmentExpression":
    case "UpdateExpression":
    case "ImportExpression":
      return true;
    case "UnaryExpression":
      if (node.operator === "delete") return true;
  }
  return children(node).some(hasSideEffects);
}

/**
 * Running the statement again gives what a fresh run gives: an assignment (`=`) to a name or a
 * property path (`app.locals.title = "Shop"`) of a value computed without side effects and
 * without reading what it assigns (`n = n + 1` would add up).
 */
function rerunnable(source: string, statement: AnyNode): boolean {
  if (statement.type !== "ExpressionStatement") return false;
  const e = statement.expression;
  if (e.type !== "AssignmentExpression" || e.operator !== "=") return false;
  let root = e.left;
  while (root.type === "MemberExpression" && (!root.computed || root.property.type === "Literal"))
    root = root.object;
  const target = source.slice(e.left.start, e.left.end).replace(/\s+/g, "");
  const value = source.slice(e.right.start, e.right.end).replace(/\s+/g, "");
  return root.type === "Identifier" && !value.includes(target) && !hasSideEffects(e.right);
}

/**
 * The statements of one top-level statement (one per declarator). `direct`: the functions in it
 * that are not nested in another one (blanked in the texts); `reads`: the names it reads.
 */
export function statementFacts(
  source: string,
  statement: AnyNode,
  direct: FunctionModel[],
  reads: Set<string>,
): StatementModel[] {
  const out: StatementModel[] = [];
  let node = statement;
  let exported = false;
  if (node.type === "ExportNamedDeclaration" && node.declaration) {
    node = node.declaration;
    exported = true;
  } else if (node.type === "ExportDefaultDeclaration" && /Declaration$/.test(node.declaration.type)) {
    node = node.declaration;
    exported = true;
  }
  const line = statement.loc.start.line;
  const push = (
    kind: StatementKind,
    name: string | undefined,
    text: string,
    at: AnyNode,
    effects: boolean,
    again = false,
  ) =>
    out.push({
      kind,
      name,
      text,
      normalized: kind === "import" || kind === "other" ? text.replace(/\s+/g, " ").trim() : text,
      node: at,
      line,
      exported,
      sideEffects: effects,
      rerunnable: again,
      reads,
    });
  switch (node.type) {
    case "ImportDeclaration":
      push("import", undefined, source.slice(node.start, node.end), node, true);
      return out;
    case "FunctionDeclaration":
      push("function", node.id?.name, "", node, false);
      return out;
    case "ClassDeclaration":
      push("class", node.id?.name, "", node, false);
      return out;
    case "VariableDeclaration":
      for (const d of node.declarations) {
        const init = d.init;
        const name = d.id.type === "Identifier" ? d.id.name : undefined;
        if (name && init && (isFunction(init) || init.type === "ClassExpression")) {
          push(init.type === "ClassExpression" ? "class" : "function", name, `${node.kind}`, init, false);
          continue;
        }
        const text = init ? blank(source, init.start, init.end, direct) : "";
        if (name) push(node.kind, name, text, init, hasSideEffects(init));
        else
          push("other", undefined, blank(source, d.start, d.end, direct), d, !init || hasSideEffects(init));
      }
      return out;
  }
  push(
    "other",
    undefined,
    blank(source, statement.start, statement.end, direct),
    statement,
    true,
    rerunnable(source, node),
  );
  return out;
}
