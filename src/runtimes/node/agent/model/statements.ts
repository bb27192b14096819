import type { FunctionModel, StatementKind, StatementModel } from "../model.js";
import { type AnyNode, blank, children, isFunction } from "./ast.js";

/**
 * Statement facts: what a top-level statement is for a patch (an import, a declaration per
 * declarator, other code), its text to compare, whether re-running it has side effects, and the
 * names it reads.
 */

/** Does an initializer do anything beyond computing a value from literals and names? */
function hasSideEffects(node: AnyNode): boolean {
  if (!node || typeof node !== "object") return false;
  if (isFunction(node) || node.type === "ClassExpression") return false;
  switch (node.type) {
    case "CallExpression":
    case "NewExpression":
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
  const push = (kind: StatementKind, name: string | undefined, text: string, at: AnyNode, effects: boolean) =>
    out.push({
      kind,
      name,
      text,
      normalized: kind === "import" || kind === "other" ? text.replace(/\s+/g, " ").trim() : text,
      node: at,
      line,
      exported,
      sideEffects: effects,
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
        else push("other", undefined, blank(source, d.start, d.end, direct), d, true);
      }
      return out;
  }
  push("other", undefined, blank(source, statement.start, statement.end, direct), statement, true);
  return out;
}
