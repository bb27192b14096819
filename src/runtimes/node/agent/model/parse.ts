import { type Options, parse } from "acorn";
import { type AnyNode, patternNames } from "./ast.js";

/** Parsing a module, and the early errors a partial re-parse (reparse.ts) cannot see. */

export class ParseError extends Error {
  constructor(
    message: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(message);
  }
}

/** acorn's options for a module of this format, shared by whole and partial parses. */
export function parseOptions(esm: boolean): Options {
  return {
    ecmaVersion: "latest",
    sourceType: esm ? "module" : "script",
    allowHashBang: true,
    allowReturnOutsideFunction: !esm,
    locations: true,
  };
}

export function parseModule(source: string, esm: boolean): AnyNode {
  const options = parseOptions(esm);
  try {
    return parse(source, options);
  } catch (error) {
    const loc = (error as { loc?: { line: number; column: number } }).loc;
    const message = (error as Error).message.replace(/ \(\d+:\d+\)$/, "");
    throw new ParseError(message, loc?.line ?? 1, (loc?.column ?? 0) + 1);
  }
}

/** The module-level names a top-level statement declares, each with whether it is lexical. */
function declarations(statement: AnyNode, esm: boolean): [AnyNode, boolean][] {
  const node = /^Export(Named|Default)Declaration$/.test(statement.type) ? statement.declaration : statement;
  if (!node) return [];
  if (node.type === "ImportDeclaration") return node.specifiers.map((s: AnyNode) => [s.local, true]);
  if (node.type === "VariableDeclaration")
    return node.declarations.map((d: AnyNode) => [d.id, node.kind !== "var"]);
  if (node.type === "ClassDeclaration" && node.id) return [[node.id, true]];
  if (node.type === "FunctionDeclaration" && node.id) return [[node.id, esm]];
  return [];
}

/** What some top-level statements declare, comparable as text. */
export function declaredNames(statements: AnyNode[], esm: boolean): string[] {
  return statements.flatMap((statement) =>
    declarations(statement, esm).map(([id, isLexical]) => {
      const names = new Set<string>();
      patternNames(id, names);
      return `${[...names].join(",")} ${isLexical}`;
    }),
  );
}

/**
 * Top-level names declared twice (`let a` … `let a`): an early error the parser reports only when
 * it sees the whole file, which a partial re-parse (reparse.ts) does not.
 */
export function checkRedeclarations(program: AnyNode, esm: boolean): void {
  const lexical = new Set<string>();
  const vars = new Set<string>();
  for (const statement of program.body) {
    for (const [id, isLexical] of declarations(statement, esm)) {
      const names = new Set<string>();
      patternNames(id, names);
      for (const name of names) {
        if (lexical.has(name) || (isLexical && vars.has(name))) {
          throw new ParseError(
            `Identifier '${name}' has already been declared`,
            id.loc.start.line,
            id.loc.start.column + 1,
          );
        }
        (isLexical ? lexical : vars).add(name);
      }
    }
  }
}
