import type * as TypeScript from "typescript";

/**
 * TypeScript's legacy decorators (`experimentalDecorators`, NestJS/Angular style) as its own output
 * runs them, laid out on the class's lines (typescript-rewrite.ts calls this for each decorated
 * class declaration): every `@decorator` becomes spaces, and after the class's closing `}`, on the
 * same line, come the `__decorate(…)` calls TypeScript emits — each member's (instance members,
 * then static ones), then the class's, which re-binds its name to what the decorators return.
 * With `emitDecoratorMetadata`, the `design:type`, `design:paramtypes` and `design:returntype`
 * metadata TypeScript emits are added (types serialized as TypeScript does without a type
 * checker: a class of the file by its name, another name only if it is a function at run time).
 * The helpers are TypeScript's, declared as functions at the end of the file. Not rewritten (the
 * file then goes to the TypeScript compiler): a class expression with decorators, a decorated
 * member with a computed or private name, and a decorator written over several lines with a
 * comment or template in it.
 */

export interface DecoratorOptions {
  /** tsconfig.json's `experimentalDecorators`: legacy decorators (else TS 5 standard ones). */
  legacy: boolean;
  /** tsconfig.json's `emitDecoratorMetadata`. */
  metadata: boolean;
}

/** A file without a tsconfig.json: TS 5 standard decorators. */
export const NO_DECORATOR_OPTIONS: DecoratorOptions = { legacy: false, metadata: false };

type TS = typeof TypeScript;

/** TypeScript's helpers (its own emit), as function declarations: hoisted, callable from anywhere. */
export const DECORATOR_HELPERS = [
  'function __decorate(decorators, target, key, desc) { var c = arguments.length, r = c < 3 ? target : desc === null ? desc = Object.getOwnPropertyDescriptor(target, key) : desc, d; if (typeof Reflect === "object" && typeof Reflect.decorate === "function") r = Reflect.decorate(decorators, target, key, desc); else for (var i = decorators.length - 1; i >= 0; i--) if (d = decorators[i]) r = (c < 3 ? d(r) : c > 3 ? d(target, key, r) : d(target, key)) || r; return c > 3 && r && Object.defineProperty(target, key, r), r; }',
  "function __param(paramIndex, decorator) { return function (target, key) { decorator(target, key, paramIndex); }; }",
  'function __metadata(k, v) { if (typeof Reflect === "object" && typeof Reflect.metadata === "function") return Reflect.metadata(k, v); }',
].join(" ");

export interface Decoration {
  /** The `@decorator`s to blank. */
  blanked: TypeScript.Decorator[];
  /** What follows the class's `}`. */
  after: string;
}

export class LegacyDecorators {
  constructor(
    private readonly ts: TS,
    private readonly sourceFile: TypeScript.SourceFile,
    private readonly metadata: boolean,
    /** The file's top-level classes: serialized by their name. */
    private readonly localClasses: Set<string>,
  ) {}

  /** The first decorator of a class, of its members or of their parameters, if any. */
  firstDecorator(node: TypeScript.ClassLikeDeclaration): TypeScript.Decorator | undefined {
    const ts = this.ts;
    const first = (n: TypeScript.Node) => (ts.canHaveDecorators(n) ? ts.getDecorators(n)?.[0] : undefined);
    let found = first(node);
    for (const m of node.members) {
      found ??= first(m);
      if (ts.isFunctionLike(m)) for (const p of m.parameters) found ??= first(p);
    }
    return found;
  }

  /** The decoration of a class declaration, or the node that cannot be rewritten. */
  decoration(node: TypeScript.ClassLikeDeclaration): Decoration | TypeScript.Node {
    const ts = this.ts;
    if (!ts.isClassDeclaration(node) || !node.name) return node;
    const name = node.name.text;
    const blanked: TypeScript.Decorator[] = [];
    const calls: string[] = [];
    const take = (n: TypeScript.Node): string[] | TypeScript.Node => {
      const decorators = (ts.canHaveDecorators(n) ? ts.getDecorators(n) : undefined) ?? [];
      const texts: string[] = [];
      for (const d of decorators) {
        const text = this.expression(d.expression);
        if (text === undefined) return d;
        blanked.push(d);
        texts.push(text);
      }
      return texts;
    };
    const parameters = (fn: TypeScript.SignatureDeclarationBase): string[] | TypeScript.Node => {
      const out: string[] = [];
      for (const [i, p] of fn.parameters.entries()) {
        const texts = take(p);
        if (!Array.isArray(texts)) return texts;
        out.push(...texts.map((t) => `__param(${i}, ${t})`));
      }
      return out;
    };
    const accessorsDone = new Set<string>();
    for (const isStatic of [false, true])
      for (const member of node.members) {
        if (ts.isConstructorDeclaration(member) || ts.isClassStaticBlockDeclaration(member)) continue;
        if (hasStatic(ts, member) !== isStatic) continue;
        const own = take(member);
        if (!Array.isArray(own)) return own;
        const params = ts.isFunctionLike(member) ? parameters(member) : [];
        if (!Array.isArray(params)) return params;
        if (own.length + params.length === 0) continue;
        const key =
          member.name && (ts.isIdentifier(member.name) || ts.isStringLiteral(member.name))
            ? member.name.text
            : undefined;
        if (key === undefined) return member;
        if (ts.isAccessor(member)) {
          if (accessorsDone.has(`${isStatic}${key}`)) continue;
          accessorsDone.add(`${isStatic}${key}`);
        }
        const decorators = [...own, ...params, ...this.memberMetadata(node, member, key)];
        const target = isStatic ? name : `${name}.prototype`;
        const descriptor = ts.isPropertyDeclaration(member) ? "void 0" : "null";
        calls.push(
          `__decorate([${decorators.join(", ")}], ${target}, ${JSON.stringify(key)}, ${descriptor});`,
        );
      }
    const own = take(node);
    if (!Array.isArray(own)) return own;
    const constructor = node.members.find(
      (m): m is TypeScript.ConstructorDeclaration => ts.isConstructorDeclaration(m) && m.body !== undefined,
    );
    const params = constructor ? parameters(constructor) : [];
    if (!Array.isArray(params)) return params;
    if (own.length + params.length > 0) {
      const types =
        this.metadata && constructor
          ? [`__metadata("design:paramtypes", ${this.parameterTypes(constructor)})`]
          : [];
      calls.push(`${name} = __decorate([${[...own, ...params, ...types].join(", ")}], ${name});`);
    }
    return { blanked, after: calls.map((c) => ` ${c}`).join("") };
  }

  /** A decorator's expression on one line, or undefined if joining its lines could change it. */
  private expression(node: TypeScript.Expression): string | undefined {
    const text = this.sourceFile.text.slice(node.getStart(this.sourceFile), node.end);
    if (!text.includes("\n")) return text;
    return /\/\/|\/\*|`/.test(text) ? undefined : text.replace(/\s*\n\s*/g, " ");
  }

  private memberMetadata(
    cls: TypeScript.ClassLikeDeclaration,
    member: TypeScript.ClassElement,
    key: string,
  ): string[] {
    const ts = this.ts;
    if (!this.metadata) return [];
    const meta = (k: string, v: string) => `__metadata(${JSON.stringify(k)}, ${v})`;
    if (ts.isPropertyDeclaration(member)) return [meta("design:type", this.serialize(member.type))];
    if (ts.isMethodDeclaration(member))
      return [
        meta("design:type", "Function"),
        meta("design:paramtypes", this.parameterTypes(member)),
        meta("design:returntype", member.type ? this.serialize(member.type) : "void 0"),
      ];
    if (ts.isAccessor(member)) {
      const setter = cls.members.find(
        (m): m is TypeScript.SetAccessorDeclaration =>
          ts.isSetAccessorDeclaration(m) &&
          hasStatic(ts, m) === hasStatic(ts, member) &&
          ts.isIdentifier(m.name) &&
          m.name.text === key,
      );
      const getter = ts.isGetAccessorDeclaration(member) ? member : undefined;
      const type = getter?.type ?? setter?.parameters[0]?.type;
      return [
        meta("design:type", this.serialize(type)),
        ...(setter ? [meta("design:paramtypes", this.parameterTypes(setter))] : []),
      ];
    }
    return [];
  }

  private parameterTypes(fn: TypeScript.SignatureDeclarationBase): string {
    return `[${fn.parameters.map((p) => (p.dotDotDotToken ? "Object" : this.serialize(p.type))).join(", ")}]`;
  }

  /** A type as the value TypeScript's metadata serializes it to (its `serializeTypeNode`). */
  private serialize(type: TypeScript.TypeNode | undefined): string {
    const ts = this.ts;
    const K = ts.SyntaxKind;
    if (!type) return "Object";
    switch (type.kind) {
      case K.VoidKeyword:
      case K.UndefinedKeyword:
      case K.NeverKeyword:
        return "void 0";
      case K.ParenthesizedType:
        return this.serialize((type as TypeScript.ParenthesizedTypeNode).type);
      case K.FunctionType:
      case K.ConstructorType:
        return "Function";
      case K.ArrayType:
      case K.TupleType:
        return "Array";
      case K.TypePredicate:
      case K.BooleanKeyword:
        return "Boolean";
      case K.StringKeyword:
      case K.TemplateLiteralType:
        return "String";
      case K.NumberKeyword:
        return "Number";
      case K.BigIntKeyword:
        return 'typeof BigInt === "function" ? BigInt : Object';
      case K.SymbolKeyword:
        return 'typeof Symbol === "function" ? Symbol : Object';
      case K.LiteralType: {
        const literal = (type as TypeScript.LiteralTypeNode).literal;
        if (literal.kind === K.NullKeyword) return "void 0";
        if (ts.isStringLiteral(literal) || ts.isNoSubstitutionTemplateLiteral(literal)) return "String";
        if (ts.isNumericLiteral(literal) || ts.isPrefixUnaryExpression(literal)) return "Number";
        if (ts.isBigIntLiteral(literal)) return 'typeof BigInt === "function" ? BigInt : Object';
        if (literal.kind === K.TrueKeyword || literal.kind === K.FalseKeyword) return "Boolean";
        return "Object";
      }
      case K.UnionType:
      case K.IntersectionType: {
        const parts = (type as TypeScript.UnionOrIntersectionTypeNode).types
          .filter((t) => !isNullish(ts, t))
          .map((t) => this.serialize(t));
        const first = parts[0];
        return first !== undefined && parts.every((p) => p === first) ? first : "Object";
      }
      case K.TypeReference: {
        const name = (type as TypeScript.TypeReferenceNode).typeName;
        if (ts.isIdentifier(name) && this.localClasses.has(name.text)) return name.text;
        return guarded(ts, name);
      }
    }
    return "Object";
  }
}

function isNullish(ts: TS, type: TypeScript.TypeNode): boolean {
  const K = ts.SyntaxKind;
  return (
    type.kind === K.NeverKeyword ||
    type.kind === K.UndefinedKeyword ||
    (ts.isLiteralTypeNode(type) && type.literal.kind === K.NullKeyword)
  );
}

/** A name that may not be a value at run time: itself if it is a function then, else Object. */
function guarded(ts: TS, name: TypeScript.EntityName): string {
  const text = (n: TypeScript.EntityName): string =>
    ts.isIdentifier(n) ? n.text : `${text(n.left)}.${n.right.text}`;
  let root: TypeScript.EntityName = name;
  while (!ts.isIdentifier(root)) root = root.left;
  const value = text(name);
  const defined = ts.isIdentifier(name) ? "" : `typeof ${root.text} !== "undefined" && `;
  return `${defined}typeof ${value} === "function" ? ${value} : Object`;
}

function hasStatic(ts: TS, member: TypeScript.ClassElement): boolean {
  return (
    ts.canHaveModifiers(member) &&
    (ts.getModifiers(member)?.some((m) => m.kind === ts.SyntaxKind.StaticKeyword) ?? false)
  );
}
