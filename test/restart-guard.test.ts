import assert from "node:assert/strict";
import { test } from "node:test";
import { runInNewContext } from "node:vm";
import { parse } from "acorn";
import { buildModel } from "../src/runtimes/node/agent/model.js";
import { compileGuards } from "../src/runtimes/node/agent/restart-guard.js";
import { instrumentModule } from "../src/runtimes/node/agent/transform.js";

/** Every kind of function the transform gives a prologue, and what each one returns. */
const SOURCE = `"use strict";
function plain(a, b = a + 1) { return a + b; }
function Built(x) { this.x = x; }
async function later(x) { await null; return x * 2; }
function* count(n) { for (let i = 0; i < n; i++) yield i; return "end"; }
const concise = (x) => x * 3;
const block = ({ a, b }) => { const s = a + b; return s; };
class Shape {
  constructor(side) { this.side = side; }
  area() { return this.side ** 2; }
  get double() { return this.side * 2; }
  static of(side) { return new Shape(side); }
}
const object = { method() { "use strict"; let inner = 1; { let inner = 2; } return inner; } };
function throws() { throw new Error("boom"); }
function fin() { try { return 1; } finally { results.push("fin ran"); } }
const results = [];
async function run() {
  results.push(plain(1), new Built(4).x, await later(5), [...count(3)], concise(2), block({ a: 1, b: 2 }));
  results.push(Shape.of(3).area(), Shape.of(3).double, object.method(), fin());
  try { throws(); } catch (e) { results.push(e.message); }
  const it = count(1); it.next(); results.push(it.next());
  return results;
}
module.exports = run();
`;

function instrumented(): string {
  const model = buildModel(SOURCE, false);
  return instrumentModule(model, "/app.js", (fn) => model.functions.indexOf(fn) + 1);
}

async function runs(code: string): Promise<unknown> {
  const module = { exports: undefined as unknown, hot: undefined };
  const context = { module, [Symbol.for("hotframe") as never]: undefined };
  // The agent's side of the preamble: the table's class hook, the slots (globals of the context,
  // as agent-state.ts defines them), and a hot API object.
  const register = `(file, table, evaluator, module, base, functions, classSlots) => {
    table.k = () => {};
    const names = [...Array.from({ length: functions }, (_, i) => base + "s" + (i + 1)), ...classSlots];
    for (const name of names) Object.defineProperty(globalThis, name, { value: undefined, writable: true });
    return {};
  }`;
  runInNewContext(`globalThis[Symbol.for("hotframe")] = { register: ${register} };\n${code}`, context);
  return JSON.parse(JSON.stringify(await (module.exports as Promise<unknown>)));
}

test("the restart guard is compiled into async functions and generators under `hotframe debug` only; the code behaves the same with it", async () => {
  const plain = instrumented();
  assert.ok(!plain.includes("$hf$r"), "hotframe run: no guard");
  const expected = await runs(SOURCE);
  assert.deepEqual(await runs(plain), expected);

  compileGuards();
  const guarded = instrumented();
  const withGuard = [...guarded.matchAll(/(\w+)\([^)]*\) \{[^\n]*?let \$hf\$r;try\{/g)].map((m) => m[1]);
  assert.deepEqual(
    withGuard,
    ["later", "count", "run"],
    "async functions and generators; V8 restarts the others",
  );
  parse(guarded, { ecmaVersion: "latest", sourceType: "script" });
  assert.deepEqual(await runs(guarded), expected);
  assert.equal(guarded.split("\n").length, plain.split("\n").length, "lines stay where they were");
});
