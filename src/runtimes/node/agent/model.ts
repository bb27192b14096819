import { type AnyNode, hasUseStrict } from "./model/ast.js";
import { KeyCounter, NameInference } from "./model/naming.js";
import { checkRedeclarations, parseModule } from "./model/parse.js";
import { type Analyse, type ModelParts, piecewise, splice } from "./model/pieces.js";
import { ScopeAnalysis } from "./model/scope.js";
import { statementFacts } from "./model/statements.js";

export type { AnyNode } from "./model/ast.js";
export { ParseError, parseModule, parseOptions } from "./model/parse.js";

/**
 * The parse of one module into what the patcher reasons about: every function with a stable key,
 * its own text (nested functions blanked, so an edit inside a closure is an edit of the closure
 * only), the names it reads from outer scopes, and the module's top-level statements.
 * Built by the loader (to instrument) and by the patcher (to diff), from the same code. The jobs
 * are modules of ./model/: parse.ts (parsing, early errors), scope.ts (scope analysis), naming.ts
 * (keys), statements.ts (statement facts) and pieces.ts (the incremental cache).
 */

export type FunctionKind = "function" | "arrow" | "method" | "get" | "set" | "constructor";

/**
 * Where a name a function reads from outside itself is declared: in an enclosing function (in
 * one of its scopes: parameters, body, a block), in a block of top-level code (a `for`, a
 * `catch`, a class expression's name: out of reach of the module-scope evaluator), or at module
 * level (or nowhere: a global).
 */
export type Origin = FunctionModel | "top-level block" | "module";

export interface FunctionModel {
  key: string;
  name: string;
  /** As the user writes it (model/naming.ts): `Greeter.wave`, `app.get('/users') handler`. */
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
  /** The names the function (and the functions in it) reads from outside itself, and from where. */
  free: Map<string, Origin>;
  usesPrivate: boolean;
  usesSuper: boolean;
  strict: boolean;
  children: FunctionModel[];
  /** Arrow parameters as written, or undefined if a parameter is a destructuring pattern. */
  arrowParams: string[] | undefined;
  /**
   * Its body declares again a name its parameters read from outside it (`(a = n) => { let n }`):
   * code at the start of the body (a prologue) does not see the outer one.
   */
  bodyRedeclares: boolean;
}

export interface ClassModel {
  key: string;
  name: string;
  /** As the user writes it (model/naming.ts); unique as the key is. */
  qualname: string;
  node: AnyNode;
  topLevel: boolean;
  /** Module-level binding of the class (declaration or `const C = class …`). */
  binding: string | undefined;
  heritageText: string;
  /** Class text with member functions and instance fields blanked: static fields and blocks, keys. */
  shellText: string;
  /** The instance fields (one a line, function values blanked): with the constructor, how an instance is built. */
  fieldsText: string;
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
  /** A top-level statement that gives, run again, what a fresh run gives (an assignment). */
  rerunnable: boolean;
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
  /** Names declared at module level (visible to the module-scope evaluator). */
  moduleNames: Set<string>;
  strict: boolean;
  /**
   * Set when the model is `previous` with the statements of one edit replaced (see `splice`):
   * everything else is the same objects in both models.
   */
  splice?: { previous: ModuleModel; removed: Region; added: Region };
}

/** `fn` reads the module-level `name` (or the global: no enclosing scope declares it). */
export function readsModuleName(fn: FunctionModel, name: string): boolean {
  return fn.free.get(name) === "module";
}

/** What some top-level statements contribute to a model. */
export interface Region {
  functions: FunctionModel[];
  classes: ClassModel[];
  statements: StatementModel[];
}

/**
 * Build the model. Keys are stable across edits: a function is named by its path of names
 * (`Order.total`, `makeCounter>inc`), anonymous ones by what they are assigned to or by order.
 * `from`: the model of the running source, when `program` came from reparse.ts.
 */
export function buildModel(
  source: string,
  esm: boolean,
  program: AnyNode = parseModule(source, esm),
  from?: { previous: ModuleModel; tailMoved: boolean },
): ModuleModel {
  const strict = esm || hasUseStrict(program.body);
  /** A statement analysis with a key counter of its own. */
  const freshAnalysis = () => {
    const keys = new KeyCounter();
    const scopes = new ScopeAnalysis(source, strict, keys, new NameInference(source));
    const analyse: Analyse = (statement) => {
      const found = scopes.statement(statement, program);
      const direct = found.functions.filter((f) => f.parent === undefined && f.memberOf === undefined);
      return { ...found, statements: statementFacts(source, statement, direct, found.refs) };
    };
    return { keys, analyse };
  };
  let parts: ModelParts | undefined;
  if (from && !from.tailMoved) {
    const { keys, analyse } = freshAnalysis();
    parts = splice(program, from.previous, esm, keys, analyse);
  }
  if (!parts) {
    const { keys, analyse } = freshAnalysis();
    parts = piecewise(program, keys, analyse);
    checkRedeclarations(program, esm);
  }
  let byKey: Map<string, FunctionModel> | undefined;
  let classes: Map<string, ClassModel> | undefined;
  return {
    source,
    esm,
    program,
    functions: parts.functions,
    get byKey() {
      byKey ??= new Map(this.functions.map((fn) => [fn.key, fn]));
      return byKey;
    },
    classList: parts.classList,
    get classes() {
      classes ??= new Map(this.classList.map((cls) => [cls.key, cls]));
      return classes;
    },
    statements: parts.statements,
    moduleNames: parts.moduleNames,
    strict,
    ...(parts.splice ? { splice: parts.splice } : {}),
  };
}
