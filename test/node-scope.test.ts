import assert from "node:assert/strict";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, test } from "node:test";
import { parse } from "acorn";
import { analyze, type Scope, type Variable } from "eslint-scope";
import {
  buildModel,
  type FunctionModel,
  type ModuleModel,
  parseOptions,
} from "../src/runtimes/node/agent/model.js";
import { closureScope, scopeEdits } from "../src/runtimes/node/agent/transform.js";
import { REPO } from "./helpers/hotframe.js";
import { AgentRun } from "./helpers/node-agent.js";
import { nodeBinaries } from "./helpers/node-versions.js";
import { programDir } from "./helpers/node-programs.js";

/**
 * Scopes, the two that decide what a patch can do: which files are instrumented (only the user's:
 * under the root, not in node_modules; ES modules, CommonJS and TypeScript each announced once
 * with `loaded` before they run), and, below, the scopes of the language in each file (the scope
 * analysis, held to eslint-scope).
 */

for (const { version, path, skip } of nodeBinaries()) {
  describe(
    `node ${version}: which files are instrumented`,
    {
      skip,
    },
    () => {
      test("user modules of every kind, never node_modules or files outside the root", async () => {
        const dir = programDir("esm", { "outside.mjs": `export const outside = () => "outside";\n` });
        const root = join(dir, "src");
        const files: Record<string, string> = {
          "app.mjs": `import { cjs } from "./lib.cjs";\nimport { ts } from "./lib.ts";\nimport { dep } from "dep";\nimport { outside } from "../outside.mjs";\nimport { color } from "./enum.mts";\nconsole.log(cjs(), ts(), dep(), outside(), color);\nprocess.stdin.once("data", () => process.exit(0));\n`,
          "enum.mts": `enum Color {\n  Red,\n  Green = "g".length,\n}\nexport const color: Color = Color.Green;\n`,
          "lib.cjs": `exports.cjs = () => "cjs";\n`,
          "lib.ts": `export const ts = (): string => "ts";\n`,
          "node_modules/dep/package.json": JSON.stringify({ name: "dep", type: "module", main: "index.js" }),
          "node_modules/dep/index.js": `export const dep = () => "dep";\n`,
        };
        for (const [name, text] of Object.entries(files)) {
          mkdirSync(dirname(join(root, name)), { recursive: true });
          writeFileSync(join(root, name), text);
        }
        const app = join(root, "app.mjs");
        const run = await AgentRun.start(app, { node: path, root });
        await run.output("\n");
        assert.equal(run.stdout, "cjs ts dep outside 1\n");
        // TypeScript that type stripping cannot run goes through the compiler: it runs, unpatchable.
        const warning = run.messages.find((m) => m.type === "warning");
        assert.match(JSON.stringify(warning), /enum Color.*cannot be patched/);
        const result = await run.patch(join(root, "enum.mts"), files["enum.mts"] ?? "");
        assert.equal(result.outcome, "rejected");
        assert.equal(result.error?.kind, "refused");
        assert.equal(result.error?.code, "typescript-transpiled", "announced, and each save answered");
        assert.match(result.error?.message ?? "", /cannot be patched/);
        run.write("q\n");
        const exit = await run.exited;
        assert.equal(exit.code, 0, run.stderr);
        const loaded = run.messages
          .filter((m) => m.type === "loaded")
          .map((m) => (m as { file: string }).file);
        assert.deepEqual(
          loaded.sort(),
          [join(root, "app.mjs"), join(root, "enum.mts"), join(root, "lib.cjs"), join(root, "lib.ts")].sort(),
        );
        assert.equal(run.messages[0]?.type, "hello");
      });
    },
  );
}

/**
 * The scope analysis (model/scope.ts) on realistic code with shadowing: for every function, the
 * names it reads from outside itself and where each is declared (an enclosing function, a
 * top-level block, the module) — what says which functions read a changed constant, which are
 * closures of which factory, and what a closure's new version reads through its scope. Held to
 * eslint-scope, eslint's maintained analyser, on these programs and on real packages.
 */

/** Realistic modules that shadow names in every kind of scope, each as an ES module and as CommonJS. */
const SHADOWING: Record<string, string> = {
  "for and if blocks": `const config = { limit: 2, prefix: "/api" };
function list(req, res) {
  const items = [];
  for (const config of req.overrides) items.push(config.name);
  if (items.length > config.limit) {
    const config = { trimmed: true };
    items.length = 2;
    res.trimmed = config.trimmed;
  }
  return { prefix: config.prefix, items };
}
`,
  "catch clause": `let error = "none";
async function load(read, path) {
  try {
    return await read(path);
  } catch (error) {
    console.error(error.message);
  }
  return error;
}
`,
  "switch cases": `const mode = "dev";
function describe(kind) {
  switch (kind) {
    case "a": {
      const mode = "a-mode";
      return mode;
    }
    default:
      return mode;
  }
}
`,
  "let in loops, with closures": `const name = "module";
function makeHandlers(names) {
  const handlers = [];
  for (let i = 0; i < names.length; i++) {
    const name = names[i];
    handlers.push(() => i + ":" + name);
  }
  handlers.push(() => name);
  return handlers;
}
`,
  "class bodies": `const LIMIT = 3;
class Queue {
  static LIMIT = LIMIT;
  items = [];
  push(item) {
    const LIMIT = this.constructor.LIMIT;
    if (this.items.length < LIMIT) this.items.push(item);
    return this;
  }
  full() {
    return this.items.length >= LIMIT;
  }
  static {
    const LIMIT = 1;
    Queue.min = LIMIT;
  }
}
const Named = class Inner {
  static make() {
    return new Inner();
  }
};
`,
  "parameter defaults": `const fallback = "en";
function t(key, lang = fallback) {
  var fallback = "de";
  return lang + ":" + key + ":" + fallback;
}
const pick = (a, b = a, c = () => a + b) => c();
`,
  "named function expressions": `const retry = 0;
const poll = function retry(n) {
  return n > 0 ? retry(n - 1) : "done";
};
const count = () => retry;
`,
  "var hoisting across blocks": `const total = 100;
function sum(list) {
  if (list.length) {
    var total = 0;
    for (const x of list) total += x;
  }
  return total;
}
function limit() {
  return total;
}
`,
  "closures of factories": `const prefix = "[app]";
function makeLogger(tag) {
  let lines = 0;
  return function log(message) {
    {
      const prefix = "[inner]";
      void prefix;
    }
    lines++;
    return prefix + tag + message + lines;
  };
}
`,
  "top-level blocks": `let hits = 0;
{
  let hits = 5;
  globalThis.readHits = () => hits;
}
for (const route of ["/a", "/b"]) globalThis[route] = () => route + hits;
const moduleHits = () => hits;
`,
};

/** A module as CommonJS: the same code, in sloppy mode, `module.exports` instead of `export`. */
const asScript = (text: string) => text.replace(/^export /gm, "");

/** The model of `text`, and its program parsed with the ranges eslint-scope needs. */
function modelOf(text: string, esm: boolean): ModuleModel {
  const program = parse(text, { ...parseOptions(esm), ranges: true });
  return buildModel(text, esm, program);
}

const originName = (origin: FunctionModel | string) => (typeof origin === "object" ? origin.key : origin);

/** Per function (by key): the names it reads from outside itself, as `name origin`. */
function ourReads(model: ModuleModel): Map<string, string[]> {
  return new Map(
    model.functions.map((fn) => [
      fn.key,
      [...fn.free].map(([name, origin]) => `${name} ${originName(origin)}`).sort(),
    ]),
  );
}

/** The same, as eslint-scope resolves every reference. */
function eslintReads(model: ModuleModel): Map<string, string[]> {
  const byNode = new Map(model.functions.map((fn) => [fn.node, fn]));
  const manager = analyze(model.program, {
    ecmaVersion: 2022,
    sourceType: model.esm ? "module" : "script",
    nodejsScope: !model.esm,
  });
  /** Where a variable is declared, as our model says it (a class declaration's own name is its binding's). */
  const origin = (variable: Variable | null, name: string): string => {
    let scope: Scope | null = variable?.scope ?? null;
    if (scope?.type === "class" && scope.block.type === "ClassDeclaration") {
      scope = scope.upper;
      while (scope && !scope.set.has(name)) scope = scope.upper;
    }
    if (!scope || scope.type === "global" || scope.type === "module" || scope.block.type === "Program")
      return "module";
    for (let s: Scope | null = scope; s && s.block.type !== "Program"; s = s.upper) {
      const fn = byNode.get(s.block);
      if (fn && (s.type === "function" || s.type === "function-expression-name")) return fn.key;
    }
    return "top-level block";
  };
  const reads = new Map<string, string[]>();
  for (const scope of manager.scopes) {
    const fn = byNode.get(scope.block);
    if (!fn || scope.type !== "function") continue;
    const names = new Set<string>();
    for (const reference of scope.through) {
      const name = reference.identifier.name;
      if (reference.resolved?.scope.block === fn.node) continue; // a function expression's own name
      names.add(`${name} ${origin(reference.resolved, name)}`);
    }
    reads.set(fn.key, [...names].sort());
  }
  return reads;
}

function assertSameAsEslint(text: string, esm: boolean, where: string): ModuleModel {
  const model = modelOf(text, esm);
  const ours = ourReads(model);
  const theirs = eslintReads(model);
  for (const [key, names] of theirs) assert.deepEqual(ours.get(key), names, `${where}: ${key}`);
  assert.equal(ours.size, theirs.size, where);
  return model;
}

describe("scope analysis: block scopes, held to eslint-scope", () => {
  for (const [name, text] of Object.entries(SHADOWING)) {
    test(name, () => {
      assertSameAsEslint(text, true, `${name} (ES module)`);
      assertSameAsEslint(asScript(text), false, `${name} (CommonJS)`);
    });
  }

  test("what the shadowing programs read from where, as a patch needs it", () => {
    const read = (name: string, key: string) => {
      const model = modelOf(SHADOWING[name] ?? "", true);
      const fn = model.byKey.get(key);
      assert.ok(fn, key);
      return Object.fromEntries([...fn.free].map(([n, origin]) => [n, originName(origin)]));
    };
    // A module constant read next to a block that declares the same name: read from the module.
    assert.equal(read("for and if blocks", "list").config, "module");
    assert.equal(read("catch clause", "load").error, "module");
    assert.equal(read("switch cases", "describe").mode, "module");
    assert.equal(read("class bodies", "Queue.full").LIMIT, "module");
    assert.equal(read("class bodies", "Queue.push").LIMIT, undefined);
    assert.equal(read("parameter defaults", "t").fallback, "module", "a default does not see the body's var");
    assert.equal(read("var hoisting across blocks", "sum").total, undefined, "a var is the function's");
    assert.equal(read("var hoisting across blocks", "limit").total, "module");
    // Closures: what they capture from their factory, and what they read from the module.
    assert.deepEqual(read("let in loops, with closures", "makeHandlers>handlers.push()"), {
      i: "makeHandlers",
      name: "makeHandlers",
    });
    assert.deepEqual(read("let in loops, with closures", "makeHandlers>handlers.push()#2"), {
      name: "module",
    });
    assert.deepEqual(read("closures of factories", "makeLogger>log"), {
      prefix: "module",
      tag: "makeLogger",
      lines: "makeLogger",
    });
    assert.equal(read("top-level blocks", "readHits").hits, "top-level block");
    assert.equal(read("top-level blocks", "moduleHits").hits, "module");
  });

  test("real packages: every function of express, acorn, eslint-scope, prettier and terser", () => {
    const files: [string, boolean][] = [
      ...readdirSync(join(REPO, "node_modules/express/lib"), { recursive: true })
        .map(String)
        .filter((f) => f.endsWith(".js"))
        .map((f): [string, boolean] => [join("node_modules/express/lib", f), false]),
      ...["index.js", "referencer.js", "scope.js", "scope-manager.js"].map((f): [string, boolean] => [
        join("node_modules/eslint-scope/lib", f),
        true,
      ]),
      ["node_modules/acorn/dist/acorn.mjs", true],
      ["node_modules/body-parser/lib/read.js", false],
      ["node_modules/prettier/index.cjs", false],
      ["node_modules/terser/dist/bundle.min.js", false],
    ];
    let functions = 0;
    for (const [file, esm] of files) {
      const model = assertSameAsEslint(readFileSync(join(REPO, file), "utf8"), esm, file);
      functions += model.functions.length;
    }
    assert.ok(functions > 2500, `${functions} functions compared`);
  });

  test("a closure's new version reads through its scope exactly the names its factory declares", () => {
    const text = `function makeCounter(step) {
  let count = 0;
  return (by = step) => {
    count += by;
    {
      const count = "shadow";
      void count;
    }
    const result = { count };
    return [result, (count) => count * 2];
  };
}
`;
    const model = modelOf(text, true);
    const closure = model.functions.find((fn) => fn.parent?.key === "makeCounter");
    assert.ok(closure);
    assert.deepEqual(closureScope(closure), ["count", "step"]);
    let version = text;
    for (const edit of scopeEdits(text, closure, ["count", "step"]).sort((a, b) => b.start - a.start))
      version = version.slice(0, edit.start) + edit.text + version.slice(edit.end);
    assert.equal(
      version.slice(closure.node.start, closure.node.end + version.length - text.length),
      `(by = $hf$v.step) => {
    $hf$v.count += by;
    {
      const count = "shadow";
      void count;
    }
    const result = { count:$hf$v.count };
    return [result, (count) => count * 2];
  }`,
    );
  });

  test("a closure whose body declares again a name its parameters read is not handed its scope", () => {
    const model = modelOf(
      `function make(n) {
  return (a = n) => {
    let n = a;
    return n;
  };
}
`,
      true,
    );
    const closure = model.functions.find((fn) => fn.parent?.key === "make");
    assert.ok(closure?.bodyRedeclares);
    assert.equal(closureScope(closure), undefined);
  });
});
