import type * as TypeScript from "typescript";
import { DECORATOR_HELPERS, type DecoratorOptions, LegacyDecorators } from "./typescript-decorators.js";

/**
 * TypeScript with run-time meaning (parameter properties, enums, namespaces) rewritten in place
 * into JavaScript of the same line layout, before ts-blank-space blanks the types: every line
 * stays where it is (a rewritten part keeps its line breaks), so stack traces, breakpoints and
 * per-function diffs of the .ts file need no source map, and every function stays patchable.
 * What cannot be rewritten exactly is left as it is (ts-blank-space then reports it: not
 * erasable). The output is what TypeScript's own output does at run time:
 *
 * - `constructor(private readonly repo: Repo) {`: the modifiers become spaces and
 *   ` this.repo = repo;` is inserted after the body's `{` (in a derived class after its leading
 *   `super(…);`);
 * - `enum Status { Active = 1, Done }` → `var Status; Status = { Active: 1, "1": "Active", Done:
 *   2, "2": "Done" };` (string members without the reverse entry), each member on its own line;
 *   values are computed as TypeScript computes constant members — a member that is not a
 *   constant is left as it is;
 * - decorators, when the file's tsconfig.json asks for `experimentalDecorators`: as
 *   typescript-decorators.ts says (TS 5 standard decorators are left as they are);
 * - `namespace Util { export function f() {} }` → `var Util; (function Util(Util) { function f()
 *   {} Util.f = f; })(Util || (Util = {}));`: `export` becomes spaces and the assignment follows
 *   the declaration on its last line (an exported `const` the same way). Left as it is: a
 *   namespace that exports a `let`/`var` (TypeScript turns every use into a property access), one
 *   with an `import x =` alias, a dotted name (`namespace A.B`), and a namespace or enum merged
 *   with another declaration of its name.
 */

interface Edit {
  start: number;
  end: number;
  text: string;
}

type TS = typeof TypeScript;

/** Where a node's own text starts, after comments and white space (no parent pointers needed). */
export function startOf(sourceFile: TypeScript.SourceFile, node: TypeScript.Node): number {
  return node.getStart(sourceFile);
}

/** `text` followed by the line breaks of the source it replaces (the lines stay where they are). */
function keepingLines(source: string, start: number, end: number, text: string): string {
  return text + "\n".repeat(source.slice(start, end).split("\n").length - 1);
}

/**
 * The source with run-time TypeScript rewritten (the same text when there is none), and the first
 * node that must be rewritten and cannot be (ts-blank-space would leave it: a decorator).
 */
export function rewriteRuntimeSyntax(
  ts: TS,
  sourceFile: TypeScript.SourceFile,
  decorators: DecoratorOptions,
): { text: string; refused: TypeScript.Node | undefined } {
  const source = sourceFile.text;
  const edits: Edit[] = [];
  const rewriter = new Rewriter(ts, sourceFile, edits, decorators);
  rewriter.visit(sourceFile, false);
  rewriter.declarations(sourceFile.statements, undefined);
  const refused = rewriter.refused;
  if (rewriter.decorated)
    edits.push({ start: source.length, end: source.length, text: `\n${DECORATOR_HELPERS}\n` });
  if (edits.length === 0) return { text: source, refused };
  let text = "";
  let at = 0;
  // Stable: insertions at one place keep the order they were made in.
  for (const edit of edits.sort((a, b) => a.start - b.start)) {
    text += source.slice(at, edit.start) + edit.text;
    at = edit.end;
  }
  return { text: text + source.slice(at), refused };
}

class Rewriter {
  private readonly property: Set<TypeScript.SyntaxKind>;

  private readonly source: string;
  private readonly legacyDecorators: LegacyDecorators;
  /** The first decorator (or decorated class) that cannot be rewritten. */
  refused: TypeScript.Node | undefined;
  /** Some decorator was rewritten: the helpers are needed. */
  decorated = false;

  constructor(
    private readonly ts: TS,
    private readonly sourceFile: TypeScript.SourceFile,
    private readonly edits: Edit[],
    private readonly decoratorOptions: DecoratorOptions,
  ) {
    this.source = sourceFile.text;
    const classes = new Set(
      sourceFile.statements.flatMap((s) => (ts.isClassDeclaration(s) && s.name ? [s.name.text] : [])),
    );
    this.legacyDecorators = new LegacyDecorators(ts, sourceFile, decoratorOptions.metadata, classes);
    this.property = new Set([
      ts.SyntaxKind.PublicKeyword,
      ts.SyntaxKind.PrivateKeyword,
      ts.SyntaxKind.ProtectedKeyword,
      ts.SyntaxKind.ReadonlyKeyword,
      ts.SyntaxKind.OverrideKeyword,
    ]);
  }

  private replace(start: number, end: number, text: string): void {
    this.edits.push({ start, end, text: keepingLines(this.source, start, end, text) });
  }

  /** The node's text as spaces (its line breaks kept). */
  private blank(node: TypeScript.Node): void {
    const start = startOf(this.sourceFile, node);
    this.edits.push({
      start,
      end: node.end,
      text: this.source.slice(start, node.end).replace(/[^\r\n]/g, " "),
    });
  }

  private insert(at: number, text: string): void {
    this.edits.push({ start: at, end: at, text });
  }

  /** Parameter properties, in every class of the file. */
  visit(node: TypeScript.Node, derived: boolean): void {
    const ts = this.ts;
    if (ts.isClassLike(node)) {
      const decorator = this.legacyDecorators.firstDecorator(node);
      if (decorator) this.decorate(node, decorator);
      const extended = node.heritageClauses?.some((h) => h.token === ts.SyntaxKind.ExtendsKeyword) ?? false;
      node.members.forEach((member) => this.visit(member, extended));
      return;
    }
    if (ts.isConstructorDeclaration(node) && node.body) this.parameterProperties(node, node.body, derived);
    ts.forEachChild(node, (child) => this.visit(child, derived));
  }

  private decorate(node: TypeScript.ClassLikeDeclaration, first: TypeScript.Decorator): void {
    const decoration = this.decoratorOptions.legacy ? this.legacyDecorators.decoration(node) : first;
    if (!("after" in decoration)) {
      this.refused ??= decoration;
      return;
    }
    for (const d of decoration.blanked) this.blank(d);
    this.insert(node.end, decoration.after);
    this.decorated = true;
  }

  private parameterProperties(
    node: TypeScript.ConstructorDeclaration,
    body: TypeScript.Block,
    derived: boolean,
  ): void {
    const ts = this.ts;
    const properties = node.parameters.filter((p) => p.modifiers?.some((m) => this.property.has(m.kind)));
    const names = properties.flatMap((p) => (ts.isIdentifier(p.name) ? [p.name.text] : []));
    const superCall = body.statements.find(
      (st) =>
        ts.isExpressionStatement(st) &&
        ts.isCallExpression(st.expression) &&
        st.expression.expression.kind === ts.SyntaxKind.SuperKeyword,
    );
    if (names.length === 0 || names.length !== properties.length || (derived && !superCall)) return;
    for (const p of properties)
      for (const m of p.modifiers ?? []) if (this.property.has(m.kind)) this.blank(m);
    const at = superCall ? superCall.end : startOf(this.sourceFile, body) + 1;
    this.insert(at, names.map((n) => ` this.${n} = ${n};`).join(""));
  }

  /**
   * The enums and namespaces among `statements` (a file's, or a namespace's body when `owner`
   * names the namespace, whose exports become its properties).
   */
  declarations(statements: readonly TypeScript.Statement[], owner: string | undefined): boolean {
    const ts = this.ts;
    const merged = mergedNames(ts, statements);
    let complete = true;
    for (const statement of statements) {
      if (hasModifier(ts, statement, ts.SyntaxKind.DeclareKeyword)) continue;
      const exported = owner !== undefined && hasModifier(ts, statement, ts.SyntaxKind.ExportKeyword);
      const ownerAssignment = (name: string) => (exported ? ` ${owner}.${name} = ${name};` : "");
      if (ts.isEnumDeclaration(statement)) {
        if (merged.has(statement.name.text) || !this.enumDeclaration(statement, owner !== undefined))
          complete = false;
        else this.insert(statement.end, ownerAssignment(statement.name.text));
      } else if (ts.isModuleDeclaration(statement) && hasValues(ts, statement)) {
        if (merged.has(statement.name.text) || !this.namespaceDeclaration(statement, owner, exported))
          complete = false;
      } else if (ts.isImportEqualsDeclaration(statement) && owner !== undefined) {
        complete = false;
      } else if (exported && (ts.isFunctionDeclaration(statement) || ts.isClassDeclaration(statement))) {
        if (!statement.name) continue;
        this.blankExport(statement);
        // An overload signature has no body: only the implementation is assigned.
        if (!ts.isFunctionDeclaration(statement) || statement.body)
          this.insert(statement.end, ownerAssignment(statement.name.text));
      } else if (exported && ts.isVariableStatement(statement)) {
        if (!(statement.declarationList.flags & ts.NodeFlags.Const)) {
          complete = false;
          continue;
        }
        this.blankExport(statement);
        const names: string[] = [];
        for (const d of statement.declarationList.declarations) bindingNames(ts, d.name, names);
        this.insert(statement.end, names.map(ownerAssignment).join(""));
      }
    }
    return complete;
  }

  private blankExport(statement: TypeScript.Statement): void {
    const ts = this.ts;
    const keyword = ts.canHaveModifiers(statement)
      ? ts.getModifiers(statement)?.find((m) => m.kind === ts.SyntaxKind.ExportKeyword)
      : undefined;
    if (keyword) this.blank(keyword);
  }

  /** `[export] var E; E = {` … `};` with each member's value; false (nothing rewritten) if a member
   * is not a constant. */
  private enumDeclaration(node: TypeScript.EnumDeclaration, inNamespace: boolean): boolean {
    const ts = this.ts;
    const name = node.name.text;
    const values = new Map<string, number | string>();
    const members: string[] = [];
    let previous: number | string | undefined;
    for (const member of node.members) {
      const key = memberName(ts, member.name);
      if (key === undefined) return false;
      const value = member.initializer
        ? constantValue(ts, member.initializer, name, values)
        : previous === undefined
          ? 0
          : typeof previous === "number"
            ? previous + 1
            : undefined;
      if (value === undefined) return false;
      values.set(key, value);
      previous = value;
      members.push(
        typeof value === "string"
          ? `${JSON.stringify(key)}: ${JSON.stringify(value)}`
          : `${JSON.stringify(key)}: ${numberText(value)}, ${JSON.stringify(String(value))}: ${JSON.stringify(key)}`,
      );
    }
    const exported = !inNamespace && hasModifier(ts, node, ts.SyntaxKind.ExportKeyword);
    const open = this.source.indexOf("{", node.name.end);
    this.replace(
      startOf(this.sourceFile, node),
      open + 1,
      `${exported ? "export " : ""}var ${name}; ${name} = {`,
    );
    node.members.forEach((member, i) =>
      this.replace(startOf(this.sourceFile, member), member.end, members[i] as string),
    );
    this.insert(node.end, ";");
    return true;
  }

  /** `[export] var N; (function N(N) {` … `})(N || (N = {}));`; false (nothing rewritten) if
   * something in it cannot be. */
  private namespaceDeclaration(
    node: TypeScript.ModuleDeclaration,
    owner: string | undefined,
    exported: boolean,
  ): boolean {
    const ts = this.ts;
    const body = node.body;
    if (!ts.isIdentifier(node.name) || !body || !ts.isModuleBlock(body)) return false;
    const name = node.name.text;
    const mark = this.edits.length;
    if (!this.declarations(body.statements, name)) {
      this.edits.length = mark;
      return false;
    }
    const topExport = owner === undefined && hasModifier(ts, node, ts.SyntaxKind.ExportKeyword);
    const open = startOf(this.sourceFile, body);
    this.replace(
      startOf(this.sourceFile, node),
      open + 1,
      `${topExport ? "export " : ""}var ${name}; (function ${name}(${name}) {`,
    );
    const target = exported
      ? `${name} = ${owner}.${name} || (${owner}.${name} = {})`
      : `${name} || (${name} = {})`;
    this.replace(body.end - 1, body.end, `})(${target});`);
    return true;
  }
}

function hasModifier(ts: TS, node: TypeScript.Node, kind: TypeScript.SyntaxKind): boolean {
  return ts.canHaveModifiers(node) && (ts.getModifiers(node)?.some((m) => m.kind === kind) ?? false);
}

/** Does a namespace hold values (ts-blank-space's rule: else it is blanked as types)? */
function hasValues(ts: TS, node: TypeScript.ModuleDeclaration): boolean {
  if (!(node.flags & ts.NodeFlags.Namespace)) return !ts.isStringLiteral(node.name);
  const body = node.body;
  if (!body) return false;
  if (ts.isModuleDeclaration(body)) return hasValues(ts, body);
  return (body as TypeScript.ModuleBlock).statements.some((s) => {
    if (ts.isInterfaceDeclaration(s) || ts.isTypeAliasDeclaration(s)) return false;
    if (ts.isImportEqualsDeclaration(s)) return hasModifier(ts, s, ts.SyntaxKind.ExportKeyword);
    if (ts.isModuleDeclaration(s)) return hasValues(ts, s);
    return true;
  });
}

/** Names declared more than once among `statements` by a namespace, enum, class or function
 * (TypeScript merges them into one object; a rewrite of one alone would not). */
function mergedNames(ts: TS, statements: readonly TypeScript.Statement[]): Set<string> {
  const seen = new Set<string>();
  const merged = new Set<string>();
  for (const s of statements) {
    const declares =
      ts.isEnumDeclaration(s) ||
      (ts.isModuleDeclaration(s) && ts.isIdentifier(s.name)) ||
      ts.isClassDeclaration(s) ||
      (ts.isFunctionDeclaration(s) && s.body !== undefined);
    const name = declares ? (s as { name?: TypeScript.Node }).name : undefined;
    if (!name || !ts.isIdentifier(name)) continue;
    if (seen.has(name.text)) merged.add(name.text);
    seen.add(name.text);
  }
  return merged;
}

function bindingNames(ts: TS, name: TypeScript.BindingName, out: string[]): void {
  if (ts.isIdentifier(name)) out.push(name.text);
  else
    for (const element of name.elements)
      if (!ts.isOmittedExpression(element)) bindingNames(ts, element.name, out);
}

function memberName(ts: TS, name: TypeScript.PropertyName): string | undefined {
  if (ts.isIdentifier(name) || ts.isStringLiteral(name) || ts.isNoSubstitutionTemplateLiteral(name))
    return name.text;
  return undefined;
}

function numberText(value: number): string {
  return Object.is(value, -0) ? "-0" : String(value);
}

/**
 * The value of an enum member's initializer as TypeScript computes constant members (literals,
 * unary and binary operators, parentheses, earlier members by name or as `Enum.member`), or
 * undefined if it is not a constant.
 */
function constantValue(
  ts: TS,
  node: TypeScript.Expression,
  enumName: string,
  members: Map<string, number | string>,
): number | string | undefined {
  const K = ts.SyntaxKind;
  const value = (n: TypeScript.Expression) => constantValue(ts, n, enumName, members);
  if (ts.isNumericLiteral(node)) return Number(node.text);
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return node.text;
  if (ts.isParenthesizedExpression(node)) return value(node.expression);
  if (ts.isIdentifier(node)) return members.get(node.text);
  if (
    ts.isPropertyAccessExpression(node) &&
    ts.isIdentifier(node.expression) &&
    node.expression.text === enumName
  )
    return members.get(node.name.text);
  if (ts.isPrefixUnaryExpression(node)) {
    const operand = value(node.operand);
    if (typeof operand !== "number") return undefined;
    if (node.operator === K.MinusToken) return -operand;
    if (node.operator === K.PlusToken) return operand;
    if (node.operator === K.TildeToken) return ~operand;
    return undefined;
  }
  if (ts.isBinaryExpression(node)) {
    const left = value(node.left);
    const right = value(node.right);
    if (left === undefined || right === undefined) return undefined;
    const op = node.operatorToken.kind;
    if (op === K.PlusToken)
      return typeof left === "string" || typeof right === "string" ? `${left}${right}` : left + right;
    if (typeof left !== "number" || typeof right !== "number") return undefined;
    const arithmetic: Partial<Record<TypeScript.SyntaxKind, (a: number, b: number) => number>> = {
      [K.MinusToken]: (a, b) => a - b,
      [K.AsteriskToken]: (a, b) => a * b,
      [K.SlashToken]: (a, b) => a / b,
      [K.PercentToken]: (a, b) => a % b,
      [K.AsteriskAsteriskToken]: (a, b) => a ** b,
      [K.LessThanLessThanToken]: (a, b) => a << b,
      [K.GreaterThanGreaterThanToken]: (a, b) => a >> b,
      [K.GreaterThanGreaterThanGreaterThanToken]: (a, b) => a >>> b,
      [K.AmpersandToken]: (a, b) => a & b,
      [K.BarToken]: (a, b) => a | b,
      [K.CaretToken]: (a, b) => a ^ b,
    };
    return arithmetic[op]?.(left, right);
  }
  return undefined;
}
