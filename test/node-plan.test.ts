import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { FunctionOutcome } from "../src/protocol/messages.js";
import { buildModel } from "../src/runtimes/node/agent/model.js";
import { loadIds, nothingKept } from "../src/runtimes/node/agent/module-record.js";
import { planPatch } from "../src/runtimes/node/agent/patch/plan.js";
import type { Plan, PlanContext } from "../src/runtimes/node/agent/patch/planning.js";
import { REASON_CODES } from "../src/runtimes/node/agent/reasons.js";
import { reparse } from "../src/runtimes/node/agent/reparse.js";
import { closureScope, constructionHooked } from "../src/runtimes/node/agent/transform.js";

/**
 * The Node planner on its own (no process): old and new sources in, the plan out. Every decision
 * of a patch is in the plan as data — what goes into which slot, what is declared or re-run, what
 * is refused with which code — so these tests read it directly.
 */

interface Options {
  esm?: boolean;
  accepted?: boolean;
  /** Suspended calls of every async function / unfinished generators. */
  activations?: number;
}

function planOf(before: string, after: string, options: Options = {}): Plan {
  const esm = options.esm ?? true;
  const old = buildModel(before, esm);
  const idOf = loadIds(old);
  const parsed = reparse(old.source, old.program, after, esm);
  const model = buildModel(after, esm, parsed.program, { previous: old, tailMoved: parsed.tailMoved });
  const context: PlanContext = {
    esm,
    hot: { accepted: options.accepted ?? false },
    kept: nothingKept(),
    slotIds: new Map(old.functions.map((fn) => [fn.key, idOf(fn)])),
    hookedClasses: new Set(old.classList.filter(constructionHooked).map((cls) => cls.key)),
    lacking: new Map(),
    forwarded: new Map(),
    scopes: new Map(
      old.functions.flatMap((fn) => {
        const scope = closureScope(fn);
        return scope ? [[idOf(fn), scope] as const] : [];
      }),
    ),
    nextSlot: old.functions.length + 1,
    scopeNames: new Set(),
    activations: () => options.activations ?? 0,
  };
  return planPatch(context, after, old, model);
}

/** The entries as `kind name qualname status code`, the way a reader compares them. */
function entries(plan: Plan): string[] {
  return plan.outcomes.map((o: FunctionOutcome) =>
    [o.kind, o.name, o.qualname, o.status, o.code].filter((x) => x !== undefined).join(" "),
  );
}

const keys = (fns: Iterable<{ key: string }>) => [...fns].map((fn) => fn.key).sort();

const BASE = `import { readFileSync } from "node:fs";
const PREFIX = "hi";
let calls = 0;
export function greet(name) {
  calls++;
  return PREFIX + " " + name;
}
function shout(s) {
  return s.toUpperCase();
}
class Shape {
  #sides = 3;
  constructor() {
    this.made = true;
  }
  area() {
    return this.#sides;
  }
}
async function load() {
  await null;
  return readFileSync;
}
function makeCounter() {
  let n = 0;
  return function inc() {
    return ++n;
  };
}
console.log("started");
`;

const edit = (from: string, to: string, source = BASE) => {
  assert.ok(source.includes(from), from);
  return source.replace(from, to);
};

describe("the Node planner", () => {
  test("a body edit: the function goes into its slot, nothing else", () => {
    const plan = planOf(BASE, edit("return s.toUpperCase();", "return s.toLowerCase();"));
    assert.equal(plan.rejection, undefined);
    assert.deepEqual(entries(plan), ["function shout shout updated"]);
    assert.deepEqual(keys(plan.slots), ["shout"]);
    assert.deepEqual(plan.declarations, []);
    assert.deepEqual(plan.run, []);
    assert.equal(plan.spliced, true, "a body edit compares only the statement it touched");
  });

  test("an empty file is rejected before anything is planned", () => {
    for (const text of ["", "  \n\t\n"]) {
      const plan = planOf(BASE, text);
      assert.equal(plan.rejection?.code, "empty-file");
      assert.equal(
        plan.rejection?.text,
        "the file is empty: an edit that removes everything is not applied (restart the program for that)",
      );
      assert.deepEqual(plan.outcomes, []);
      assert.equal(plan.slots.size, 0);
    }
  });

  test("a new import is loaded and declared; a removed one is said; reordered ones are the same", () => {
    const plan = planOf(
      BASE,
      edit('from "node:fs";', 'from "node:fs";\nimport def, { join as j, sep } from "node:path";'),
    );
    assert.equal(plan.rejection, undefined);
    assert.deepEqual(entries(plan), ["statement def, j, sep <module> added import-loaded"]);
    assert.deepEqual(plan.loads, [{ specifier: "node:path" }]);
    assert.deepEqual(plan.declarations[0]?.names, ["def", "j", "sep"]);
    assert.equal(
      plan.declarations[0]?.replacement,
      'const def=$hf$x[0]["default"],j=$hf$x[0]["join"],sep=$hf$x[0]["sep"]',
    );
    const removed = planOf(BASE, edit('import { readFileSync } from "node:fs";\n', ""));
    assert.deepEqual(entries(removed), ["statement readFileSync <module> removed import-removed"]);
    const two = `import { join } from "node:path";\n${BASE}`;
    const reordered = planOf(
      two,
      `${BASE.replace('import { readFileSync } from "node:fs";\n', "")}`.replace(
        "",
        'import { join } from "node:path";\nimport { readFileSync } from "node:fs";\n',
      ),
    );
    assert.deepEqual(entries(reordered), []);
    assert.deepEqual(reordered.loads, []);
    const widened = planOf(BASE, edit("import { readFileSync }", "import { readFileSync, existsSync }"));
    assert.deepEqual(entries(widened), ["statement readFileSync, existsSync <module> added import-loaded"]);
    assert.deepEqual(widened.declarations[0]?.names, ["existsSync"]);
  });

  test("a changed constant is declared again and every function reading it goes into its slot", () => {
    const plan = planOf(BASE, edit('const PREFIX = "hi";', 'const PREFIX = "hey";'));
    assert.deepEqual(entries(plan), ["statement PREFIX <module> updated constant-readers"]);
    assert.deepEqual(
      plan.declarations.map((d) => d.name),
      ["PREFIX"],
    );
    assert.deepEqual(keys(plan.slots), ["greet"]);
  });

  test("a changed constant's readers include functions with a block declaring the same name (issue 9)", () => {
    const before = `const config = { limit: 2 };
export function list(items) {
  for (const item of items) {
    if (item.skip) {
      const config = { mark: "-" };
      item.mark = config.mark;
    }
  }
  try {
    return items.slice(0, config.limit);
  } catch (config) {
    return config;
  }
}
export function mark(config = {}) {
  return config.mark;
}
`;
    const plan = planOf(before, before.replace("limit: 2", "limit: 3"));
    assert.deepEqual(entries(plan), ["statement config <module> updated constant-readers"]);
    assert.deepEqual(keys(plan.slots), ["list"], "mark reads its own parameter");
  });

  test("a route run again below a catch-all in a module that accepts updates says it is not reached", () => {
    const before = `import express from "express";
const app = express();
app.get("/health", (req, res) => res.send("ok"));
app.use((req, res) => res.status(404).send("none"));
`;
    const plan = planOf(before, before.replace('"/health"', '"/healthz"'), { accepted: true });
    assert.deepEqual(entries(plan), [
      'statement app.get("/healthz", (req, res) => res.send("ok")); <module> running-old run-after',
    ]);
  });

  test("an exported constant is refused and kept as it runs", () => {
    const before = BASE.replace('const PREFIX = "hi";', 'export const PREFIX = "hi";');
    const plan = planOf(before, before.replace('"hi"', '"ho"'));
    assert.deepEqual(entries(plan), ["statement PREFIX <module> refused exported-constant"]);
    assert.equal(plan.rejection?.code, "exported-constant", "everything refused: rejected");
    assert.ok(plan.kept.declarations.has("PREFIX"));
  });

  test("top-level code: refused unless the module accepts updates, named by its first line", () => {
    const after = edit('console.log("started");', 'console.log("started again");');
    const refused = planOf(BASE, after);
    assert.deepEqual(entries(refused), [
      'statement console.log("started again"); <module> refused top-level-not-rerun',
    ]);
    assert.deepEqual(refused.kept.othersNotRun, ['console.log("started again");']);
    const accepted = planOf(BASE, after, { accepted: true });
    assert.deepEqual(entries(accepted), ['statement console.log("started again"); <module> updated rerun']);
    assert.equal(accepted.run.length, 1);
  });

  test("a statement that binds nothing is named by its first line, folded and cut to 60 characters", () => {
    const long = `app.get(  "/health",\n  (req, res) => res.send("a very long response body that goes on and on"),\n);`;
    const plan = planOf(BASE, edit('console.log("started");', long));
    const name = plan.outcomes.find((o) => o.kind === "statement")?.name ?? "";
    assert.equal(name, 'app.get( "/health",');
    const wide = `${"x".repeat(30)} = ${"y".repeat(40)} + 1;`;
    const cut = planOf(BASE, edit('console.log("started");', wide)).outcomes.find(
      (o) => o.kind === "statement",
    );
    assert.equal(cut?.name, `${"x".repeat(30)} = ${"y".repeat(26)}…`);
    assert.equal(cut?.name.length, 60);
  });

  test("a statement that binds names is named by them", () => {
    const before = BASE.replace("let calls = 0;", "let calls = 0;\nconst { a, b: [c] } = { a: 1, b: [2] };");
    const plan = planOf(before, before.replace("a: 1,", "a: 2,"));
    assert.deepEqual(entries(plan), ["statement a, c <module> refused top-level-not-rerun"]);
  });

  test("a changed let keeps its value; a changed constructor of a class with #private fields is refused; both are kept", () => {
    const plan = planOf(
      BASE,
      edit("let calls = 0;", "let calls = 1;").replace("this.made = true;", "this.made = false;"),
    );
    assert.deepEqual(entries(plan), [
      "function constructor Shape.constructor refused construction-private",
      "statement calls <module> refused variable-keeps-value",
    ]);
    assert.equal(plan.rejection?.code, "construction-private");
    assert.ok(plan.kept.functions.has("Shape.constructor"));
    assert.ok(plan.kept.declarations.has("calls"));
  });

  test("a changed construction builds new instances; methods that need its new properties are guarded", () => {
    const before = `class Session {
  constructor(user) {
    this.user = user;
  }
  describe() {
    return this.user;
  }
  who() {
    return this.user;
  }
}
class Admin extends Session {
  level = 1;
}
`;
    const after = before
      .replace("this.user = user;", "this.user = user;\n    this.history = [];")
      .replace(
        "describe() {\n    return this.user;",
        "describe() {\n    return this.user + this.history.length;",
      )
      .replace("who() {\n    return this.user;", "who() {\n    return this.user + '!';")
      .replace("}\nclass Admin", "  summary() {\n    return this.history.join();\n  }\n}\nclass Admin");
    const plan = planOf(before, after);
    assert.deepEqual(entries(plan), [
      "function constructor Session.constructor updated instances-built-before",
      "function describe Session.describe updated needs-new-shape",
      "function who Session.who updated",
      "function summary Session.summary added needs-new-shape",
    ]);
    assert.deepEqual(
      plan.constructions.map((c) => [c.cls.key, c.missing]),
      [["Session", ["history"]]],
    );
    assert.deepEqual(
      plan.guards.map((g) => [g.fn.key, g.needs]),
      [["Session.describe", ["history"]]],
    );
    assert.deepEqual([...(plan.lacking.get("Session") ?? [])], ["history"]);
    // A derived class without a constructor of its own has no construction prologue.
    const derived = planOf(before, before.replace("level = 1;", "level = 2;"));
    assert.deepEqual(entries(derived), ["class Admin Admin refused construction-not-hooked"]);
    assert.ok(derived.kept.classes.has("Admin"));
  });

  test("an arrow gains any number of parameters (its prologue passes on every argument), not a rest parameter", () => {
    const before = "export const h = (req, res) => res.end();\n";
    const gains = planOf(before, "export const h = (req, res, next, a, b, c) => next();\n");
    assert.deepEqual(entries(gains), ["function h h updated"]);
    assert.deepEqual(keys(gains.slots), ["h"]);
    // Called as h(req), the old arrow passes on (req, undefined): `more` would be [undefined].
    const rest = planOf(before, "export const h = (req, ...more) => more;\n");
    assert.deepEqual(entries(rest), ["function h h refused references-not-updatable"]);
    const lone = planOf("export const h = x => x;\n", "export const h = (x, y) => x + y;\n");
    assert.deepEqual(entries(lone), ["function h h updated"]);
    // A "use strict" body allows no rest parameter: such an arrow passes on only its own.
    const strict = 'export const h = (a) => { "use strict"; return a; };\n';
    const more = planOf(strict, 'export const h = (a, b) => { "use strict"; return b; };\n');
    assert.deepEqual(entries(more), ["function h h refused references-not-updatable"]);
  });

  test("an accepting module re-assigns a changed let; a removed initializer is said, not silent", () => {
    const reassigned = planOf(BASE, edit("let calls = 0;", "let calls = 1;"), { accepted: true });
    assert.deepEqual(entries(reassigned), ["statement calls <module> updated reassigned"]);
    assert.equal(reassigned.run[0]?.prefix, "calls = ");
    const emptied = planOf(BASE, edit("let calls = 0;", "let calls;"), { accepted: true });
    assert.deepEqual(entries(emptied), ["statement calls <module> refused variable-keeps-value"]);
  });

  test("partial: the refused entries are kept, the others are applied", () => {
    const plan = planOf(
      BASE,
      edit("let calls = 0;", "let calls = 1;").replace("return s.toUpperCase();", "return s;"),
    );
    assert.equal(plan.rejection, undefined);
    assert.deepEqual(entries(plan), [
      "function shout shout updated",
      "statement calls <module> refused variable-keeps-value",
    ]);
  });

  test("new functions, classes and methods are added", () => {
    const plan = planOf(
      BASE,
      edit("console.log", "function helper() {\n  return 1;\n}\nclass Extra {}\nconsole.log").replace(
        "  area() {",
        "  perimeter() {\n    return 0;\n  }\n  area() {",
      ),
    );
    assert.deepEqual(entries(plan).sort(), [
      "class Extra Extra added",
      "function helper helper added",
      "function perimeter Shape.perimeter added",
    ]);
    assert.deepEqual(plan.declarations.map((d) => d.name).sort(), ["Extra", "helper"]);
    assert.deepEqual(keys(plan.addedMembers), ["Shape.perimeter"]);
    assert.equal(plan.freshSlots.length, 2, "a slot for each new function");
  });

  test("a suspended async function: running-old with the shared code `running`", () => {
    const plan = planOf(BASE, edit("await null;", "await 1;"), { activations: 2 });
    assert.deepEqual(entries(plan), ["function load load running-old running"]);
    assert.match(plan.outcomes[0]?.reason ?? "", /^2 call\(s\) suspended in await/);
    assert.deepEqual(keys(plan.slots), ["load"]);
  });

  test("a closure over locals goes into its slot: existing closures reach their variables through their scope", () => {
    const plan = planOf(BASE, edit("return ++n;", "return n += 2;"));
    assert.deepEqual(entries(plan), ["function inc makeCounter.inc updated"]);
    assert.deepEqual(keys(plan.slots), ["makeCounter>inc"]);
    assert.deepEqual([...plan.scopes.values()], [["n"]]);
  });

  test("a closure that reads a variable of its creator it did not read before keeps its code; its creator is recompiled", () => {
    const before = edit("let n = 0;", "let n = 0;\n  const step = 2;");
    const plan = planOf(before, edit("return ++n;", "return n += step;", before));
    assert.deepEqual(entries(plan), [
      "function inc makeCounter.inc running-old old-closures-keep-old-code",
      "function makeCounter makeCounter updated recompiled-for-closures",
    ]);
    assert.deepEqual(keys(plan.slots), ["makeCounter"]);
  });

  test("a method using #private names and a name the patch adds is refused, not compiled", () => {
    const plan = planOf(
      BASE,
      edit("console.log", "const SCALE = 2;\nconsole.log").replace(
        "return this.#sides;",
        "return this.#sides * SCALE;",
      ),
    );
    assert.deepEqual(entries(plan), [
      "function area Shape.area refused private-and-patch-names",
      "statement SCALE <module> added",
    ]);
    assert.equal(plan.slots.size, 0);
    assert.ok(plan.kept.functions.has("Shape.area"));
  });

  test("a refused binding takes with it what reads it (consistent or nothing)", () => {
    const plan = planOf(
      BASE,
      edit(
        "function shout(s) {",
        "const cache = openCache();\nfunction remember(s) {\n  cache.set(s, 1);\n}\nfunction shout(s) {\n  remember(s);",
      ).replace("return s.toUpperCase();", "return s.toUpperCase() + cache.size;"),
    );
    assert.deepEqual(entries(plan).sort(), [
      "function remember remember refused depends-on-refused",
      "function shout shout refused depends-on-refused",
      "statement cache <module> refused new-binding-side-effects",
    ]);
    assert.ok(plan.rejection, "everything refused: rejected");
    assert.deepEqual(plan.declarations, []);
    assert.ok(!keys(plan.slots).includes("shout"));
    assert.match(plan.outcomes.find((o) => o.name === "shout")?.reason ?? "", /uses cache, remember/);
  });

  test("what does not read the refused binding is applied", () => {
    const plan = planOf(
      BASE,
      edit("function shout(s) {", "const cache = openCache();\nfunction shout(s) {")
        .replace("return s.toUpperCase();", "return cache.get(s);")
        .replace('return PREFIX + " " + name;', "return PREFIX + name;"),
    );
    assert.equal(plan.rejection, undefined);
    assert.deepEqual(entries(plan).sort(), [
      "function greet greet updated",
      "function shout shout refused depends-on-refused",
      "statement cache <module> refused new-binding-side-effects",
    ]);
    assert.ok(keys(plan.slots).includes("greet"));
    assert.ok(!keys(plan.slots).includes("shout"), "shout keeps its old code");
    assert.ok(plan.kept.functions.has("shout"));
    assert.equal(plan.kept.declarations.get("cache"), null);
  });

  test("closures whose creator is refused keep their old code, said as refused", () => {
    const before = edit("let n = 0;", "let n = 0;\n  const step = 2;");
    const plan = planOf(
      before,
      edit(
        "function makeCounter() {\n  let n = 0;",
        "const cache = openCache();\nfunction makeCounter() {\n  let n = cache.size;",
        before,
      ).replace("return ++n;", "return n += step;"),
    );
    assert.deepEqual(entries(plan), [
      "function makeCounter makeCounter refused depends-on-refused",
      "function inc makeCounter.inc refused creator-refused",
      "statement cache <module> refused new-binding-side-effects",
    ]);
  });

  test("a closure's creator refused: the closure reaches its variables all the same", () => {
    const plan = planOf(
      BASE,
      edit(
        "function makeCounter() {\n  let n = 0;",
        "const cache = openCache();\nfunction makeCounter() {\n  let n = cache.size;",
      ).replace("return ++n;", "return n += 2;"),
    );
    // (The closures reach n through their scope: they run the new code, whoever made them.)
    assert.deepEqual(entries(plan), [
      "function makeCounter makeCounter refused depends-on-refused",
      "function inc makeCounter.inc updated",
      "statement cache <module> refused new-binding-side-effects",
    ]);
  });

  test("a changed constant whose reader is refused is refused too", () => {
    const plan = planOf(
      BASE,
      edit('const PREFIX = "hi";', 'const PREFIX = "hey";\nconst seen = openSet();').replace(
        "  calls++;",
        "  calls++;\n  seen.add(name);",
      ),
    );
    assert.deepEqual(entries(plan).sort(), [
      "function greet greet refused depends-on-refused",
      "statement PREFIX <module> refused reader-refused",
      "statement seen <module> refused new-binding-side-effects",
    ]);
    assert.deepEqual(plan.declarations, []);
  });

  test("a removed function: its binding stays", () => {
    const plan = planOf(BASE, edit("function shout(s) {\n  return s.toUpperCase();\n}\n", ""));
    assert.deepEqual(entries(plan), ["function shout shout removed binding-stays"]);
  });

  test("a removed function that the new source still calls is refused: it keeps running", () => {
    const calling = BASE.replace("  calls++;", "  calls++;\n  shout(name);");
    const plan = planOf(calling, edit("function shout(s) {\n  return s.toUpperCase();\n}\n", "", calling));
    assert.deepEqual(entries(plan), ["function shout shout refused removed-still-called"]);
    assert.match(plan.outcomes[0]?.reason ?? "", /greet \(line 4\) still uses it/);
    assert.ok(plan.rejection, "nothing else changed: nothing is applied");
  });

  test("a constant in an `export { … }` list is refused as exported, whatever its name", () => {
    const exporting =
      "const $cfg = { port: 1 };\nexport function port() {\n  return $cfg.port;\n}\nexport { $cfg };\n";
    const plan = planOf(exporting, exporting.replace("port: 1", "port: 2"));
    assert.deepEqual(entries(plan), ["statement $cfg <module> refused exported-constant"]);
  });

  test("a constant exported as `export default name` is refused as exported", () => {
    const exporting =
      "const $cfg = { port: 1 };\nexport function port() {\n  return $cfg.port;\n}\nexport default $cfg;\n";
    const plan = planOf(exporting, exporting.replace("port: 1", "port: 2"));
    assert.deepEqual(entries(plan), ["statement $cfg <module> refused exported-constant"]);
  });

  test("the catalogue: kebab-case codes, every refused and running-old entry carries one", () => {
    for (const code of REASON_CODES) assert.match(code, /^[a-z]+(-[a-z0-9]+)*$/);
    for (const code of ["running", "syntax", "unknown-file", "empty-file", "runtime", "internal"])
      assert.ok(REASON_CODES.includes(code as never), code);
    const plan = planOf(
      BASE,
      edit("let calls = 0;", "let calls = 1;").replace("return ++n;", "return n--;"),
      { activations: 1 },
    );
    for (const o of plan.outcomes) {
      assert.ok(o.kind, JSON.stringify(o));
      if (o.status === "refused" || o.status === "running-old") assert.ok(o.code, JSON.stringify(o));
    }
  });
});

describe("the Node planner: top-level code without accept() (docs/node.md, top-level statements)", () => {
  const APP = `const app = makeApp();
function handler(req, res) {
  return res.send("hi");
}
function lookup(key) {
  return key;
}
app.locals.title = "Shop";
app.get("/health", handler);
app.use((req, res) => res.status(404).send("none"));
`;
  const withApp = (from: string, to: string) => APP.replace(from, to);

  test("a new fresh-object constant is declared, and the function that reads it goes live with it", () => {
    const plan = planOf(
      APP,
      withApp(
        "function lookup(key) {\n  return key;",
        "const cache = new Map();\nfunction lookup(key) {\n  return cache.get(key) ?? key;",
      ),
    );
    assert.deepEqual(entries(plan).sort(), [
      "function lookup lookup updated",
      "statement cache <module> added",
    ]);
    assert.deepEqual(
      plan.declarations.map((d) => d.name),
      ["cache"],
    );
    assert.ok(keys(plan.slots).includes("lookup"));
  });

  test("a new initializer that calls something is still refused (it would run during the patch)", () => {
    const plan = planOf(
      APP,
      withApp("function lookup(key) {", "const db = connect();\nfunction lookup(key) {"),
    );
    assert.deepEqual(entries(plan), ["statement db <module> refused new-binding-side-effects"]);
  });

  test("a new statement runs once; one above a catch-all app.use() runs and says it may be unreachable", () => {
    const last = planOf(APP, `${APP}app.listen(3000);\n`);
    assert.deepEqual(entries(last), ["statement app.listen(3000); <module> updated new-statement-run"]);
    assert.deepEqual(
      last.run.map((r) => r.again),
      [false],
    );
    const above = planOf(APP, withApp("app.use((req", 'app.get("/about", handler);\napp.use((req'));
    assert.deepEqual(entries(above), [
      'statement app.get("/about", handler); <module> running-old run-after',
    ]);
    assert.match(above.outcomes[0]?.reason ?? "", /app\.use\(\(req, res\) =>.*line 11.*restart/);
  });

  test("a changed call is refused (it would run twice); a new one next to it runs", () => {
    const plan = planOf(
      APP,
      withApp('app.get("/health", handler);', 'app.get("/status", handler);\napp.get("/healthz", handler);'),
    );
    assert.deepEqual(entries(plan).sort(), [
      'statement app.get("/healthz", handler); <module> refused top-level-not-rerun',
      'statement app.get("/status", handler); <module> running-old run-after',
    ]);
    assert.deepEqual(plan.kept.othersRun, ['app.get("/health", handler);']);
  });

  test("a changed assignment runs again (it sets what a fresh start sets)", () => {
    const plan = planOf(APP, withApp('"Shop"', '"Shop v2"'));
    assert.deepEqual(entries(plan), [
      'statement app.locals.title = "Shop v2"; <module> updated reassigned-statement',
    ]);
    assert.deepEqual(
      plan.run.map((r) => r.again),
      [true],
    );
    const effect = planOf(APP, withApp('"Shop"', "nextTitle()"));
    assert.equal(effect.outcomes[0]?.code, "top-level-not-rerun");
  });

  test("a new statement that reads a refused binding does not run", () => {
    const plan = planOf(APP, `${APP}const db = connect();\napp.set("db", db);\n`);
    assert.deepEqual(entries(plan).sort(), [
      'statement app.set("db", db); <module> refused depends-on-refused',
      "statement db <module> refused new-binding-side-effects",
    ]);
    assert.deepEqual(plan.run, []);
  });
});

describe("functions called where they are defined (an IIFE, a TypeScript namespace)", () => {
  const MODULE = `var Util; (function Util(Util) {
  const factor = 2;
  function scale(x) {
    return x * factor;
  } Util.scale = scale;
})(Util || (Util = {}));
!function () {
  setup();
}();
`;

  test("a function inside is patched; the code of the function that ran once is refused (ran-once)", () => {
    assert.deepEqual(entries(planOf(MODULE, MODULE.replace("x * factor", "x * factor * 10"))), [
      "function scale Util.scale updated",
    ]);
    const body = planOf(MODULE, MODULE.replace("factor = 2", "factor = 3").replace("setup()", "setup(1)"));
    assert.deepEqual(entries(body), [
      "function Util Util refused ran-once",
      "function <anonymous> function refused ran-once",
    ]);
    assert.equal(body.slots.size, 0);
  });

  test("a new function in one is refused with it: it would be created only if it ran again", () => {
    const plan = planOf(
      MODULE,
      MODULE.replace(
        "} Util.scale = scale;",
        "} Util.scale = scale;\n  function twice(x) {\n    return 2 * x;\n  } Util.twice = twice;",
      ),
    );
    assert.deepEqual(entries(plan), [
      "function Util Util refused ran-once",
      "function twice Util.twice refused ran-once",
    ]);
  });
});
