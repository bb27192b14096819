import { type Options, parse } from "acorn";

/**
 * The parse of one module into what the patcher reasons about: every function with a stable key,
 * its own text (nested functions blanked, so an edit inside a closure is an edit of the closure
 * only), the names it reads from outer scopes, and the module's top-level statements.
 * Built by the loader (to instrument) and by the patcher (to diff), from the same code.
 */

export type FunctionKind = "function" | "arrow" | "method" | "get" | "set" | "constructor";

// acorn's ESTree nodes are loosely typed; this module reads fields by name.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- ESTree node shapes vary by type
export type AnyNode = any;

export interface FunctionModel {
  key: string;
  name: string;
  qualname: string;
  /** 1-based line and 0-based column of the function's start. */
  line: number;
  column: number;
  /** Line of the function's end (with line and column: where the running code is). */
  endLine: number;
  kind: FunctionKind;
  async: boolean;
  generator: boolean;
  isStatic: boolean;
  /** The function node (for methods: the FunctionExpression value, starting at the parameters). */
  node: AnyNode;
  /** Start of the member for methods (`static async *name`), else node.start. */
  headerStart: number;
  ownText: string;
  parent: FunctionModel | undefined;
  /** The class this function is a member of (method, accessor, field initializer), if any. */
  memberOf: ClassModel | undefined;
  /** Nearest enclosing class of any depth (for #private names and super). */
  withinClass: ClassModel | undefined;
  /** The module-level name bound to this function (`function f`, `const f = () => …`). */
  binding: string | undefined;
  declared: Set<string>;
  free: Set<string>;
  usesPrivate: boolean;
  usesSuper: boolean;
  strict: boolean;
  children: FunctionModel[];
  /** Arrow parameters as written, or undefined if a parameter is a destructuring pattern. */
  arrowParams: string[] | undefined;
}

export interface ClassModel {
  key: string;
  name: string;
  node: AnyNode;
  topLevel: boolean;
  /** Module-level binding of the class (declaration or `const C = class …`). */
  binding: string | undefined;
  heritageText: string;
  /** Class text with member functions blanked: fields, static blocks, keys. */
  shellText: string;
  line: number;
}

export type StatementKind = "import" | "function" | "class" | "const" | "let" | "var" | "other";

export interface StatementModel {
  kind: StatementKind;
  /** Names declared (for const/let/var: one statement per declarator). */
  name: string | undefined;
  /** Text with functions blanked; for declarators: the initializer only. */
  text: string;
  /** The text with runs of whitespace as one space: how imports and other statements are compared. */
  normalized: string;
  /** The initializer (declarators) or the whole statement (other). */
  node: AnyNode;
  line: number;
  exported: boolean;
  /** The initializer calls or constructs something (re-running it has side effects). */
  sideEffects: boolean;
  /** Names this statement reads (to find what depends on a changed constant). */
  reads: Set<string>;
}

export interface ModuleModel {
  source: string;
  esm: boolean;
  program: AnyNode;
  /** In source order. */
  functions: FunctionModel[];
  /** The functions by key (made when first asked for: a spliced model may never need it). */
  readonly byKey: Map<string, FunctionModel>;
  /** In source order. */
  classList: ClassModel[];
  /** The classes by key (made when first asked for). */
  readonly classes: Map<string, ClassModel>;
  statements: StatementModel[];
  /** Names declared at module level (visible to the module-scope eval hook). */
  moduleNames: Set<string>;
  /** Names declared in blocks at the top level, outside any function: not reachable by eval. */
  blockNames: Set<string>;
  strict: boolean;
  /** Where the instrumentation preamble can go without moving user code (see transform.ts). */
  preambleAt: number;
  /**
   * Set when the model is `previous` with the statements of one edit replaced (see `splice`):
   * everything else is the same objects in both models.
   */
  splice?: { previous: ModuleModel; removed: Region; added: Region };
}

/** What some top-level statements contribute to a model. */
export interface Region {
  functions: FunctionModel[];
  classes: ClassModel[];
  statements: StatementModel[];
}

/**
 * What each top-level statement contributed to the last model built with it, by statement node
 * (reparse.ts hands the nodes of untouched statements to the next parse). A piece knows where its
 * statement was, so it is moved along if the statement moved since.
 */
const pieceOf = new WeakMap<AnyNode, Piece>();

/**
 * What one top-level statement adds to the model. A statement's model depends only on its own
 * text and on how many earlier functions share a key name, so a statement that an edit did not
 * touch (the same node, reused by reparse.ts) keeps its piece: a patch costs in proportion to
 * the edit, not to the module.
 */
interface Piece {
  /** Position of the statement when the piece was made (a reused piece moves with it). */
  start: number;
  line: number;
  functions: FunctionModel[];
  classes: ClassModel[];
  statements: StatementModel[];
  moduleNames: string[];
  blockNames: string[];
  /** Each key name the statement asked for, with the number it got (`f` 2 → key `f#2`). */
  keys: [string, number][];
}

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

const FUNCTION_TYPES = new Set(["FunctionDeclaration", "FunctionExpression", "ArrowFunctionExpression"]);
const SKIP_KEYS = new Set(["type", "start", "end", "loc", "range"]);

function isFunction(node: AnyNode): boolean {
  return node !== null && typeof node === "object" && FUNCTION_TYPES.has(node.type);
}

function children(node: AnyNode): AnyNode[] {
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
function patternNames(pattern: AnyNode, into: Set<string>): void {
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

function hasUseStrict(body: AnyNode[]): boolean {
  for (const statement of body) {
    if (statement.type !== "ExpressionStatement" || typeof statement.directive !== "string") return false;
    if (statement.directive === "use strict") return true;
  }
  return false;
}

function keyName(node: AnyNode, computed: boolean, source: string): string {
  if (!computed && node.type === "Identifier") return node.name;
  if (!computed && node.type === "PrivateIdentifier") return `#${node.name}`;
  if (node.type === "Literal") return String(node.value);
  return `[${source.slice(node.start, node.end)}]`;
}

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

interface Walk {
  fn: FunctionModel | undefined;
  cls: ClassModel | undefined;
  /** Declarations land here: the current function's scope, or the module / block sets. */
  declared: Set<string>;
  refs: Set<string>;
  strict: boolean;
}

/**
 * Build the model. Keys are stable across edits: a function is named by its path of names
 * (`Order.total`, `makeCounter>inc`), anonymous ones by what they are assigned to or by order.
 */
export function buildModel(
  source: string,
  esm: boolean,
  program: AnyNode = parseModule(source, esm),
  from?: { previous: ModuleModel; tailMoved: boolean },
): ModuleModel {
  const previous = from?.previous;
  let byKey: Map<string, FunctionModel> | undefined;
  let classes: Map<string, ClassModel> | undefined;
  const model: ModuleModel = {
    source,
    esm,
    program,
    functions: [],
    get byKey() {
      byKey ??= new Map(this.functions.map((fn) => [fn.key, fn]));
      return byKey;
    },
    classList: [],
    get classes() {
      classes ??= new Map(this.classList.map((cls) => [cls.key, cls]));
      return classes;
    },
    statements: [],
    moduleNames: new Set(),
    blockNames: new Set(),
    strict: esm || hasUseStrict(program.body),
    preambleAt: 0,
  };
  const usedKeys = new Map<string, number>();
  /** Every key name asked for and the number it got, in order (see Piece.keys). */
  const keyLog: [string, number][] = [];
  // Properties of a named object literal are named after it: `handlers.get`, not just `get`.
  const objectNames = new WeakMap<AnyNode, string>();
  /** Set when a key name is asked for whose earlier count is not known (see `splice`). */
  let splicing = false;
  let unknownKey = false;
  const unique = (key: string): string => {
    if (splicing && !usedKeys.has(key)) unknownKey = true;
    const n = (usedKeys.get(key) ?? 0) + 1;
    usedKeys.set(key, n);
    keyLog.push([key, n]);
    return n === 1 ? key : `${key}#${n}`;
  };

  const makeFunction = (
    node: AnyNode,
    walk: Walk,
    localName: string,
    kind: FunctionKind,
    member: AnyNode | undefined,
    binding: string | undefined,
  ): FunctionModel => {
    const parentKey = walk.fn?.key;
    const classPrefix = member && walk.cls ? `${walk.cls.key}.` : "";
    const base = classPrefix ? classPrefix + localName : parentKey ? `${parentKey}>${localName}` : localName;
    const key = unique(base);
    const strict =
      walk.strict ||
      (node.body.type === "BlockStatement" && hasUseStrict(node.body.body)) ||
      kind !== "function";
    let arrowParams: string[] | undefined;
    if (node.type === "ArrowFunctionExpression") {
      arrowParams = [];
      for (const p of node.params) {
        if (p.type === "Identifier") arrowParams.push(p.name);
        else if (p.type === "AssignmentPattern" && p.left.type === "Identifier")
          arrowParams.push(p.left.name);
        else if (p.type === "RestElement" && p.argument.type === "Identifier")
          arrowParams.push(`...${p.argument.name}`);
        else {
          arrowParams = undefined;
          break;
        }
      }
    }
    const fn: FunctionModel = {
      key,
      name: localName,
      qualname: key.replace(/>/g, "."),
      line: node.loc.start.line,
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
      arrowParams,
    };
    if (member) fn.line = member.loc.start.line;
    model.functions.push(fn);
    walk.fn?.children.push(fn);
    return fn;
  };

  const visitFunction = (fn: FunctionModel, walk: Walk): void => {
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
      visit(p, inner, node);
    }
    visit(node.body, inner, node);
    fn.ownText = blank(source, fn.headerStart, node.end, fn.children);
    for (const child of fn.children) {
      for (const name of child.free) inner.refs.add(name);
      fn.usesPrivate ||= child.usesPrivate;
      if (child.kind === "arrow") fn.usesSuper ||= child.usesSuper;
    }
    for (const name of inner.refs) if (!fn.declared.has(name)) fn.free.add(name);
    // Reads by functions count for the enclosing function, not for a top-level statement.
    if (walk.fn) for (const name of fn.free) walk.refs.add(name);
  };

  /** Name of an anonymous function from where it sits: `const f = …`, `{ f: … }`, `x.f = …`. */
  const inferName = (node: AnyNode, parent: AnyNode): string | undefined => {
    if (!parent) return undefined;
    if (parent.type === "VariableDeclarator" && parent.init === node && parent.id.type === "Identifier")
      return parent.id.name;
    if (parent.type === "AssignmentExpression" && parent.right === node) {
      if (parent.left.type === "Identifier") return parent.left.name;
      if (parent.left.type === "MemberExpression")
        return keyName(parent.left.property, parent.left.computed, source);
    }
    if (parent.type === "Property" && parent.value === node) {
      const owner = objectNames.get(parent);
      const key = keyName(parent.key, parent.computed, source);
      return owner ? `${owner}.${key}` : key;
    }
    if (parent.type === "AssignmentPattern" && parent.right === node && parent.left.type === "Identifier")
      return parent.left.name;
    if (
      (parent.type === "CallExpression" || parent.type === "NewExpression") &&
      parent.arguments.includes(node)
    ) {
      // A callback is named by the call that receives it: `app.get("/users")`, `setInterval()`.
      const first = parent.arguments[0];
      const tag =
        first?.type === "Literal" && typeof first.value === "string" ? JSON.stringify(first.value) : "";
      return `${source.slice(parent.callee.start, parent.callee.end).replace(/\s+/g, "")}(${tag})`;
    }
    return undefined;
  };

  /** The module-scope name a `const x = function/class …` binds, when it is at module level. */
  const moduleBinding = (node: AnyNode, parent: AnyNode, walk: Walk): string | undefined =>
    walk.fn === undefined && parent?.type === "VariableDeclarator" && walk.declared === model.moduleNames
      ? inferName(node, parent)
      : undefined;

  const visitClass = (node: AnyNode, walk: Walk, parent: AnyNode, topBinding: string | undefined): void => {
    const name = node.id?.name ?? inferName(node, parent) ?? "<class>";
    const key = unique(walk.fn ? `${walk.fn.key}>${name}` : name);
    const cls: ClassModel = {
      key,
      name,
      node,
      topLevel: walk.fn === undefined && topBinding !== undefined,
      binding: topBinding,
      heritageText: node.superClass ? source.slice(node.superClass.start, node.superClass.end) : "",
      shellText: "",
      line: node.loc.start.line,
    };
    model.classList.push(cls);
    if (node.superClass) visit(node.superClass, walk, node);
    const inner: Walk = { ...walk, cls, strict: true };
    const members: FunctionModel[] = [];
    for (const member of node.body.body) {
      if (member.type === "MethodDefinition") {
        if (member.computed) visit(member.key, inner, member);
        const local = keyName(member.key, member.computed, source);
        const kind: FunctionKind =
          member.kind === "constructor"
            ? "constructor"
            : member.kind === "get" || member.kind === "set"
              ? member.kind
              : "method";
        const prefix = `${member.static ? "static " : ""}${kind === "get" || kind === "set" ? `${kind} ` : ""}`;
        const fn = makeFunction(member.value, inner, prefix + local, kind, member, undefined);
        fn.name = local;
        visitFunction(fn, inner);
        members.push(fn);
      } else if (member.type === "PropertyDefinition") {
        if (member.computed) visit(member.key, inner, member);
        if (member.value && isFunction(member.value) && !member.value.id) {
          const local = `${member.static ? "static " : ""}${keyName(member.key, member.computed, source)}`;
          const fn = makeFunction(
            member.value,
            inner,
            local,
            member.value.type === "ArrowFunctionExpression" ? "arrow" : "function",
            member,
            undefined,
          );
          fn.name = keyName(member.key, member.computed, source);
          fn.headerStart = member.value.start;
          visitFunction(fn, inner);
          members.push(fn);
        } else if (member.value) visit(member.value, inner, member);
      } else visit(member, inner, node);
    }
    // Members are compared one by one; the shell is what is left: heritage, fields, static blocks.
    cls.shellText = blank(source, node.start, node.end, members)
      .split("\u0000")
      .filter((_, i) => i % 2 === 0)
      .join("");
  };

  const visit = (node: AnyNode, walk: Walk, parent: AnyNode): void => {
    switch (node.type) {
      case "FunctionDeclaration": {
        // `export default function () {}` has no name and binds none.
        const name: string | undefined = node.id?.name;
        if (name) walk.declared.add(name);
        const binding = walk.fn === undefined && walk.declared === model.moduleNames ? name : undefined;
        visitFunction(makeFunction(node, walk, name ?? "default", "function", undefined, binding), walk);
        return;
      }
      case "FunctionExpression":
      case "ArrowFunctionExpression": {
        const local =
          node.id?.name ??
          inferName(node, parent) ??
          (node.type === "ArrowFunctionExpression" ? "<arrow>" : "<anonymous>");
        const binding = moduleBinding(node, parent, walk);
        const kind: FunctionKind = node.type === "ArrowFunctionExpression" ? "arrow" : "function";
        visitFunction(makeFunction(node, walk, local, kind, undefined, binding), walk);
        return;
      }
      case "ClassDeclaration":
        if (node.id) walk.declared.add(node.id.name);
        visitClass(
          node,
          walk,
          parent,
          walk.fn === undefined && walk.declared === model.moduleNames ? node.id?.name : undefined,
        );
        return;
      case "ClassExpression": {
        visitClass(node, walk, parent, moduleBinding(node, parent, walk));
        return;
      }
      case "VariableDeclaration":
        for (const d of node.declarations) {
          const hoisted = walk.fn ? walk.fn.declared : model.moduleNames;
          patternNames(d.id, node.kind === "var" ? hoisted : walk.declared);
          visit(d.id, walk, d);
          if (d.init) visit(d.init, walk, d);
        }
        return;
      case "CatchClause":
        if (node.param) patternNames(node.param, walk.fn ? walk.declared : model.blockNames);
        break;
      case "ImportDeclaration":
        for (const s of node.specifiers) model.moduleNames.add(s.local.name);
        return;
      case "BlockStatement":
      case "ForStatement":
      case "ForInStatement":
      case "ForOfStatement":
      case "SwitchStatement":
        if (walk.fn === undefined && walk.declared === model.moduleNames) {
          // Top-level blocks: their let/const/class are not visible to the module-scope eval hook.
          for (const child of children(node)) visit(child, { ...walk, declared: model.blockNames }, node);
          return;
        }
        break;
      case "ObjectExpression": {
        const owner = inferName(node, parent);
        if (owner) for (const property of node.properties) objectNames.set(property, owner);
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
        visit(node.object, walk, node);
        if (node.computed || node.property.type === "PrivateIdentifier") visit(node.property, walk, node);
        return;
      case "Property":
      case "PropertyDefinition":
      case "MethodDefinition":
        if (node.computed) visit(node.key, walk, node);
        if (node.value) visit(node.value, walk, node);
        return;
      case "LabeledStatement":
        visit(node.body, walk, node);
        return;
      case "BreakStatement":
      case "ContinueStatement":
      case "MetaProperty":
        return;
      case "ExportSpecifier":
        visit(node.local, walk, node);
        return;
    }
    for (const child of children(node)) visit(child, walk, node);
  };

  /** Take a statement's piece from the previous build if its keys come out the same. */
  const reuse = (statement: AnyNode): boolean => {
    const piece = pieceOf.get(statement);
    if (!piece) return false;
    const keys = piece.keys;
    for (let i = 0; i < keys.length; i++) {
      const [key, n] = keys[i] as [string, number];
      if ((usedKeys.get(key) ?? 0) + 1 !== n) {
        for (let j = i - 1; j >= 0; j--) usedKeys.set(keys[j]?.[0] as string, (keys[j]?.[1] as number) - 1);
        keyLog.length -= i;
        return false;
      }
      usedKeys.set(key, n);
      keyLog.push(keys[i] as [string, number]);
    }
    const moved = movePiece(piece, statement.start - piece.start, statement.loc.start.line - piece.line);
    for (const fn of moved.functions) model.functions.push(fn);
    for (const cls of moved.classes) model.classList.push(cls);
    for (const s of moved.statements) model.statements.push(s);
    for (const name of moved.moduleNames) model.moduleNames.add(name);
    for (const name of moved.blockNames) model.blockNames.add(name);
    pieceOf.set(statement, moved);
    return true;
  };

  const moduleNames = model.moduleNames;
  const blockNames = model.blockNames;
  /** Visit one top-level statement, recording what it adds as its piece. */
  const visitStatement = (statement: AnyNode): Piece => {
    const before = {
      functions: model.functions.length,
      classes: model.classList.length,
      statements: model.statements.length,
      keys: keyLog.length,
    };
    // The statement's names go to sets of its own first, so that its piece knows them.
    model.moduleNames = new Set();
    model.blockNames = new Set();
    const refs = new Set<string>();
    visit(
      statement,
      {
        fn: undefined,
        cls: undefined,
        declared: model.moduleNames,
        refs,
        strict: model.strict,
      },
      program,
    );
    const functions = model.functions.slice(before.functions);
    const direct = functions.filter((f) => f.parent === undefined && f.memberOf === undefined);
    collectStatements(model, statement, direct, refs);
    const piece: Piece = {
      start: statement.start,
      line: statement.loc.start.line,
      functions,
      classes: model.classList.slice(before.classes),
      statements: model.statements.slice(before.statements),
      moduleNames: [...model.moduleNames],
      blockNames: [...model.blockNames],
      keys: keyLog.slice(before.keys),
    };
    pieceOf.set(statement, piece);
    for (const name of model.moduleNames) moduleNames.add(name);
    for (const name of model.blockNames) blockNames.add(name);
    model.moduleNames = moduleNames;
    model.blockNames = blockNames;
    return piece;
  };

  /**
   * The common edit, inside a function or two: the statements before and after the re-parsed ones
   * are the same nodes at the same places, and the re-parsed ones ask for the same keys and declare
   * the same names as before. Then the previous model is copied with only those statements
   * replaced: no work per function of the whole module (at 50,000 lines, the per-statement path
   * costs tens of milliseconds, mostly in filling maps and collecting them).
   */
  const splice = (previous: ModuleModel): boolean => {
    const oldBody: AnyNode[] = previous.program.body;
    const body: AnyNode[] = program.body;
    let head = 0;
    while (head < body.length && head < oldBody.length && body[head] === oldBody[head]) head++;
    let tail = 0;
    while (
      tail < body.length - head &&
      tail < oldBody.length - head &&
      body[body.length - 1 - tail] === oldBody[oldBody.length - 1 - tail]
    )
      tail++;
    const piecesOf = (statements: AnyNode[]) => statements.map((s) => pieceOf.get(s));
    const oldStatements = oldBody.slice(head, oldBody.length - tail);
    const removed = piecesOf(oldStatements);
    const before = piecesOf(oldBody.slice(0, head));
    if (head + tail === 0 || from?.tailMoved || [...removed, ...before].some((p) => !p)) return false;
    // Where the replaced statements' part of each list of the previous model is.
    const range = (of: (p: Piece) => unknown[]) => {
      const start = (before as Piece[]).reduce((n, p) => n + of(p).length, 0);
      return [start, (removed as Piece[]).reduce((n, p) => n + of(p).length, start)] as const;
    };
    const ranges = {
      functions: range((p) => p.functions),
      classes: range((p) => p.classes),
      statements: range((p) => p.statements),
    };
    const old: Region = {
      functions: previous.functions.slice(...ranges.functions),
      classes: previous.classList.slice(...ranges.classes),
      statements: previous.statements.slice(...ranges.statements),
    };
    const oldKeys = (removed as Piece[]).flatMap((p) => p.keys);
    const same = (a: unknown[], b: unknown[]) => JSON.stringify(a) === JSON.stringify(b);
    // A piece is what its statement contributed to the last model built with it: make sure that
    // was `previous` (a patch that was not applied may have built another one since).
    const keysOf = (r: { functions: { key: string }[]; classes: { key: string }[] }) =>
      [...r.functions, ...r.classes].map((x) => x.key).sort();
    if (
      !same(
        keysOf(old),
        keysOf({
          functions: removed.flatMap((p) => p?.functions ?? []),
          classes: removed.flatMap((p) => p?.classes ?? []),
        }),
      )
    )
      return false;
    // The re-parsed statements continue the counts of the key names before them: known from the
    // numbers their previous version got. A name they did not use before is not known: bail out.
    for (const [key, n] of oldKeys) if (!usedKeys.has(key)) usedKeys.set(key, n - 1);
    const statements = body.slice(head, body.length - tail);
    splicing = true;
    const added = statements.map(visitStatement);
    splicing = false;
    if (
      unknownKey ||
      !same(keyLog, oldKeys) ||
      !same(
        added.flatMap((p) => [p.moduleNames, p.blockNames]),
        (removed as Piece[]).flatMap((p) => [p.moduleNames, p.blockNames]),
      ) ||
      !same(declaredNames(statements, esm), declaredNames(oldStatements, esm))
    ) {
      for (const statement of statements) pieceOf.delete(statement);
      model.functions = [];
      model.classList = [];
      model.statements = [];
      moduleNames.clear();
      blockNames.clear();
      usedKeys.clear();
      keyLog.length = 0;
      unknownKey = false;
      return false;
    }
    const region: Region = {
      functions: model.functions,
      classes: model.classList,
      statements: model.statements,
    };
    const splicedIn = <T>(all: T[], [start, end]: readonly [number, number], replacement: T[]): T[] =>
      all.slice(0, start).concat(replacement, all.slice(end));
    model.functions = splicedIn(previous.functions, ranges.functions, region.functions);
    model.classList = splicedIn(previous.classList, ranges.classes, region.classes);
    model.statements = splicedIn(previous.statements, ranges.statements, region.statements);
    // The statements declare the same names as before: the sets are the previous ones.
    model.moduleNames = previous.moduleNames;
    model.blockNames = previous.blockNames;
    model.splice = { previous, removed: old, added: region };
    return true;
  };

  if (!previous || !splice(previous)) {
    for (const statement of program.body) if (!reuse(statement)) visitStatement(statement);
    checkRedeclarations(program, esm);
  }
  model.preambleAt = preamblePosition(source, program);
  return model;
}

/**
 * A piece whose statement moved by `delta` characters and `lines` lines (reparse.ts moves the
 * nodes themselves, whole lines only: columns stay). The previous model keeps its own objects.
 */
function movePiece(piece: Piece, delta: number, lines: number): Piece {
  if (delta === 0 && lines === 0) return piece;
  const classes = new Map<ClassModel, ClassModel>();
  for (const cls of piece.classes) classes.set(cls, { ...cls, line: cls.line + lines });
  const functions = new Map<FunctionModel, FunctionModel>();
  for (const fn of piece.functions)
    functions.set(fn, {
      ...fn,
      line: fn.line + lines,
      endLine: fn.endLine + lines,
      headerStart: fn.headerStart + delta,
    });
  const cls = (c: ClassModel | undefined) => (c ? classes.get(c) : undefined);
  for (const fn of functions.values()) {
    fn.parent = fn.parent ? functions.get(fn.parent) : undefined;
    fn.memberOf = cls(fn.memberOf);
    fn.withinClass = cls(fn.withinClass);
    fn.children = fn.children.map((child) => functions.get(child) as FunctionModel);
  }
  return {
    ...piece,
    start: piece.start + delta,
    line: piece.line + lines,
    functions: [...functions.values()],
    classes: [...classes.values()],
    statements: piece.statements.map((s) => ({ ...s, line: s.line + lines })),
  };
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

function declaredNames(statements: AnyNode[], esm: boolean): string[] {
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
function checkRedeclarations(program: AnyNode, esm: boolean): void {
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

/** Source text of [start, end) with the given nested functions replaced by their keys. */
function blank(source: string, start: number, end: number, nested: FunctionModel[]): string {
  let out = "";
  let at = start;
  for (const fn of [...nested].sort((a, b) => a.headerStart - b.headerStart)) {
    out += `${source.slice(at, fn.headerStart)}\u0000${fn.key}\u0000`;
    at = fn.node.end;
  }
  return out + source.slice(at, end);
}

function collectStatements(
  model: ModuleModel,
  statement: AnyNode,
  direct: FunctionModel[],
  reads: Set<string>,
): void {
  const source = model.source;
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
    model.statements.push({
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
      return;
    case "FunctionDeclaration":
      push("function", node.id?.name, "", node, false);
      return;
    case "ClassDeclaration":
      push("class", node.id?.name, "", node, false);
      return;
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
      return;
  }
  push("other", undefined, blank(source, statement.start, statement.end, direct), statement, true);
}

/**
 * The preamble must run before any user statement but should not move user code: put it at the
 * start of a line that holds only whitespace or a comment before the first statement that runs
 * (after a shebang, directives and imports); failing that, right before that statement.
 */
function preamblePosition(source: string, program: AnyNode): number {
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
