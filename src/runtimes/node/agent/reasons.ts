/**
 * The Node agent's catalogue of reasons: every refusal, running-old, error and warning the agent
 * produces is one of these, a kebab-case code and its text. The code travels in the outcome
 * (`FunctionOutcome.code`, `PatchError.code`) so that tools act on it, not on the English; codes
 * shared with the Python agent are the same words (docs/protocol.md).
 */
const TEXTS = {
  // Shared by every agent (docs/protocol.md).
  running: (calls: number, generator: boolean) =>
    generator
      ? `${calls} generator(s) started and not finished (paused at a yield, or dropped unfinished) keep the old code if resumed; new calls run the new code`
      : `${calls} call(s) suspended in await keep the old code until they finish; new calls run the new code`,
  syntax: (message: string) => message,
  "unknown-file": (file: string) =>
    `${file} is not a loaded module of the program (not yet imported, or outside the root)`,
  "empty-file": () =>
    "the file is empty: an edit that removes everything is not applied (restart the program for that)",
  runtime: (message: string) => message,
  internal: (message: string) => message,

  // The file.
  "typescript-not-erasable": (message: string) => message,
  "import-loaded": (specifier: string) =>
    `imported: ${specifier} is loaded and its names are visible to the module's new code (bound once: a later change of an exported let is not seen)`,
  "import-failed": (specifier: string, message: string) => `${specifier} could not be imported: ${message}`,
  "import-removed": () =>
    "import removed from the source; its names stay bound in the running module (an import binding cannot be deleted)",
  "accept-callback-raised": (message: string) => `an accept callback raised: ${message}`,
  /** Every entry of a patch that is not applied (compiling failed, or its top-level code raised). */

  // Classes.
  "class-heritage-changed": (before: string, after: string) =>
    `class heritage changed (extends ${before || "nothing"} → ${after || "nothing"}): existing instances and subclasses are built on the old parent; restart to apply`,
  "class-fields-changed": () =>
    "static fields or static blocks changed: they ran when the class was created; methods are patched, these are not (restart to apply)",
  "new-class-field": () =>
    "a new class field: fields are set when an instance is built, and this class's new instances cannot be built differently (see its constructor's entry); restart to apply",
  "instances-built-before": (className: string, missing: string[]) =>
    `new ${className} objects are built by the new constructor and fields; those built before keep what they were given${missing.length > 0 ? ` (they have no ${missing.map((m) => `\`${m}\``).join(", ")})` : ""}`,
  "construction-not-hooked": (className: string, derived: boolean) =>
    derived
      ? `${className} extends another class and had no constructor of its own when it loaded: its new instances cannot be built differently; restart to apply (or give it a constructor, which applies from the next start)`
      : `${className} was added by a patch: its new instances cannot be built differently; restart to apply`,
  "construction-private": (className: string) =>
    `${className} has #private members, and only the class itself can give an instance its #private fields: its new instances cannot be built by a new constructor; restart to apply`,
  "needs-new-shape": (className: string, names: string[], added: boolean) =>
    `it uses ${names.map((n) => `\`${n}\``).join(", ")}, which ${className} objects built before this save do not have: ${added ? "calling it on one of those would not find it" : "on those it runs the code it ran before, on new ones the new code"}`,
  "new-private-member": (name: string) =>
    `a new ${name}: a running class cannot gain #private names (they are fixed when the class is created); restart to apply`,
  "class-frozen": (className: string) => `class ${className} cannot be patched: its heritage changed`,

  // Functions.
  "generator-changed": () =>
    "changed between generator and plain function: existing references cannot forward to it; restart to apply",
  "references-not-updatable": (capturedBy: string | undefined) =>
    `existing references cannot be updated (${capturedBy ? `it reads local variables of ${capturedBy}` : "it gained more parameters than its existing arrow objects pass on: an arrow has no `arguments`, so it passes on those it was loaded with and three more, and no rest parameter"}) and no enclosing function can be recompiled; restart to apply (or write it as a function, whose calls pass on every argument)`,
  "old-closures-keep-old-code": (
    creator: string,
    capturedBy: string | undefined,
    unreached: string[] = [],
  ) =>
    unreached.length > 0
      ? `the new code reads ${unreached.join(", ")} of ${creator}, which closures created before the edit did not capture: they keep the old code; closures created from now on (by ${creator}) run the new code`
      : capturedBy
        ? `closures created before the edit read local variables of ${capturedBy} and keep the old code; closures created from now on (by ${creator}) run the new code`
        : `existing references keep the old code (they pass on fewer arguments than its new parameters: an arrow passes on those it was loaded with and three more); new ones created by ${creator} run the new code`,
  "creator-refused": (creator: string) =>
    `closures get their new code when ${creator} creates them, and ${creator} is refused in this patch: they keep the old code`,
  "recompiled-for-closures": () => "recompiled so that the closures it creates run their new code",
  "private-and-patch-names": (qualname: string, names: string[]) =>
    `${qualname} uses #private names and names added by a patch (${names.join(", ")}); restart to apply`,
  "depends-on-refused": (names: string[]) =>
    `it uses ${names.join(", ")}, which this patch does not apply (refused): without ${names.length > 1 ? "them" : "it"} it would fail with a ReferenceError; it is applied once ${names.join(", ")} can be`,
  "removed-still-called": (reader: string, line: number) =>
    `deleted from the source, but ${reader} (line ${line}) still uses it: it stays and keeps running its old code (in a fresh start it would not exist); remove those uses too, or restore it`,
  "ran-once": (name: string) =>
    `${name} ran once, where it is defined (called right away when the module loaded, as a TypeScript namespace is): its new code would never run; the functions inside it are patched; restart to apply`,
  "binding-stays": () =>
    "no longer in the source; the name stays defined in the running module (a module binding cannot be deleted)",
  "new-export-invisible": () =>
    "added, and exported, but modules that import this one do not see it (an ES module's exports, and every `import * as` namespace of it, are fixed when it loads): restart to use it from another module",

  // Top-level statements, constants and variables.
  "top-level-not-rerun": () =>
    "top-level code changed: it already ran, and running it again would do what it did a second time (a route registered twice: the first one still answers); restart to apply, or call import.meta.hot.accept() / module.hot.accept() in the module and undo it in hot.dispose() to re-run changed top-level statements",
  rerun: () => "top-level statement re-run (the module accepts updates)",
  "new-statement-run": () => "a new top-level statement: run once, as a fresh start would run it",
  "run-after": (catchAll: string, line: number) =>
    `run once now, but after ${catchAll} (line ${line}), which ran at start-up and sees every request first: what this registers may never be reached (a fresh start puts it before); restart to apply`,
  "reassigned-statement": () => "an assignment: run again, it sets what a fresh start sets",
  reassigned: () => "re-assigned (the module accepts updates)",
  "new-binding-side-effects": () =>
    "a new module-level variable whose initializer has side effects is not run (accept updates with import.meta.hot.accept() to allow it)",
  "binding-kind-changed": (before: string, after: string) =>
    `changed from ${before} to ${after}: a running module's bindings cannot change kind; restart to apply`,
  "variable-keeps-value": (kind: string) =>
    `module-level ${kind} keeps its current value (program state); accept updates with import.meta.hot.accept() to re-assign it`,
  "exported-constant": () =>
    "exported constant: importing modules would keep the old value; restart to apply",
  "initializer-side-effects": () =>
    "its initializer has side effects (calls or constructs); accept updates with import.meta.hot.accept() to allow re-running it",
  "read-by-top-level": (line: number) =>
    `read by top-level code at line ${line} that already ran with the old value; restart to apply`,
  "reader-uses-private": (reader: string) =>
    `${reader} reads it and uses #private names: it cannot be compiled where the new value is visible`,
  "reader-not-updatable": (reader: string, constructor: boolean, capturedBy: string | undefined) =>
    `${reader} reads it and its existing ${constructor ? "instances" : "closures"} cannot be updated${capturedBy ? ` (they read local variables of ${capturedBy})` : ""}: it would see the old value while others see the new one`,
  "reader-refused": (reader: string) =>
    `${reader} reads it and keeps its old code (refused in this patch): it would see the old value while others see the new one`,
  "constant-readers": (readers: string[]) =>
    readers.length > 0
      ? `applied to ${readers.length} function(s) that read it: ${readers.slice(0, 5).join(", ")}`
      : "no function reads it",

  // The debugger (debugger/): patches while paused, and refused debug requests.
  "paused-import": () =>
    "a new import loads a module, which needs the event loop, and the program is paused: continue, then save again",
  "unknown-command": (command: string) => `unknown debug command ${command}`,
  "not-paused": () => "the program is running (pause it first)",
  "invalid-reference": (what: string) => `${what} is not valid now (ids are valid during one pause)`,
  "not-a-frame": (id: number) => `there is no frame ${id} in this pause`,
  "restart-module": () =>
    "module code cannot be restarted (it would run the module's statements a second time)",
  "restart-async": (name: string) =>
    `${name} is an async function or a generator: V8 cannot restart it (nor the frames below it)`,
  "restart-below-async": (name: string) =>
    `the frame is below ${name}, an async function or generator, which V8 cannot restart (nor anything below it)`,
  "restart-not-edited": (name: string) =>
    `${name} has not been edited: a frame V8 cannot restart (an async function or generator) restarts by unwinding into its newest version, and it has none yet; edit it first`,
  "restart-exception-caught": () =>
    "the exception being thrown will be caught by the program before it reaches that frame, so it cannot unwind it: continue, or restart from a pause where nothing catches it",
  "restart-async-top": (name: string) =>
    `${name} is an async function or generator at the top of the stack: V8 has no way to unwind a paused frame from there (hotframe unwinds it from a plain function it calls, or with an exception thrown through it); \`step\` into a function it calls and restart it from there`,
  "restart-try-catch": (name: string) =>
    `the paused call in ${name} is inside a try/catch, which would catch the unwinding: restart a frame above it`,
  "restart-uninstrumented": () =>
    "this frame's code is not the program's own (a dependency or Node itself): it cannot be restarted",
  "bad-condition": (message: string) => `the condition does not compile: ${message}`,
  "bad-hit-condition": (text: string) =>
    `hit condition ${JSON.stringify(text)} is not one of N, >=N, >N, ==N, %N`,
  raised: (message: string) => message,

  // Warnings: a file that runs unpatchable (and the answer to a patch of it).
  "not-instrumented": (message: string) =>
    `hotframe could not instrument this file (${message}); it runs unpatchable`,
  "typescript-transpiled": (message: string) =>
    `${message}: it runs through the TypeScript compiler and cannot be patched`,
  "json-read-once": () =>
    "a JSON file is read once, when the program loads it: its new content applies after a restart",
} satisfies Record<string, (...args: never[]) => string>;

export type ReasonCode = keyof typeof TEXTS;

/** A reason: its code and its text. */
export interface Reason {
  code: ReasonCode;
  text: string;
}

/** The reason `code`, its text made from `args`. */
export function reason<C extends ReasonCode>(code: C, ...args: Parameters<(typeof TEXTS)[C]>): Reason {
  const text = (TEXTS[code] as (...a: unknown[]) => string)(...args);
  return { code, text };
}

/**
 * Codes of applied entries whose effect stops short of what a fresh start gives: each is also said
 * as a warning, so that the terminal shows it beside its ✓.
 */
export const CAVEATS: ReadonlySet<ReasonCode> = new Set<ReasonCode>([
  "new-export-invisible",
  "instances-built-before",
  "needs-new-shape",
]);

/** Every code of the catalogue (for docs and tests). */
export const REASON_CODES = Object.keys(TEXTS) as ReasonCode[];
