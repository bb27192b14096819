import type { ClassModel, FunctionKind, FunctionModel } from "../model.js";
import { type AnyNode, blank, children, hasUseStrict, isFunction, patternNames } from "./ast.js";
import { anonymousName, type KeyCounter, keyName, type NameInference, qualname } from "./naming.js";

/**
 * Scope analysis of one top-level statement: the functions and classes in it (with the names each
 * function declares and reads from outer scopes, its own text with nested functions blanked), and
 * the module-level and top-level-block names the statement declares.
 */

/** What the analysis of one statement finds. */
export interface StatementScope {
  /** In source order. */
  functions: FunctionModel[];
  classes: ClassModel[];
  /** Names declared at module level (visible to the module-scope evaluator). */
  moduleNames: Set<string>;
  /** Names declared in blocks at the top level, outside any function: not reachable by eval. */
  blockNames: Set<string>;
  /** Names the statement reads outside its functions. */
  refs: Set<string>;
}

/** Where the analysis stands: the innermost function and class, and where declarations go. */
interface Walk {
  fn: FunctionModel | undefined;
  cls: ClassModel | undefined;
  /** Declarations land here: the current function's scope, or the module / block sets. */
  declared: Set<string>;
  refs: Set<string>;
  strict: boolean;
}

/** The analysis of the statements of one module, one at a time, in source order. */
export class ScopeAnalysis {
  constructor(
    private readonly source: string,
    private readonly strict: boolean,
    private readonly keys: KeyCounter,
    private readonly names: NameInference,
  ) {}

  statement(statement: AnyNode, program: AnyNode): StatementScope {
    const found: StatementScope = {
      functions: [],
      classes: [],
      moduleNames: new Set(),
      blockNames: new Set(),
      refs: new Set(),
    };
    new StatementWalker(this.source, this.keys, this.names, found).visit(
      statement,
      { fn: undefined, cls: undefined, declared: found.moduleNames, refs: found.refs, strict: this.strict },
      program,
    );
    return found;
  }
}

class StatementWalker {
  constructor(
    private readonly source: string,
    private readonly keys: KeyCounter,
    private readonly names: NameInference,
    private readonly found: StatementScope,
  ) {}

  /** At module level, outside any function and block. */
  private atModuleLevel(walk: Walk): boolean {
    return walk.fn === undefined && walk.declared === this.found.moduleNames;
  }

  private makeFunction(
    node: AnyNode,
    walk: Walk,
    localName: string,
    kind: FunctionKind,
    member: AnyNode | undefined,
    binding: string | undefined,
    shown: Shown = { name: localName, owned: true },
  ): FunctionModel {
    const parentKey = walk.fn?.key;
    const classPrefix = member && walk.cls ? `${walk.cls.key}.` : "";
    const base = classPrefix ? classPrefix + localName : parentKey ? `${parentKey}>${localName}` : localName;
    const key = this.keys.unique(base);
    const owner = shown.owned ? (member ? walk.cls?.qualname : walk.fn?.qualname) : undefined;
    const strict =
      walk.strict ||
      (node.body.type === "BlockStatement" && hasUseStrict(node.body.body)) ||
      kind !== "function";
    const fn: FunctionModel = {
      key,
      name: localName,
      qualname: qualname(owner, shown.name, key, base),
      line: member ? member.loc.start.line : node.loc.start.line,
      column: node.loc.start.column,
      endLine: node.loc.end.line,
      kind,
      async: node.async === true,
      generator: node.generator === true,
      isStatic: member?.static === true,
      node,
      headerStart: member ? member.start : node.start,
      ownText: "",
      parent: walk.fn,
      memberOf: member ? walk.cls : undefined,
      withinClass: walk.cls,
      binding,
      declared: new Set(),
      free: new Set(),
      usesPrivate: false,
      usesSuper: false,
      strict,
      children: [],
      arrowParams: node.type === "ArrowFunctionExpression" ? arrowParams(node) : undefined,
    };
    this.found.functions.push(fn);
    walk.fn?.children.push(fn);
    return fn;
  }

  private visitFunction(fn: FunctionModel, walk: Walk): void {
    const node = fn.node;
    const inner: Walk = {
      fn,
      cls: walk.cls,
      declared: fn.declared,
      refs: new Set(),
      strict: fn.strict,
    };
    if (node.type === "FunctionExpression" && node.id) fn.declared.add(node.id.name);
    if (node.type !== "ArrowFunctionExpression") fn.declared.add("arguments");
    for (const p of node.params) {
      patternNames(p, fn.declared);
      this.visit(p, inner, node);
    }
    this.visit(node.body, inner, node);
    fn.ownText = blank(this.source, fn.headerStart, node.end, fn.children);
    for (const child of fn.children) {
      for (const name of child.free) inner.refs.add(name);
      fn.usesPrivate ||= child.usesPrivate;
      if (child.kind === "arrow") fn.usesSuper ||= child.usesSuper;
    }
    for (const name of inner.refs) if (!fn.declared.has(name)) fn.free.add(name);
    // Reads by functions count for the enclosing function, not for a top-level statement.
    if (walk.fn) for (const name of fn.free) walk.refs.add(name);
  }

  /** The module-scope name a `const x = function/class …` binds, when it is at module level. */
  private moduleBinding(node: AnyNode, parent: AnyNode, walk: Walk): string | undefined {
    return this.atModuleLevel(walk) && parent?.type === "VariableDeclarator"
      ? this.names.infer(node, parent)
      : undefined;
  }

  /** How an unnamed-by-declaration function or class is shown (naming.ts `shown`). */
  private shownName(node: AnyNode, parent: AnyNode, walk: Walk, what: "arrow" | "function" | "class"): Shown {
    const name = node.id?.name ?? this.names.shown(node, parent);
    return name ? { name, owned: true } : { name: anonymousName(what, walk.fn?.qualname), owned: false };
  }

  private visitClass(node: AnyNode, walk: Walk, parent: AnyNode, topBinding: string | undefined): void {
    const source = this.source;
    const name = node.id?.name ?? this.names.infer(node, parent) ?? "<class>";
    const base = walk.fn ? `${walk.fn.key}>${name}` : name;
    const key = this.keys.unique(base);
    const shown = this.shownName(node, parent, walk, "class");
    const cls: ClassModel = {
      key,
      name,
      qualname: qualname(shown.owned ? walk.fn?.qualname : undefined, shown.name, key, base),
      node,
      topLevel: walk.fn === undefined && topBinding !== undefined,
      binding: topBinding,
      heritageText: node.superClass ? source.slice(node.superClass.start, node.superClass.end) : "",
      shellText: "",
      fieldsText: "",
      line: node.loc.start.line,
    };
    this.found.classes.push(cls);
    if (node.superClass) this.visit(node.superClass, walk, node);
    const inner: Walk = { ...walk, cls, strict: true };
    const members: FunctionModel[] = [];
    // A static member is named `static` only where an instance member has its name too.
    const instanceNames = new Set(
      node.body.body
        .filter((m: AnyNode) => !m.static && m.key && !m.computed)
        .map((m: AnyNode) => keyName(m.key, false, source)),
    );
    for (const member of node.body.body) {
      if (member.type === "MethodDefinition") {
        if (member.computed) this.visit(member.key, inner, member);
        const local = keyName(member.key, member.computed, source);
        const kind: FunctionKind =
          member.kind === "constructor"
            ? "constructor"
            : member.kind === "get" || member.kind === "set"
              ? member.kind
              : "method";
        const isAccessor = kind === "get" || kind === "set";
        const prefix = `${member.static ? "static " : ""}${isAccessor ? `${kind} ` : ""}`;
        // As the user writes it: a getter reads as a property (`Order.price getter`), a static
        // method as what it is called on (`Order.create`, unless an instance `create` exists).
        const both = member.static && instanceNames.has(local);
        const shown = `${both ? "static " : ""}${local}${isAccessor ? ` ${kind}ter` : ""}`;
        const fn = this.makeFunction(member.value, inner, prefix + local, kind, member, undefined, {
          name: shown,
          owned: true,
        });
        fn.name = local;
        this.visitFunction(fn, inner);
        members.push(fn);
      } else if (member.type === "PropertyDefinition") {
        if (member.computed) this.visit(member.key, inner, member);
        if (member.value && isFunction(member.value) && !member.value.id) {
          const local = `${member.static ? "static " : ""}${keyName(member.key, member.computed, source)}`;
          const fn = this.makeFunction(
            member.value,
            inner,
            local,
            member.value.type === "ArrowFunctionExpression" ? "arrow" : "function",
            member,
            undefined,
          );
          fn.name = keyName(member.key, member.computed, source);
          fn.headerStart = member.value.start;
          this.visitFunction(fn, inner);
          members.push(fn);
        } else if (member.value) this.visit(member.value, inner, member);
      } else this.visit(member, inner, node);
    }
    // Members are compared one by one; the instance fields are part of how an instance is built
    // (with the constructor); the shell is what is left: heritage, static fields, static blocks.
    const fields: AnyNode[] = node.body.body.filter(
      (m: AnyNode) => m.type === "PropertyDefinition" && !m.static,
    );
    const cut = (text: string) =>
      text
        .split("\u0000")
        .filter((_, i) => i % 2 === 0)
        .join("");
    const within = (field: AnyNode) => (fn: FunctionModel) =>
      field.start <= fn.headerStart && fn.node.end <= field.end;
    const wholeFields = fields.map((f) => ({ key: "", headerStart: f.start, node: { end: f.end } }));
    cls.shellText = cut(
      blank(source, node.start, node.end, [
        ...members.filter((fn) => !fields.some((f) => within(f)(fn))),
        ...wholeFields,
      ]),
    );
    cls.fieldsText = fields
      .map((f) => cut(blank(source, f.start, f.end, members.filter(within(f)))))
      .join("\n");
  }

  visit(node: AnyNode, walk: Walk, parent: AnyNode): void {
    switch (node.type) {
      case "FunctionDeclaration": {
        // `export default function () {}` has no name and binds none.
        const name: string | undefined = node.id?.name;
        if (name) walk.declared.add(name);
        const binding = this.atModuleLevel(walk) ? name : undefined;
        this.visitFunction(
          this.makeFunction(node, walk, name ?? "default", "function", undefined, binding),
          walk,
        );
        return;
      }
      case "FunctionExpression":
      case "ArrowFunctionExpression": {
        const local =
          node.id?.name ??
          this.names.infer(node, parent) ??
          (node.type === "ArrowFunctionExpression" ? "<arrow>" : "<anonymous>");
        const binding = this.moduleBinding(node, parent, walk);
        const kind: FunctionKind = node.type === "ArrowFunctionExpression" ? "arrow" : "function";
        const shown = this.shownName(node, parent, walk, kind === "arrow" ? "arrow" : "function");
        this.visitFunction(this.makeFunction(node, walk, local, kind, undefined, binding, shown), walk);
        return;
      }
      case "ClassDeclaration":
        if (node.id) walk.declared.add(node.id.name);
        this.visitClass(node, walk, parent, this.atModuleLevel(walk) ? node.id?.name : undefined);
        return;
      case "ClassExpression": {
        this.visitClass(node, walk, parent, this.moduleBinding(node, parent, walk));
        return;
      }
      case "VariableDeclaration":
        for (const d of node.declarations) {
          const hoisted = walk.fn ? walk.fn.declared : this.found.moduleNames;
          patternNames(d.id, node.kind === "var" ? hoisted : walk.declared);
          this.visit(d.id, walk, d);
          if (d.init) this.visit(d.init, walk, d);
        }
        return;
      case "CatchClause":
        if (node.param) patternNames(node.param, walk.fn ? walk.declared : this.found.blockNames);
        break;
      case "ImportDeclaration":
        for (const s of node.specifiers) this.found.moduleNames.add(s.local.name);
        return;
      case "BlockStatement":
      case "ForStatement":
      case "ForInStatement":
      case "ForOfStatement":
      case "SwitchStatement":
        if (this.atModuleLevel(walk)) {
          // Top-level blocks: their let/const/class are not visible to the module-scope evaluator.
          const inBlock = { ...walk, declared: this.found.blockNames };
          for (const child of children(node)) this.visit(child, inBlock, node);
          return;
        }
        break;
      case "ObjectExpression": {
        const owner = this.names.infer(node, parent);
        if (owner) this.names.nameProperties(node, owner);
        break;
      }
      case "Identifier":
        walk.refs.add(node.name);
        return;
      case "PrivateIdentifier":
        if (walk.fn) walk.fn.usesPrivate = true;
        return;
      case "Super":
        if (walk.fn) walk.fn.usesSuper = true;
        return;
      case "MemberExpression":
        this.visit(node.object, walk, node);
        if (node.computed || node.property.type === "PrivateIdentifier")
          this.visit(node.property, walk, node);
        return;
      case "Property":
      case "PropertyDefinition":
      case "MethodDefinition":
        if (node.computed) this.visit(node.key, walk, node);
        if (node.value) this.visit(node.value, walk, node);
        return;
      case "LabeledStatement":
        this.visit(node.body, walk, node);
        return;
      case "BreakStatement":
      case "ContinueStatement":
      case "MetaProperty":
        return;
      case "ExportSpecifier":
        this.visit(node.local, walk, node);
        return;
    }
    for (const child of children(node)) this.visit(child, walk, node);
  }
}

/** A definition's shown name, and whether it follows its owner's qualname (`Owner.name`). */
interface Shown {
  name: string;
  owned: boolean;
}

/** Arrow parameters as written, or undefined if a parameter is a destructuring pattern. */
function arrowParams(node: AnyNode): string[] | undefined {
  const names: string[] = [];
  for (const p of node.params) {
    if (p.type === "Identifier") names.push(p.name);
    else if (p.type === "AssignmentPattern" && p.left.type === "Identifier") names.push(p.left.name);
    else if (p.type === "RestElement" && p.argument.type === "Identifier")
      names.push(`...${p.argument.name}`);
    else return undefined;
  }
  return names;
}
