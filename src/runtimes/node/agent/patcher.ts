import type { FunctionOutcome, PatchResult } from "../../../protocol/messages.js";
import {
  buildModel,
  type ClassModel,
  type FunctionModel,
  type ModuleModel,
  ParseError,
  type Region,
  type StatementModel,
} from "./model.js";
import { LineIndex, layout, type Placed } from "./layout.js";
import { type EvalHook, type Kept, type ModuleRecord, nothingKept } from "./registry.js";
import { reparse } from "./reparse.js";
import {
  CODE,
  counterName,
  dispatchable,
  type Edit,
  ENV,
  moduleEdits,
  render,
  slotDeclarations,
  slotName,
  versionsSource,
} from "./transform.js";
import { stripTypes, TypeScriptError } from "./typescript.js";

/**
 * One patch of one file: diff the new source against the running one per function, decide for
 * each change whether it can be applied and how, compile everything, and only then install it all
 * (or nothing). The program's own code never runs during the decision; it runs only for what the
 * user asked for (dispose/accept callbacks, re-run top-level statements of an accepting module).
 */

type Fn = (...args: unknown[]) => unknown;

interface Plan {
  outcomes: FunctionOutcome[];
  /** Functions whose new version goes into their slot (existing objects run it from now on). */
  slots: Set<FunctionModel>;
  /** Methods new to an existing class, defined on the live class. */
  addedMembers: Set<FunctionModel>;
  /** Members gone from an existing class, deleted from the live class. */
  removedMembers: FunctionModel[];
  /** Top-level declarations evaluated in a new scope on top of the module (see ModuleRecord). */
  declarations: {
    from: number;
    to: number;
    name: string;
    prefix: string;
    suffix: string;
  }[];
  /** Top-level statements re-run (accepting modules only). */
  rerun: { from: number; to: number; prefix: string; suffix: string }[];
  /** What keeps running where this patch refuses a change (the record's next `kept`). */
  kept: Kept;
}

/** The model of the running source, with slot ids as the loader assigned them (model order). */
function runningModel(record: ModuleRecord): ModuleModel {
  if (!record.model) {
    record.model = buildModel(record.source, record.esm);
    for (const fn of record.model.functions) record.ids.set(fn.key, record.nextId++);
    record.moduleSlots = record.nextId - 1;
  }
  return record.model;
}

export async function applyPatch(record: ModuleRecord, text: string): Promise<PatchResult> {
  const running = runningModel(record);
  const restores: (() => void)[] = [];
  try {
    return await patchFile(record, text, restores);
  } finally {
    // Not applied: the running model keeps its parse, moved back where it was.
    if (record.model === running) for (const restore of restores) restore();
  }
}

async function patchFile(record: ModuleRecord, text: string, restores: (() => void)[]): Promise<PatchResult> {
  const old = runningModel(record);
  let model: ModuleModel;
  try {
    const js = record.typescript ? stripTypes(text) : text;
    const parsed = reparse(old.source, old.program, js, record.esm);
    restores.push(parsed.restore);
    model = buildModel(js, record.esm, parsed.program, { previous: old, tailMoved: parsed.tailMoved });
  } catch (error) {
    if (error instanceof ParseError || error instanceof TypeScriptError) {
      const kind = error instanceof ParseError ? "syntax" : "refused";
      return {
        outcome: "rejected",
        functions: [],
        error: {
          kind,
          message: error.message,
          line: error.line,
          column: error.column,
        },
      };
    }
    throw error;
  }
  const diff = diffOf(old, model, record.kept);
  // The splice names the previous model: once used, drop it, or every running model would keep
  // all the ones before it alive.
  model.splice = undefined;
  const importsOf = (side: Side) =>
    side.statements
      .filter((s) => s.kind === "import")
      .map((s) => s.normalized)
      .sort()
      .join("\n");
  if (importsOf(diff.old) !== importsOf(diff.new)) {
    const reason =
      "the import list changed: a running ES module cannot gain or lose imports; restart to apply";
    return {
      outcome: "rejected",
      functions: [{ name: "<imports>", qualname: "<imports>", status: "refused", reason }],
      error: { kind: "refused", message: reason },
    };
  }
  let nextId = record.nextId;
  // Slot ids of the functions the patch compares (all of them, unless the model was spliced: then
  // the others keep theirs).
  const ids = new Map<string, number>();
  const spliced = diff.old.functions !== old.functions;
  const idOf = (fn: FunctionModel) => ids.get(fn.key) ?? (spliced ? record.ids.get(fn.key) : undefined) ?? 0;
  const fresh: number[] = [];
  const plan = planPatch(record, old, model, diff, ids, () => {
    fresh.push(nextId);
    return nextId++;
  });
  const ranges = [
    ...[...plan.slots, ...plan.addedMembers].map((fn) => ({
      from: fn.headerStart,
      to: fn.node.end,
    })),
    ...plan.declarations,
    ...plan.rerun,
  ];
  const edits = moduleEdits(model, idOf, ranges);
  const lines = new LineIndex(model.source);

  // Compile: nothing of the program changes yet. New slots and declarations live in a new scope
  // on top of the module's (a running module cannot gain bindings); later code compiles there.
  let scopeHook = record.scopeHook;
  const scopeNames = new Set(record.scopeNames);
  const slotHooks = new Map(record.slotHooks);
  const slotHook = (id: number) => slotHooks.get(id) ?? scopeHook;
  let versions: Map<FunctionModel, Fn>;
  try {
    if (plan.declarations.length > 0 || fresh.length > 0) {
      const parts = plan.declarations.map((d) => placed(model, edits, d));
      const head = `(()=>{${slotDeclarations(fresh, "let")}`;
      const code = layout(lines, parts, head, `return (${CODE},${ENV})=>eval(${CODE})})()`, ";");
      scopeHook = record.scopeHook(code + sourceUrl(record)) as EvalHook;
      for (const d of plan.declarations) scopeNames.add(d.name);
    }
    versions = compileVersions(
      {
        record,
        model,
        lines,
        edits,
        scopeHook,
        scopeNames,
        freshIds: new Set(fresh),
        idOf,
        slotHooks,
      },
      [...plan.slots, ...plan.addedMembers],
      (fn) => plan.addedMembers.has(fn),
    );
  } catch (error) {
    return compileFailure(error, plan.outcomes);
  }

  // Apply, with an undo list: a statement that throws leaves the program as it was.
  const undo: (() => void)[] = [];
  const slotted = [...plan.slots].map((fn) => ({ id: idOf(fn), value: versions.get(fn) }));
  try {
    if (plan.rerun.length > 0) for (const callback of record.hot.disposeCallbacks) callback(record.hot.data);
    for (const fn of plan.addedMembers) undo.push(defineMember(record, fn, versions.get(fn) as Fn));
    for (const [hook, slots] of groupBy(slotted, (slot) => slotHook(slot.id))) {
      const ids = slots.map((slot) => slot.id);
      const previous = readSlots(hook, ids);
      writeSlots(
        hook,
        ids,
        slots.map((slot) => slot.value),
      );
      undo.push(() => writeSlots(hook, ids, previous));
    }
    for (const fn of plan.removedMembers) undo.push(deleteMember(record, fn));
    if (plan.rerun.length > 0) {
      const parts = plan.rerun.map((r) => placed(model, edits, r));
      scopeHook(layout(lines, parts, "", "", ";") + sourceUrl(record));
    }
  } catch (error) {
    for (const step of undo.reverse()) step();
    return {
      outcome: "rejected",
      functions: plan.outcomes.map((o) =>
        o.status === "refused"
          ? o
          : {
              ...o,
              status: "refused",
              reason: "not applied: top-level code of the patch raised",
            },
      ),
      error: {
        kind: "runtime",
        message: String((error as Error)?.message ?? error),
        traceback: (error as Error)?.stack,
      },
    };
  }
  for (const [hook, slots] of groupBy(slotted, (slot) => slotHook(slot.id))) {
    const now = readSlots(
      hook,
      slots.map((slot) => slot.id),
    );
    const wrong = slots.findIndex((slot, i) => now[i] !== slot.value);
    if (wrong >= 0) {
      return {
        outcome: "rejected",
        functions: plan.outcomes,
        error: { kind: "internal", message: `slot ${slots[wrong]?.id} not set` },
      };
    }
  }
  const refused = plan.outcomes.filter((o) => o.status === "refused").length;
  if (refused > 0 && refused === plan.outcomes.length) {
    // Nothing the user changed can be applied: the program stays exactly as it was.
    for (const step of undo.reverse()) step();
    return {
      outcome: "rejected",
      functions: plan.outcomes,
      error: {
        kind: "refused",
        message: plan.outcomes[0]?.reason ?? "refused",
      },
    };
  }
  record.model = model;
  record.source = model.source;
  if (spliced) for (const [key, id] of ids) record.ids.set(key, id);
  else record.ids = ids;
  record.nextId = nextId;
  record.scopeHook = scopeHook;
  record.scopeNames = scopeNames;
  record.slotHooks = slotHooks;
  record.kept = plan.kept;
  if (record.hot.accepted && plan.outcomes.some((o) => o.status !== "refused")) {
    const namespace = record.esm
      ? await import(record.url)
      : (record.moduleObject as { exports?: unknown })?.exports;
    try {
      for (const callback of record.hot.acceptCallbacks) callback(namespace);
    } catch (error) {
      // The patch is live; the program's own callback failed after it.
      return {
        outcome: refused > 0 ? "partial" : "applied",
        functions: plan.outcomes,
        error: {
          kind: "runtime",
          message: `an accept callback raised: ${String((error as Error)?.message ?? error)}`,
          traceback: (error as Error)?.stack,
        },
      };
    }
  }
  return {
    outcome: refused > 0 ? "partial" : "applied",
    functions: plan.outcomes,
  };
}

/** Slots are variables of the module (or of a patch's scope): read and written by eval there,
 * many in one eval (a patch that moves lines can recompile thousands of functions). */
function readSlots(hook: EvalHook, ids: number[]): unknown[] {
  return hook(`[${ids.map(slotName).join(",")}]`) as unknown[];
}

function writeSlots(hook: EvalHook, ids: number[], values: unknown[]): void {
  hook(ids.map((id, i) => `${slotName(id)}=${ENV}[${i}]`).join(";"), values);
}

function groupBy<T, K>(items: Iterable<T>, keyOf: (item: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  return groups;
}

function activations(record: ModuleRecord, id: number): number {
  return Number((record.slotHooks.get(id) ?? record.scopeHook)(counterName(id)) ?? 0);
}

function sourceUrl(record: ModuleRecord): string {
  return `\n//# sourceURL=${record.url}`;
}

function compileFailure(error: unknown, outcomes: FunctionOutcome[]): PatchResult {
  const message = String((error as Error)?.message ?? error);
  const kind =
    error instanceof SyntaxError
      ? "syntax"
      : error instanceof ReferenceError || error instanceof TypeError
        ? "runtime"
        : "internal";
  return {
    outcome: "rejected",
    functions: outcomes.map((o) =>
      o.status === "refused" ? o : { ...o, status: "refused", reason: `not applied: ${message}` },
    ),
    error: { kind, message, traceback: (error as Error)?.stack },
  };
}

/** A declaration or statement of the new source, rendered, to lay out at its place. */
function placed(
  model: ModuleModel,
  edits: Edit[],
  part: { from: number; to: number; prefix: string; suffix: string },
): Placed {
  return {
    at: part.from,
    lead: part.prefix.length,
    text: part.prefix + render(model.source, edits, part.from, part.to) + part.suffix,
  };
}

/** The nearest scope that hides the names `fn` reads from the module scope, if any. */
function capturedBy(model: ModuleModel, fn: FunctionModel): string | undefined {
  if (fn.withinClass && !fn.withinClass.topLevel && (fn.usesPrivate || fn.usesSuper))
    return `class ${fn.withinClass.name}`;
  for (let outer = fn.parent; outer; outer = outer.parent) {
    const names = [...fn.free].filter((n) => outer.declared.has(n));
    if (names.length > 0) return `${outer.qualname} (${names.slice(0, 3).join(", ")})`;
  }
  const block = [...fn.free].filter((n) => model.blockNames.has(n) && !model.moduleNames.has(n));
  if (block.length > 0) return `a top-level block (${block.slice(0, 3).join(", ")})`;
  return undefined;
}

function outcome(
  fn: FunctionModel | ClassModel,
  status: FunctionOutcome["status"],
  reason?: string,
): FunctionOutcome {
  const qualname = "qualname" in fn ? fn.qualname : fn.key.replace(/>/g, ".");
  return {
    name: fn.name,
    qualname,
    status,
    ...(reason ? { reason } : {}),
    line: fn.line,
  };
}

/** One side of what a patch compares, with its functions and classes by key. */
interface Side extends Region {
  byKey: Map<string, FunctionModel>;
  classByKey: Map<string, ClassModel>;
}

/**
 * What a patch compares: the whole running and new models, or, when the new model was spliced
 * from the running one (model.ts), only the statements the edit replaced: everything else is the
 * same objects. (A refusal kept from an earlier patch can be anywhere: then the whole models.)
 */
function diffOf(old: ModuleModel, model: ModuleModel, kept: Kept): { old: Side; new: Side } {
  const splice = model.splice;
  const keptSomething =
    kept.functions.size + kept.classes.size + kept.declarations.size + kept.othersNotRun.length > 0;
  if (splice?.previous === old && !keptSomething) {
    const side = (region: Region): Side => ({
      ...region,
      byKey: new Map(region.functions.map((fn) => [fn.key, fn])),
      classByKey: new Map(region.classes.map((cls) => [cls.key, cls])),
    });
    return { old: side(splice.removed), new: side(splice.added) };
  }
  const whole = (m: ModuleModel): Side => ({
    functions: m.functions,
    classes: m.classList,
    statements: m.statements,
    byKey: m.byKey,
    classByKey: m.classes,
  });
  return { old: whole(old), new: whole(model) };
}

function planPatch(
  record: ModuleRecord,
  old: ModuleModel,
  model: ModuleModel,
  diff: { old: Side; new: Side },
  ids: Map<string, number>,
  fresh: () => number,
): Plan {
  const plan: Plan = {
    outcomes: [],
    slots: new Set(),
    addedMembers: new Set(),
    removedMembers: [],
    declarations: [],
    rerun: [],
    kept: nothingKept(),
  };
  const kept = record.kept;
  const accepted = record.hot.accepted;
  const reported = new Set<string>();
  const report = (o: FunctionOutcome) => {
    if (reported.has(o.qualname)) return;
    reported.add(o.qualname);
    plan.outcomes.push(o);
  };

  // Classes: a changed heritage freezes the class; changed fields or static blocks are refused.
  const frozen = new Set<string>();
  for (const cls of diff.new.classes) {
    const before = kept.classes.get(cls.key) ?? diff.old.classByKey.get(cls.key);
    if (before === cls) continue; // from a statement the edit did not touch (model.ts Piece)
    if (!before) {
      if (cls.topLevel && cls.binding && !old.moduleNames.has(cls.binding)) {
        plan.declarations.push(
          declaration(
            cls.node.start,
            cls.node.end,
            cls.binding,
            cls.node.type === "ClassExpression" ? statementOf(model, cls.node) : undefined,
          ),
        );
        report(outcome(cls, "added"));
      }
      continue;
    }
    if (before.heritageText !== cls.heritageText) {
      frozen.add(cls.key);
      plan.kept.classes.set(cls.key, before);
      report(
        outcome(
          cls,
          "refused",
          `class heritage changed (extends ${before.heritageText || "nothing"} → ${cls.heritageText || "nothing"}): existing instances and subclasses are built on the old parent; restart to apply`,
        ),
      );
    } else if (before.shellText.replace(/\s+/g, " ") !== cls.shellText.replace(/\s+/g, " ")) {
      plan.kept.classes.set(cls.key, before);
      report(
        outcome(
          cls,
          "refused",
          "field initializers or static blocks changed: they ran when the class and its instances were created; methods are patched, these are not (restart to apply)",
        ),
      );
    }
  }
  const newClassMember = (fn: FunctionModel) =>
    fn.memberOf !== undefined && !diff.old.classByKey.has(fn.memberOf.key);

  const ancestorsToRecompile = new Set<FunctionModel>();
  for (const fn of diff.new.functions) {
    const before = kept.functions.has(fn.key)
      ? (kept.functions.get(fn.key) ?? undefined)
      : diff.old.byKey.get(fn.key);
    /** A refusal: `fn` keeps running as `before` (or does not run at all). */
    const refuse = (reason: string) => {
      plan.kept.functions.set(fn.key, before ?? null);
      report(outcome(fn, "refused", reason));
    };
    if (!before) {
      ids.set(fn.key, fresh());
      if (fn.memberOf && !newClassMember(fn)) {
        if (frozen.has(fn.memberOf.key)) continue;
        if (!fn.memberOf.topLevel) continue; // created by the recompiled enclosing function
        if (fn.node.type === "ArrowFunctionExpression" || fn.kind === "function") {
          refuse("a new class field: fields are set when an instance is created; restart to apply");
          continue;
        }
        plan.addedMembers.add(fn);
        report(outcome(fn, "added"));
      } else if (!fn.parent && !fn.memberOf && fn.binding && !old.moduleNames.has(fn.binding)) {
        plan.declarations.push(
          declaration(
            fn.headerStart,
            fn.node.end,
            fn.binding,
            fn.node.type === "FunctionDeclaration" ? undefined : statementOf(model, fn.node),
          ),
        );
        report(
          outcome(
            fn,
            "added",
            record.esm && isExported(model, fn.binding)
              ? "new exports are not visible to importing modules (an ES module's exports are fixed at load)"
              : undefined,
          ),
        );
      } else if (fn.parent) {
        report(outcome(fn, "added"));
      }
      continue;
    }
    const id = record.ids.get(fn.key) ?? fresh();
    ids.set(fn.key, id);
    if (before === fn) continue; // from a statement the edit did not touch (model.ts Piece)
    if (before.ownText === fn.ownText) {
      // Same code at another place (lines added above or inside a nested function): recompiled,
      // unreported, so that stack traces keep pointing at the right lines.
      if (moved(before, fn) && directlyCompilable(model, fn)) plan.slots.add(fn);
      continue;
    }
    if (fn.memberOf && frozen.has(fn.memberOf.key)) {
      refuse(`class ${fn.memberOf.name} cannot be patched: its heritage changed`);
      continue;
    }
    if (fn.kind === "constructor") {
      // (Whether instances exist is not tracked: a mark in every constructor call cost 1-2% on
      // code that creates many small objects, and the answer would be the same.)
      refuse(
        "constructor changed: a running class's constructor cannot be swapped, and instances it built keep the fields it gave them; restart to apply",
      );
      continue;
    }
    if (before.generator !== fn.generator || (before.async !== fn.async && fn.generator)) {
      refuse(
        "changed between generator and plain function: existing references cannot forward to it; restart to apply",
      );
      continue;
    }
    const captured = capturedBy(model, fn);
    const forwardsAll =
      fn.kind !== "arrow" || before.kind !== "arrow" || forwardedCount(fn) <= forwardedCount(before);
    if (captured || !dispatchable(fn) || !forwardsAll) {
      const parent = recompilableAncestor(model, fn);
      if (!parent) {
        refuse(
          `existing references cannot be updated (${captured ? `it reads local variables of ${captured}` : "its parameters cannot be forwarded"}) and no enclosing function can be recompiled`,
        );
        continue;
      }
      ancestorsToRecompile.add(parent);
      ids.set(fn.key, fresh()); // old closures keep their slot (and code); new ones get their own
      report(
        outcome(
          fn,
          "running-old",
          captured
            ? `closures created before the edit read local variables of ${captured} and keep the old code; closures created from now on (by ${parent.qualname}) run the new code`
            : `existing references keep the old code (its parameters cannot be forwarded); new ones created by ${parent.qualname} run the new code`,
        ),
      );
      continue;
    }
    plan.slots.add(fn);
    const suspended = fn.async || fn.generator ? activations(record, id) : 0;
    report(
      outcome(
        fn,
        suspended > 0 ? "running-old" : "updated",
        suspended > 0
          ? fn.generator
            ? `${suspended} generator(s) started and not finished (paused at a yield, or dropped unfinished) keep the old code if resumed; new calls run the new code`
            : `${suspended} call(s) suspended in await keep the old code until they finish; new calls run the new code`
          : undefined,
      ),
    );
  }
  for (const fn of ancestorsToRecompile) {
    if (!plan.slots.has(fn)) {
      plan.slots.add(fn);
      report(outcome(fn, "updated", "recompiled so that the closures it creates run their new code"));
    }
  }
  for (const fn of diff.old.functions) {
    if (diff.new.byKey.has(fn.key) || kept.functions.get(fn.key) === null) continue;
    if (
      fn.memberOf?.topLevel &&
      diff.new.classByKey.has(fn.memberOf.key) &&
      fn.kind !== "constructor" &&
      fn.node.type === "FunctionExpression" &&
      fn.kind !== "function"
    ) {
      plan.removedMembers.push(fn);
      report(outcome(fn, "removed"));
    } else if (fn.binding && !fn.parent) {
      report(
        outcome(
          fn,
          "removed",
          "no longer in the source; the name stays defined in the running module (a module binding cannot be deleted)",
        ),
      );
    }
  }
  planStatements(record, old, model, diff, plan, accepted, report);
  return plan;
}

function moved(before: FunctionModel, fn: FunctionModel): boolean {
  return before.line !== fn.line || before.column !== fn.column || before.endLine !== fn.endLine;
}

function directlyCompilable(model: ModuleModel, fn: FunctionModel): boolean {
  return fn.kind !== "constructor" && dispatchable(fn) && !capturedBy(model, fn);
}

function forwardedCount(fn: FunctionModel): number {
  return fn.node.params.length;
}

function recompilableAncestor(model: ModuleModel, fn: FunctionModel): FunctionModel | undefined {
  let parent = fn.parent;
  while (parent && (capturedBy(model, parent) || !dispatchable(parent) || parent.kind === "constructor"))
    parent = parent.parent;
  return parent;
}

function isExported(model: ModuleModel, name: string): boolean {
  return (
    model.statements.some((s) => s.exported && s.name === name) ||
    new RegExp(`export\\s*{[^}]*\\b${name}\\b`).test(model.source)
  );
}

/** The `const f = ` before an initializer, to declare it again in a patch's scope. */
function statementOf(model: ModuleModel, init: { start: number }): string {
  const line = model.source.lastIndexOf("\n", init.start) + 1;
  const head = model.source.slice(line, init.start).match(/(const|let|var)\s+([\w$]+)\s*=\s*$/);
  return head ? `${head[1]} ${head[2]} = ` : "";
}

function declaration(from: number, to: number, name: string, prefix: string | undefined) {
  return { from, to, name, prefix: prefix ?? "", suffix: "" };
}

type Report = (o: FunctionOutcome) => void;

/** Module-level constants, variables and statements. */
function planStatements(
  record: ModuleRecord,
  old: ModuleModel,
  model: ModuleModel,
  diff: { old: Side; new: Side },
  plan: Plan,
  accepted: boolean,
  report: Report,
): void {
  const byName = (side: Side) =>
    new Map(
      side.statements
        .filter((s) => s.name && ["const", "let", "var"].includes(s.kind))
        .map((s) => [s.name as string, s]),
    );
  const kept = record.kept;
  const oldDecls = byName(diff.old);
  // Top-level statements that ran, as a multiset of their texts (they have no names).
  const ran = new Map<string, number>();
  const count = (text: string, n: number) => ran.set(text, (ran.get(text) ?? 0) + n);
  for (const s of diff.old.statements) if (s.kind === "other") count(s.normalized, 1);
  for (const text of kept.othersNotRun) count(text, -1);
  for (const text of kept.othersRun) count(text, 1);
  const changedConsts: { s: StatementModel; before: StatementModel }[] = [];
  for (const s of diff.new.statements) {
    if (s.kind === "other") {
      const key = s.normalized;
      const left = ran.get(key) ?? 0;
      if (left > 0) {
        ran.set(key, left - 1);
        continue;
      }
      if (accepted) {
        plan.rerun.push({
          from: s.node.start,
          to: s.node.end,
          prefix: "",
          suffix: "",
        });
        report({
          name: "<module>",
          qualname: `<module>:${s.line}`,
          status: "updated",
          reason: "top-level statement re-run (the module accepts updates)",
          line: s.line,
        });
      } else {
        plan.kept.othersNotRun.push(key);
        report({
          name: "<module>",
          qualname: `<module>:${s.line}`,
          status: "refused",
          reason:
            "top-level code changed: it already ran and is not re-run (call import.meta.hot.accept() / module.hot.accept() in the module to re-run changed top-level statements)",
          line: s.line,
        });
      }
      continue;
    }
    if (!s.name || !["const", "let", "var"].includes(s.kind)) continue;
    const isKept = kept.declarations.has(s.name);
    const before = isKept ? (kept.declarations.get(s.name) ?? undefined) : oldDecls.get(s.name);
    const subject = { name: s.name, qualname: s.name, line: s.line };
    /** A refusal: the program keeps `before` (or never declared it). */
    const refuse = (reason: string) => {
      plan.kept.declarations.set(s.name as string, before ?? null);
      report({ ...subject, status: "refused", reason });
    };
    if (!before) {
      if (old.moduleNames.has(s.name) && !isKept) continue;
      if (s.sideEffects && !accepted) {
        plan.kept.declarations.set(s.name, null);
        report({
          ...subject,
          status: "refused",
          reason:
            "a new module-level variable whose initializer has side effects is not run (accept updates with import.meta.hot.accept() to allow it)",
        });
      } else {
        plan.declarations.push({
          from: s.node.start,
          to: s.node.end,
          name: s.name,
          prefix: `${s.kind} ${s.name} = `,
          suffix: "",
        });
        report({ ...subject, status: "added" });
      }
      continue;
    }
    if (before.text === s.text && before.kind === s.kind) continue;
    if (s.kind !== before.kind) {
      refuse(
        `changed from ${before.kind} to ${s.kind}: a running module's bindings cannot change kind; restart to apply`,
      );
    } else if (s.kind === "const") {
      changedConsts.push({ s, before });
    } else if (!accepted) {
      refuse(
        `module-level ${s.kind} keeps its current value (program state); accept updates with import.meta.hot.accept() to re-assign it`,
      );
    } else if (s.node) {
      plan.rerun.push({
        from: s.node.start,
        to: s.node.end,
        prefix: `${s.name} = `,
        suffix: "",
      });
      report({
        ...subject,
        status: "updated",
        reason: "re-assigned (the module accepts updates)",
      });
    }
  }
  // A changed statement is refused: the texts that ran and are gone from the source stay running.
  if (plan.kept.othersNotRun.length > 0)
    for (const [text, left] of ran) for (let i = 0; i < left; i++) plan.kept.othersRun.push(text);
  for (const { s, before } of changedConsts) planConstant(record, model, plan, accepted, report, s, before);
}

/** Why a changed constant cannot be applied consistently, if it cannot. */
function constantRefusal(
  record: ModuleRecord,
  model: ModuleModel,
  accepted: boolean,
  s: StatementModel,
  readers: FunctionModel[],
): string | undefined {
  const name = s.name as string;
  if (record.esm && (s.exported || isExported(model, name)))
    return "exported constant: importing modules would keep the old value; restart to apply";
  if (s.sideEffects && !accepted)
    return "its initializer has side effects (calls or constructs); accept updates with import.meta.hot.accept() to allow re-running it";
  const statement = model.statements.find((t) => t !== s && t.kind !== "function" && t.reads.has(name));
  if (statement)
    return `read by top-level code at line ${statement.line} that already ran with the old value; restart to apply`;
  for (const fn of readers) {
    if (fn.usesPrivate)
      return `${fn.qualname} reads it and uses #private names: it cannot be compiled where the new value is visible`;
    const captured = capturedBy(model, fn);
    if (captured || !dispatchable(fn) || fn.kind === "constructor") {
      const what = fn.kind === "constructor" ? "instances" : "closures";
      return `${fn.qualname} reads it and its existing ${what} cannot be updated${captured ? ` (they read local variables of ${captured})` : ""}: it would see the old value while others see the new one`;
    }
  }
  return undefined;
}

/** A changed constant: re-bound in a new scope, and every function reading it recompiled there. */
function planConstant(
  record: ModuleRecord,
  model: ModuleModel,
  plan: Plan,
  accepted: boolean,
  report: Report,
  s: StatementModel,
  before: StatementModel,
): void {
  const name = s.name as string;
  const readers = model.functions.filter((fn) => fn.free.has(name) && !declaredAbove(fn, name));
  const subject = { name, qualname: name, line: s.line };
  const refusal = constantRefusal(record, model, accepted, s, readers);
  if (refusal) {
    plan.kept.declarations.set(name, before);
    report({ ...subject, status: "refused", reason: refusal });
    return;
  }
  plan.declarations.push({
    from: s.node.start,
    to: s.node.end,
    name,
    prefix: `const ${name} = `,
    suffix: "",
  });
  for (const fn of readers) plan.slots.add(fn);
  const names = readers
    .map((f) => f.qualname)
    .slice(0, 5)
    .join(", ");
  report({
    ...subject,
    status: "updated",
    reason:
      readers.length > 0
        ? `applied to ${readers.length} function(s) that read it: ${names}`
        : "no function reads it",
  });
}

function declaredAbove(fn: FunctionModel, name: string): boolean {
  for (let outer = fn.parent; outer; outer = outer.parent) if (outer.declared.has(name)) return true;
  return false;
}

/** What compiling new versions needs to know. */
interface CompileContext {
  record: ModuleRecord;
  model: ModuleModel;
  lines: LineIndex;
  edits: Edit[];
  scopeHook: EvalHook;
  scopeNames: Set<string>;
  freshIds: Set<number>;
  idOf: (fn: FunctionModel) => number;
  /** Where each slot variable can be reached, when not in the newest scope. */
  slotHooks: Map<number, EvalHook>;
}

/**
 * Compile the new versions of `fns`, each in the scope it belongs to. Versions that share a scope
 * and strictness are compiled by one eval (a patch that moves lines recompiles every function
 * below the edit, so that stack traces keep their lines: one eval each would cost seconds in a
 * large module); a function and one nested in it go to separate evals, since their texts overlap.
 */
function compileVersions(
  context: CompileContext,
  fns: FunctionModel[],
  isNewMember: (fn: FunctionModel) => boolean,
): Map<FunctionModel, Fn> {
  const { record, model, lines, edits, scopeHook, scopeNames, freshIds, idOf, slotHooks } = context;
  const versions = new Map<FunctionModel, Fn>();
  const batches = new Map<string, { hook: EvalHook; layers: { end: number; fns: FunctionModel[] }[] }>();
  const hookIds = new Map<EvalHook, number>();
  for (const fn of [...fns].sort((a, b) => a.headerStart - b.headerStart)) {
    let hook = scopeHook;
    if (fn.usesPrivate) {
      const cls = fn.withinClass?.topLevel ? record.classHooks.get(fn.withinClass.key) : undefined;
      if (!cls)
        throw new Error(`${fn.qualname}: the class scope of ${fn.withinClass?.name} is not available`);
      const added = [...fn.free].filter((n) => scopeNames.has(n));
      if (added.length > 0)
        throw new Error(
          `${fn.qualname} uses #private names and names added by a patch (${added.join(", ")}); restart to apply`,
        );
      hook = cls.hook;
    }
    // Slots a patch adds live in its new scope, which a class-scope hook cannot see: a version
    // compiled in class scope declares them itself and hands back a hook to reach them.
    const inner = (f: FunctionModel): FunctionModel[] => f.children.flatMap((c) => [c, ...inner(c)]);
    const own =
      hook === scopeHook
        ? []
        : [...(isNewMember(fn) ? [fn] : []), ...inner(fn)]
            .map(idOf)
            .filter((id) => freshIds.has(id) || id > record.moduleSlots);
    if (own.length > 0) {
      const code = versionsSource(model, lines, [fn], edits, record.url, isNewMember, {
        head: `(()=>{${slotDeclarations(own, "let")}return[`,
        tail: `,(${CODE},${ENV})=>eval(${CODE})]})()`,
      });
      const [homes, slotHook] = hook(code) as [object[], EvalHook];
      for (const id of own) slotHooks.set(id, slotHook);
      versions.set(fn, versionOf(record, fn, homes[0] as object));
      continue;
    }
    if (!hookIds.has(hook)) hookIds.set(hook, hookIds.size);
    const key = `${hookIds.get(hook)} ${fn.strict}`;
    let batch = batches.get(key);
    if (!batch) batches.set(key, (batch = { hook, layers: [] }));
    let layer = batch.layers.find((l) => l.end <= fn.headerStart);
    if (!layer) batch.layers.push((layer = { end: 0, fns: [] }));
    layer.fns.push(fn);
    layer.end = fn.node.end;
  }
  for (const { hook, layers } of batches.values()) {
    for (const layer of layers) {
      const homes = hook(versionsSource(model, lines, layer.fns, edits, record.url, isNewMember)) as object[];
      layer.fns.forEach((fn, i) => versions.set(fn, versionOf(record, fn, homes[i] as object)));
    }
  }
  return versions;
}

/** The function in a compiled version's home object (given the home object's class, if any). */
function versionOf(record: ModuleRecord, fn: FunctionModel, home: object): Fn {
  const cls = fn.withinClass?.topLevel ? record.classHooks.get(fn.withinClass.key) : undefined;
  if (cls && fn.withinClass) {
    const target = fn.isStatic ? cls.cls : (cls.cls as { prototype: object }).prototype;
    Object.setPrototypeOf(home, Object.getPrototypeOf(target));
  }
  const descriptor = Object.getOwnPropertyDescriptor(home, fn.name);
  const value = fn.kind === "get" ? descriptor?.get : fn.kind === "set" ? descriptor?.set : descriptor?.value;
  if (typeof value !== "function") throw new Error(`${fn.qualname}: compiled version is not a function`);
  return value as Fn;
}

function memberTarget(record: ModuleRecord, fn: FunctionModel): object {
  const cls = fn.memberOf ? record.classHooks.get(fn.memberOf.key)?.cls : undefined;
  if (!cls) throw new Error(`class ${fn.memberOf?.name} is not available`);
  return fn.isStatic ? (cls as object) : (cls as { prototype: object }).prototype;
}

function defineMember(record: ModuleRecord, fn: FunctionModel, value: Fn): () => void {
  const target = memberTarget(record, fn);
  const previous = Object.getOwnPropertyDescriptor(target, fn.name);
  const base = { enumerable: false, configurable: true };
  if (fn.kind === "get" || fn.kind === "set") {
    const accessors = previous && !("value" in previous) ? previous : {};
    Object.defineProperty(target, fn.name, {
      ...base,
      ...accessors,
      [fn.kind]: value,
    });
  } else Object.defineProperty(target, fn.name, { ...base, writable: true, value });
  return () =>
    previous
      ? Object.defineProperty(target, fn.name, previous)
      : delete (target as Record<string, unknown>)[fn.name];
}

function deleteMember(record: ModuleRecord, fn: FunctionModel): () => void {
  const target = memberTarget(record, fn);
  const previous = Object.getOwnPropertyDescriptor(target, fn.name);
  delete (target as Record<string, unknown>)[fn.name];
  return () => {
    if (previous) Object.defineProperty(target, fn.name, previous);
  };
}
