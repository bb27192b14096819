import type { AnyNode } from "./ast.js";

/**
 * Key naming: a function or class is named by its path of names (`Order.total`,
 * `makeCounter>inc`), an anonymous one by where it sits, and a name used twice gets a number
 * (`f#2`). Keys are what a patch matches the old and new versions of a function by.
 */

/** The name of a property or member key as written: `total`, `#count`, `[Symbol.iterator]`. */
export function keyName(node: AnyNode, computed: boolean, source: string): string {
  if (!computed && node.type === "Identifier") return node.name;
  if (!computed && node.type === "PrivateIdentifier") return `#${node.name}`;
  if (node.type === "Literal") return String(node.value);
  return `[${source.slice(node.start, node.end)}]`;
}

/** The call an argument is passed to, and its first argument when that is a string literal. */
function receivingCall(
  node: AnyNode,
  parent: AnyNode,
): { callee: AnyNode; tag: AnyNode | undefined } | undefined {
  if (
    (parent.type !== "CallExpression" && parent.type !== "NewExpression") ||
    !parent.arguments.includes(node)
  )
    return undefined;
  const first = parent.arguments[0];
  const tag = first?.type === "Literal" && typeof first.value === "string" ? first : undefined;
  return { callee: parent.callee, tag };
}

/** Source text with its white space removed (`app .get` → `app.get`). */
function folded(source: string, node: AnyNode): string {
  return source.slice(node.start, node.end).replace(/\s+/g, "");
}

/**
 * Names of anonymous functions and classes from where they sit: `const f = …`, `{ f: … }`,
 * `x.f = …`, a callback of `app.get("/users")`. Properties of a named object literal are named
 * after it: `handlers.get`, not just `get`.
 *
 * Two names come from one place: `infer` gives the part of a key (what a patch matches old and
 * new versions by; it must not change, or cached models and slots stop matching), `shown` the
 * part of a qualname, as the user writes it (`app.get('/users') handler`, `setInterval callback`).
 */
export class NameInference {
  private readonly objectNames = new WeakMap<AnyNode, string>();

  constructor(private readonly source: string) {}

  /** The properties of an object literal named `owner`. */
  nameProperties(object: AnyNode, owner: string): void {
    for (const property of object.properties) this.objectNames.set(property, owner);
  }

  /** The key name of an anonymous function or class, if where it sits names it. */
  infer(node: AnyNode, parent: AnyNode): string | undefined {
    if (!parent) return undefined;
    const call = receivingCall(node, parent);
    if (call) {
      // A callback is keyed by the call that receives it: `app.get("/users")`, `setInterval()`.
      const tag = call.tag ? JSON.stringify(call.tag.value) : "";
      return `${folded(this.source, call.callee)}(${tag})`;
    }
    return this.bound(node, parent);
  }

  /**
   * The name of an anonymous function or class as the user writes it: what it is bound to, or
   * for a callback the call it is passed to (`app.get('/users') handler`, `setInterval
   * callback`), `default` for a default export (JavaScript's own name for it).
   */
  shown(node: AnyNode, parent: AnyNode): string | undefined {
    if (!parent) return undefined;
    const call = receivingCall(node, parent);
    if (call) {
      const callee = folded(this.source, call.callee);
      return call.tag
        ? `${callee}(${this.source.slice(call.tag.start, call.tag.end)}) handler`
        : `${callee} callback`;
    }
    if (parent.type === "ExportDefaultDeclaration") return "default";
    if (
      parent.type === "AssignmentExpression" &&
      parent.right === node &&
      parent.left.type === "MemberExpression" &&
      folded(this.source, parent.left) === "module.exports"
    )
      return "module.exports";
    return this.bound(node, parent);
  }

  /** The name a declaration, assignment, property or default value binds it to. */
  private bound(node: AnyNode, parent: AnyNode): string | undefined {
    const source = this.source;
    if (parent.type === "VariableDeclarator" && parent.init === node && parent.id.type === "Identifier")
      return parent.id.name;
    if (parent.type === "AssignmentExpression" && parent.right === node) {
      if (parent.left.type === "Identifier") return parent.left.name;
      if (parent.left.type === "MemberExpression")
        return keyName(parent.left.property, parent.left.computed, source);
    }
    if (parent.type === "Property" && parent.value === node) {
      const owner = this.objectNames.get(parent);
      const key = keyName(parent.key, parent.computed, source);
      return owner ? `${owner}.${key}` : key;
    }
    if (parent.type === "AssignmentPattern" && parent.right === node && parent.left.type === "Identifier")
      return parent.left.name;
    return undefined;
  }
}

/**
 * The qualname of a definition: its owner's qualname (a class, or the enclosing function), then
 * its shown name, then the number its key got when the name repeats (`f #2`). Unique as keys
 * are: it follows the key's path, and the number is the key's own.
 */
export function qualname(owner: string | undefined, shown: string, key: string, base: string): string {
  const number = key.length > base.length ? ` ${key.slice(base.length)}` : "";
  return `${owner ? `${owner}.` : ""}${shown}${number}`;
}

/** What an anonymous function or class is called where nothing names it: `arrow in makeCounter`. */
export function anonymousName(what: "arrow" | "function" | "class", enclosing: string | undefined): string {
  return enclosing ? `${what} in ${enclosing}` : what;
}

/** A key name asked for and the number it got (`f` 2 → key `f#2`). */
export type KeyUse = [string, number];

/**
 * Numbers the key names of one model in source order. Every use is logged, so that the
 * incremental cache (pieces.ts) can replay a statement's uses instead of walking it again.
 */
export class KeyCounter {
  private readonly used = new Map<string, number>();
  /** Every key name asked for and the number it got, in order. */
  readonly log: KeyUse[] = [];
  /** Set (see `continueFrom`) while only some statements are counted; then … */
  private partial = false;
  /** … a name whose earlier count is not known was asked for. */
  unknown = false;

  /** A unique key for `base`. */
  unique(base: string): string {
    if (this.partial && !this.used.has(base)) this.unknown = true;
    const n = (this.used.get(base) ?? 0) + 1;
    this.used.set(base, n);
    this.log.push([base, n]);
    return n === 1 ? base : `${base}#${n}`;
  }

  /** Take these uses again if each gets the same number now; else change nothing. */
  replay(uses: KeyUse[]): boolean {
    for (let i = 0; i < uses.length; i++) {
      const [key, n] = uses[i] as KeyUse;
      if ((this.used.get(key) ?? 0) + 1 !== n) {
        for (let j = i - 1; j >= 0; j--) this.used.set(uses[j]?.[0] as string, (uses[j]?.[1] as number) - 1);
        this.log.length -= i;
        return false;
      }
      this.used.set(key, n);
      this.log.push(uses[i] as KeyUse);
    }
    return true;
  }

  /**
   * Count only some statements, continuing the counts their previous version saw (`uses`): a
   * name they did not use before has no known count (`unknown` is set when it is asked for).
   */
  continueFrom(uses: KeyUse[]): void {
    for (const [key, n] of uses) if (!this.used.has(key)) this.used.set(key, n - 1);
    this.partial = true;
  }
}
