import type { ClassModel, FunctionModel } from "../model.js";
import { type AnyNode, children, isFunction } from "../model/ast.js";
import { keyName } from "../model/naming.js";
import { type Reason, reason } from "../reasons.js";
import { constructorKey } from "../transform.js";
import { classEntry, functionEntry } from "./outcomes.js";
import type { Planning } from "./planning.js";

/**
 * The planner's part for how instances are built: a class's constructor and instance fields.
 * Instances that exist keep what they were given (a running object is never rebuilt); a changed
 * construction builds the new ones: the class's construction slot gets a class compiled from the
 * new constructor and fields (transform.ts `classEdits`), which every `new` of the class, and of
 * its subclasses through `super()`, builds with. What the instances built before lack is said.
 *
 * The rule for methods ("no method goes live against a shape it cannot work with"): a method
 * changed by the same patch that reads `this.x` for an `x` only the new construction gives runs
 * its new code on instances that have `x`, and on those that do not (built before) the code it
 * ran before (a `ShapeGuard`). A method added by the patch has no code from before: it is defined,
 * and the warning names it.
 */

/** The properties a construction gives: instance fields, and `this.x = …` in the constructor. */
function givenBy(cls: ClassModel, constructor: FunctionModel | undefined, source: string): Set<string> {
  const given = new Set<string>();
  for (const member of cls.node.body.body)
    if (member.type === "PropertyDefinition" && !member.static && member.key.type !== "PrivateIdentifier")
      given.add(keyName(member.key, member.computed, source));
  if (constructor)
    thisMembers(constructor.node.body, (member, parent) => {
      if (parent?.type === "AssignmentExpression" && parent.left === member) given.add(member.property.name);
    });
  return given;
}

/** Every `this.name` in `node`, outside nested functions that have a `this` of their own. */
function thisMembers(
  node: AnyNode,
  found: (member: AnyNode, parent: AnyNode) => void,
  parent?: AnyNode,
): void {
  if (
    node.type === "MemberExpression" &&
    node.object.type === "ThisExpression" &&
    !node.computed &&
    node.property.type === "Identifier"
  )
    found(node, parent);
  for (const child of children(node)) {
    if ((isFunction(child) && child.type !== "ArrowFunctionExpression") || child.type.startsWith("Class"))
      continue;
    thisMembers(child, found, node);
  }
}

/** The names `this.name` that `fn` reads (or writes). */
function readsOfThis(fn: FunctionModel): Set<string> {
  const reads = new Set<string>();
  thisMembers(fn.node.body, (member) => reads.add(member.property.name));
  return reads;
}

/** The #private names a class declares (fields, methods, accessors). */
export function privateNamesOf(cls: ClassModel): Set<string> {
  const names = new Set<string>();
  for (const member of cls.node.body.body)
    if (member.key?.type === "PrivateIdentifier") names.add(`#${member.key.name}`);
  return names;
}

/**
 * Classes whose construction changed: planned (the keys returned), or refused (said, and kept, so
 * that the next patch says it again). Frozen classes (a changed heritage) are left out.
 */
export function planConstructions(planning: Planning, frozen: Set<string>): Set<string> {
  const { diff, model, plan, context } = planning;
  const built = new Set<string>();
  for (const cls of diff.new.classes) {
    if (!cls.topLevel || frozen.has(cls.key)) continue;
    const before = context.kept.classes.has(cls.key)
      ? (context.kept.classes.get(cls.key) ?? undefined)
      : diff.old.classByKey.get(cls.key);
    if (!before || before === cls) continue;
    const key = constructorKey(cls);
    const beforeConstructor = context.kept.functions.has(key)
      ? (context.kept.functions.get(key) ?? undefined)
      : diff.old.byKey.get(key);
    const constructor = diff.new.byKey.get(key);
    if (
      before.fieldsText.replace(/\s+/g, " ") === cls.fieldsText.replace(/\s+/g, " ") &&
      (beforeConstructor?.ownText ?? "") === (constructor?.ownText ?? "")
    )
      continue;
    const entry = (status: "updated" | "refused", why: Reason) =>
      constructor ? functionEntry(constructor, status, why) : classEntry(cls, status, why);
    const refusal = !context.hookedClasses.has(cls.key)
      ? reason("construction-not-hooked", cls.name, cls.node.superClass !== null)
      : privateNamesOf(before).size > 0 || privateNamesOf(cls).size > 0
        ? reason("construction-private", cls.name)
        : undefined;
    if (refusal) {
      plan.kept.classes.set(cls.key, before);
      plan.kept.functions.set(key, beforeConstructor ?? null);
      planning.report(entry("refused", refusal));
      continue;
    }
    const old = givenBy(before, beforeConstructor, planning.old.source);
    const missing = [...givenBy(cls, constructor, model.source)].filter((name) => !old.has(name));
    const said = entry("updated", reason("instances-built-before", cls.name, missing));
    plan.constructions.push({ cls, missing, entry: said });
    if (missing.length > 0)
      plan.lacking.set(cls.key, new Set([...(plan.lacking.get(cls.key) ?? []), ...missing]));
    planning.report(said);
    built.add(cls.key);
  }
  return built;
}

/**
 * Methods of the patch that read what only new instances have (see the rule above; also in every
 * later patch): a changed one runs its old code on instances built before; an added one is said to
 * need new instances.
 */
export function planShapeGuards(planning: Planning): void {
  const { plan, diff, context } = planning;
  for (const fn of [...plan.slots, ...plan.addedMembers]) {
    const cls = fn.memberOf;
    const lacking = cls && !fn.isStatic ? plan.lacking.get(cls.key) : undefined;
    if (!cls || !lacking) continue;
    const reads = readsOfThis(fn);
    const needs = [...lacking].filter((name) => reads.has(name));
    if (needs.length === 0) continue;
    const added = plan.addedMembers.has(fn);
    // (A method that only moved has no entry; it is guarded all the same, or its old guard would go.)
    const entry = plan.outcomes.find((o) => o.kind === "function" && o.qualname === fn.qualname);
    if (entry)
      planning.replace(
        entry,
        functionEntry(fn, entry.status, reason("needs-new-shape", cls.name, needs, added)),
      );
    if (added) continue;
    const before = context.kept.functions.has(fn.key)
      ? (context.kept.functions.get(fn.key) ?? undefined)
      : diff.old.byKey.get(fn.key);
    if (before) plan.guards.push({ fn, before, needs });
  }
}
