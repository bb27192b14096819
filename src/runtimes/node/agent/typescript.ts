import { createRequire } from "node:module";
import type { blankSourceFile } from "ts-blank-space";
import type * as TypeScript from "typescript";
import type * as ModelModule from "./model.js";

const requireHere = createRequire(import.meta.url);

/** Loaded on the first TypeScript file: it pulls in the TypeScript compiler (~0.5 s to load). */
let compiler: { ts: typeof TypeScript; blank: typeof blankSourceFile } | undefined;
function load(): NonNullable<typeof compiler> {
  compiler ??= {
    ts: requireHere("typescript") as typeof TypeScript,
    blank: (requireHere("ts-blank-space") as { blankSourceFile: typeof blankSourceFile }).blankSourceFile,
  };
  return compiler;
}

/** Whether this thread has loaded TypeScript (typescript-thread.ts strips here then). */
export function typeScriptLoaded(): boolean {
  return compiler !== undefined;
}

/** File extensions of TypeScript sources. */
export function isTypeScript(file: string): boolean {
  return /\.[cm]?ts$/.test(file) && !file.endsWith(".d.ts");
}

/** TypeScript that parses but cannot be run by blanking its types out. */
export class TypeScriptError extends Error {
  constructor(
    message: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(message);
  }
}

function parse(ts: typeof TypeScript, source: string): TypeScript.SourceFile {
  return ts.createSourceFile(
    "input.ts",
    source,
    {
      languageVersion: ts.ScriptTarget.ESNext,
      impliedNodeFormat: ts.ModuleKind.ESNext,
      jsDocParsingMode: ts.JSDocParsingMode.ParseNone,
    },
    false,
    ts.ScriptKind.TS,
  );
}

/** Where a node's own text starts (the nodes have no parent pointers: from the text). */
function startOf(source: string, node: TypeScript.Node): number {
  const text = source.slice(node.pos, node.end);
  return node.pos + text.length - text.trimStart().length;
}

/**
 * Parameter properties (`constructor(private readonly repo: Repo) {`, NestJS/Angular style) as
 * TypeScript that can be blanked out: the modifiers become spaces and \`this.repo = repo;\` is
 * inserted right after the body's \`{\` (in a derived class, right after its \`super(…);\`), as
 * TypeScript's own output does. Every line stays where it was; only what follows the insertion on
 * its line moves right. A constructor whose derived class has no \`super(…)\` statement at the
 * top of its body, or a destructured parameter property, is left as it is (not erasable).
 */
function withoutParameterProperties(
  ts: typeof TypeScript,
  sourceFile: TypeScript.SourceFile,
  source: string,
): string {
  const PROPERTY = new Set([
    ts.SyntaxKind.PublicKeyword,
    ts.SyntaxKind.PrivateKeyword,
    ts.SyntaxKind.ProtectedKeyword,
    ts.SyntaxKind.ReadonlyKeyword,
    ts.SyntaxKind.OverrideKeyword,
  ]);
  const edits: { start: number; end: number; text: string }[] = [];
  const visit = (node: TypeScript.Node, derived: boolean): void => {
    if (ts.isClassLike(node)) {
      const extended = node.heritageClauses?.some((h) => h.token === ts.SyntaxKind.ExtendsKeyword) ?? false;
      node.members.forEach((member) => visit(member, extended));
      return;
    }
    if (ts.isConstructorDeclaration(node) && node.body) {
      const properties = node.parameters.filter((p) => p.modifiers?.some((m) => PROPERTY.has(m.kind)));
      const names = properties.flatMap((p) => (ts.isIdentifier(p.name) ? [p.name.text] : []));
      const statements = node.body.statements;
      const superCall = statements.find(
        (st) =>
          ts.isExpressionStatement(st) &&
          ts.isCallExpression(st.expression) &&
          st.expression.expression.kind === ts.SyntaxKind.SuperKeyword,
      );
      if (names.length > 0 && names.length === properties.length && (!derived || superCall)) {
        for (const p of properties)
          for (const m of p.modifiers ?? [])
            if (PROPERTY.has(m.kind)) {
              const start = startOf(source, m);
              edits.push({ start, end: m.end, text: " ".repeat(m.end - start) });
            }
        const at = superCall ? superCall.end : startOf(source, node.body) + 1;
        edits.push({ start: at, end: at, text: names.map((n) => ` this.${n} = ${n};`).join("") });
      }
    }
    ts.forEachChild(node, (child) => visit(child, derived));
  };
  visit(sourceFile, false);
  let text = source;
  for (const edit of edits.sort((a, b) => b.start - a.start))
    text = text.slice(0, edit.start) + edit.text + text.slice(edit.end);
  return text;
}

/** 1-based line and column of an offset. */
function position(source: string, offset: number): { line: number; column: number } {
  const before = source.slice(0, offset);
  return { line: before.split("\n").length, column: offset - before.lastIndexOf("\n") };
}

/**
 * Type stripping that keeps positions: every type annotation becomes spaces, so each line and
 * column of the .ts file is the same in the JavaScript that runs (stack traces, breakpoints and
 * per-function diffs need no source map). TypeScript's parser recovers from syntax errors (it
 * would blank a broken annotation out and run the rest): its own diagnostics of the same parse
 * make them errors, thrown as the agent's ParseError (a syntax error, like one acorn finds).
 * TypeScript that is not erasable (enum, namespace with values, parameter properties) cannot be
 * blanked out; it is refused with its position (TypeScriptError).
 */
export function stripTypes(typed: string): string {
  const { ts, blank } = load();
  let source = typed;
  let sourceFile = parse(ts, source);
  const diagnostic = (sourceFile as unknown as { parseDiagnostics: TypeScript.DiagnosticWithLocation[] })
    .parseDiagnostics[0];
  if (diagnostic) {
    const { line, column } = position(source, diagnostic.start);
    // The parser loads here only for broken TypeScript: model.ts pulls in acorn.
    const { ParseError } = requireHere("./model.js") as typeof ModelModule;
    throw new ParseError(ts.flattenDiagnosticMessageText(diagnostic.messageText, " "), line, column);
  }
  const rewritten = withoutParameterProperties(ts, sourceFile, source);
  if (rewritten !== source) {
    source = rewritten;
    sourceFile = parse(ts, source);
  }
  let unsupported: { start: number; text: string } | undefined;
  const js = blank(sourceFile, (node) => {
    // The nodes have no parent pointers here: positions come from the text, not node.getStart().
    const text = source.slice(node.pos, node.end);
    const start = node.pos + text.length - text.trimStart().length;
    unsupported ??= { start, text: text.trimStart().split("\n")[0] ?? "" };
  });
  if (unsupported) {
    const { line, column } = position(source, unsupported.start);
    throw new TypeScriptError(
      `TypeScript syntax that cannot be run by stripping types: \`${unsupported.text.slice(0, 60)}\` (an enum, a namespace with values, or a parameter property that is destructured or in a derived constructor without a leading super(…) call: restart to apply a change, or build the file with tsc and run the JavaScript)`,
      line,
      column,
    );
  }
  return js;
}
