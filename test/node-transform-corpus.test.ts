import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, realpathSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { parse } from "acorn";
import { buildModel, type FunctionModel } from "../src/runtimes/node/agent/model.js";
import { instrumentModule } from "../src/runtimes/node/agent/transform.js";
import { HotframeRun, REPO } from "./helpers/hotframe.js";
import { AgentRun } from "./helpers/node-agent.js";

/**
 * The transform on large real code: compilers, bundlers, minified builds from npm. Two checks:
 * - behaviour: one program uses the packages (terser minifies, TypeScript transpiles, three
 *   computes, acorn parses, prettier formats, express serves a request, ESLint lints) under
 *   `hotframe run --instrument-deps`, and prints exactly what it prints under plain node, export
 *   shapes included. Node parses and runs every instrumented file of those packages (382 files,
 *   TypeScript's 9 MB compiler among them).
 * - parse: files the program does not load are instrumented here and parsed with acorn in their
 *   own source type (prettier's other plugins, pyodide's emscripten output).
 * Left out for time (2 cores): a second parse with acorn of the files the program loads (Node's
 * own parse of them is the stronger check), prettier's other plugins (flow, typescript, markdown,
 * postcss, yaml, …: they parse instrumented too, checked by hand) and three's other builds.
 */

/** node_modules as it is on disk (the worktree's may be a link): the root hotframe instruments. */
const MODULES = realpathSync(join(REPO, "node_modules"));

/** Each step prints one line `name=<json>`; the result includes the export shapes. */
const USES = String.raw`
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
const modules = process.argv[2];
const require = createRequire(modules + "/");
const load = (path) => import(pathToFileURL(modules + "/" + path).href);
/** What a module exports, as names and kinds: instrumentation must not add, drop or change one. */
const shape = (exports) => Object.keys(exports).sort().map((k) => k + ":" + typeof exports[k]).join(",");
const step = async (name, run) => console.log(name + "=" + JSON.stringify(await run()));
await step("terser", async () => {
  const terser = require("./terser/dist/bundle.min.js");
  const input = "function add(first, second) { return first + second; }\nconsole.log(add(1, 2), [1, 2].map((x) => x * 2));";
  return [shape(terser), (await terser.minify(input, { mangle: true, compress: { passes: 2 } })).code];
});
await step("typescript", () => {
  const ts = require("./typescript/lib/typescript.js");
  const source = "enum E { A, B }\nexport const x: number = E.B;\nclass C { constructor(private y: string) {} get z() { return this.y; } }\nnamespace N { export const q = 1; }";
  const options = { compilerOptions: { target: ts.ScriptTarget.ES2020, module: ts.ModuleKind.ESNext } };
  return [shape(ts), ts.transpileModule(source, options).outputText];
});
await step("three", async () => {
  const THREE = await load("three/build/three.module.js");
  const v = new THREE.Vector3(1, 2, 3).applyQuaternion(new THREE.Quaternion().setFromEuler(new THREE.Euler(0.1, 0.2, 0.3)));
  const m = new THREE.Matrix4().makeRotationY(0.5).multiply(new THREE.Matrix4().makeTranslation(1, 2, 3)).invert();
  const box = new THREE.Box3().setFromPoints([v, new THREE.Vector3(-1, 0, 4)]).getSize(new THREE.Vector3());
  return [shape(THREE), v.toArray(), m.toArray(), box.toArray(), new THREE.Color("hsl(120, 50%, 50%)").getHexString()];
});
await step("acorn", async () => {
  const code = "let a = async (b, ...c) => b ** 2 + c.length; class D { #p = 1; static { this.q = 2; } }";
  const cjs = require("./acorn/dist/acorn.js");
  const esm = await load("acorn/dist/acorn.mjs");
  const options = { ecmaVersion: "latest" };
  return [shape(cjs), shape(esm), cjs.parse(code, options), esm.parse(code, options)];
});
await step("prettier", async () => {
  const prettier = await load("prettier/index.mjs");
  const plugins = [await load("prettier/plugins/babel.mjs"), await load("prettier/plugins/estree.mjs")];
  return [shape(prettier), await prettier.format("class A{x;y\nstatic z=1}\nconst f=(a)=>{return a+1}", { parser: "babel", plugins })];
});
await step("express", async () => {
  const express = require("./express/index.js");
  const app = express();
  app.get("/items/:id", (req, res) => res.json({ id: req.params.id, q: req.query }));
  const server = await new Promise((resolve) => {
    const s = app.listen(0, "127.0.0.1", () => resolve(s));
  });
  const response = await fetch("http://127.0.0.1:" + server.address().port + "/items/7?a[b]=1");
  server.close();
  return [shape(express), response.status, response.headers.get("content-type"), await response.text()];
});
await step("eslint", () => {
  const { Linter } = require("./eslint/lib/api.js");
  const rules = { "no-unused-vars": "error", eqeqeq: "error", "no-debugger": "warn" };
  const messages = new Linter().verify("var a = 1;\nif (a == 2) { debugger }\n", [{ rules }]);
  return messages.map((m) => m.line + ":" + m.column + " " + m.ruleId + " " + m.message);
});
`;
const STEPS = ["terser", "typescript", "three", "acorn", "prettier", "express", "eslint"];

/** Large files among those the program loads: each must be reported instrumented. */
const LOADED = [
  "typescript/lib/typescript.js",
  "terser/dist/bundle.min.js",
  "three/build/three.module.js",
  "three/build/three.core.js",
  "acorn/dist/acorn.js",
  "prettier/index.mjs",
  "prettier/plugins/babel.mjs",
  "prettier/plugins/estree.mjs",
  "express/lib/router/index.js",
  "eslint/lib/linter/linter.js",
  "lodash.merge/index.js",
];

/**
 * Instrumented here and parsed with acorn (ES modules unless named .js): prettier's minified ES
 * module plugins whose classes end in a field without ';' (they failed to parse instrumented),
 * acorn's ES module build (the agent's own parser: the program gets the agent's copy), pyodide's
 * emscripten output.
 */
const PARSED = [
  "prettier/plugins/angular.mjs",
  "prettier/plugins/glimmer.mjs",
  "prettier/plugins/html.mjs",
  "acorn/dist/acorn.mjs",
  "pyodide312/pyodide.asm.js",
];

test("large real packages run instrumented exactly as they run plain", { timeout: 240_000 }, async () => {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), "hf-corpus-")));
  writeFileSync(join(dir, "uses.mjs"), USES);
  const plain = execFileSync(process.execPath, ["uses.mjs", MODULES], { cwd: dir, encoding: "utf8" }).split(
    "\n",
  );
  const run = new HotframeRun(dir, [
    "--verbose",
    "--watch",
    dirname(MODULES),
    "--instrument-deps",
    "uses.mjs",
    MODULES,
  ]);
  try {
    // Bounded by the test's timeout, not the per-wait bound: a start with nothing cached
    // instruments TypeScript's 9 MB compiler, several times slower on a busy machine.
    await run.exited;
    assert.equal((await run.ended()).code, 0);
    for (const [i, name] of STEPS.entries()) {
      const line = run.stdout.find((l) => l.startsWith(`${name}=`));
      assert.equal(line, plain[i], `${name} differs instrumented`);
    }
    const instrumented = new Set(run.stderr.flatMap((l) => l.match(/instrumented (\S+)/)?.[1] ?? []));
    for (const file of LOADED) assert.ok(instrumented.has(join(MODULES, file)), `${file} instrumented`);
    assert.ok(instrumented.size > 300, `${instrumented.size} files instrumented`);
  } finally {
    run.child.kill("SIGKILL");
  }
});

test("large real files instrumented parse in their own source type", () => {
  for (const file of PARSED) {
    const esm = file.endsWith(".mjs");
    const source = readFileSync(join(MODULES, file), "utf8");
    const model = buildModel(source, esm);
    const ids = new Map<FunctionModel, number>();
    const idOf = (fn: FunctionModel) => {
      if (!ids.has(fn)) ids.set(fn, ids.size);
      return ids.get(fn) as number;
    };
    const code = instrumentModule(model, join(MODULES, file), idOf);
    assert.ok(ids.size > 50, `${file}: functions instrumented`);
    assert.doesNotThrow(
      () =>
        parse(code, {
          ecmaVersion: "latest",
          sourceType: esm ? "module" : "script",
          allowHashBang: true,
          allowReturnOutsideFunction: !esm,
        }),
      `${file} parses instrumented`,
    );
  }
});

/** Syntax where inserted code meets the user's without a separator, run plain and instrumented. */
const EDGES = `"use strict"
class A { x; y }
class B { x = 1
  y }
class C { get }
class D { static }
function f() { "use strict"
  return 1 }
const g = (x) =>
  x + 1;
const h = async () => /* a comment */
  5;
h().then((five) => console.log(JSON.stringify([Object.keys(new A()), Object.keys(new B()), new B().x, Object.keys(new C()), Object.keys(new D()), f(), g(1), five])));
`;

test("inserted code is separated from the user's (fields without ';', directives, concise arrows)", async () => {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), "hf-edges-")));
  writeFileSync(join(dir, "package.json"), JSON.stringify({ type: "commonjs" }));
  writeFileSync(join(dir, "edges.js"), EDGES);
  const plain = execFileSync(process.execPath, ["edges.js"], { cwd: dir, encoding: "utf8" });
  assert.equal(plain, '[["x","y"],["x","y"],1,["get"],["static"],1,2,5]\n');
  const run = await AgentRun.start(join(dir, "edges.js"));
  await run.output("]\n");
  assert.equal(run.stdout, plain);
  await run.loaded(join(dir, "edges.js"));
  assert.equal((await run.exited).code, 0);
});
