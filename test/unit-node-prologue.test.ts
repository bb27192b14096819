import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, test } from "node:test";
import { type ClassRegistrar, defineSlots } from "../src/runtimes/node/agent/agent-state.js";
import { forLoad } from "../src/runtimes/node/agent/instrument.js";
import { buildModel } from "../src/runtimes/node/agent/model.js";
import type { ScopeEvaluator } from "../src/runtimes/node/agent/module-record.js";
import { loadIds } from "../src/runtimes/node/agent/module-record.js";
import { classSlotName, instrumentModule, slotName } from "../src/runtimes/node/agent/transform.js";

/**
 * The dispatch prologues on their own: a module instrumented as at load, run in this process with
 * an agent state that only keeps the module's evaluator, its slots set by hand as a patch sets them.
 */

const SOURCE = `export function plain(a, b) { return ["plain", a, b, new.target === undefined]; }
export class Point {
  constructor(x) { this.x = x; }
  get double() { return this.x * 2; }
}
export class Sub extends Point {}
export const arrow = (a) => ["arrow", a];
export const lone = a => a;
export const none = () => "none";
export const trailing = (a, b,) => [a, b];
`;

const evaluators = new Map<string, { evaluator: ScopeEvaluator; base: string }>();
const hotframe = Symbol.for("hotframe");

async function load(name: string) {
  const dir = mkdtempSync(join(tmpdir(), "hotframe-prologue-"));
  const file = join(dir, `${name}.mjs`);
  const model = buildModel(SOURCE, true);
  writeFileSync(file, forLoad(instrumentModule(model, file, loadIds(model))));
  const ids = loadIds(model);
  const module = (await import(pathToFileURL(file).href)) as Record<string, never>;
  const { evaluator, base } = evaluators.get(file) as { evaluator: ScopeEvaluator; base: string };
  const set = (slot: string, value: unknown) => evaluator(`${slot}=$hf$x`, value);
  return { module, set, slot: (key: string) => slotName(base, ids({ key })), base };
}

describe("dispatch prologues", () => {
  (globalThis as Record<symbol, unknown>)[hotframe] ??= {
    register(
      file: string,
      registrar: ClassRegistrar,
      evaluator: ScopeEvaluator,
      _module: unknown,
      base: string,
      functions: number,
      classSlots: string[],
    ) {
      registrar.k = () => {};
      registrar.c = Reflect.construct;
      defineSlots([...Array.from({ length: functions }, (_, i) => slotName(base, i + 1)), ...classSlots]);
      evaluators.set(file, { evaluator, base });
      return {};
    },
  };

  test("an empty slot changes nothing: results, length and name as written", async () => {
    const { module } = await load("empty");
    const m = module as Record<string, (...args: unknown[]) => unknown>;
    assert.deepEqual(m.plain?.(1, 2), ["plain", 1, 2, true]);
    assert.deepEqual(m.arrow?.(1), ["arrow", 1]);
    assert.equal(m.lone?.(7), 7);
    assert.deepEqual(m.trailing?.(1, 2), [1, 2]);
    const lengths = ["plain", "arrow", "lone", "none", "trailing"].map((n) => [n, m[n]?.length]);
    assert.deepEqual(lengths, [
      ["plain", 2],
      ["arrow", 1],
      ["lone", 1],
      ["none", 0],
      ["trailing", 2],
    ]);
    assert.equal(m.arrow?.name, "arrow");
    const Point = module.Point as unknown as new (x: number) => { x: number; double: number };
    assert.equal(new Point(3).double, 6);
  });

  test("an arrow passes on every argument it is called with, however many its version declares", async () => {
    const { module, set, slot } = await load("arrows");
    set(slot("arrow"), (...args: unknown[]) => ["new", ...args]);
    set(slot("none"), (...args: unknown[]) => args.length);
    const m = module as Record<string, (...args: unknown[]) => unknown>;
    assert.deepEqual(m.arrow?.(1, 2, 3, 4, 5), ["new", 1, 2, 3, 4, 5]);
    assert.equal(m.none?.("a", "b", "c", "d"), 4);
  });

  test("a plain function called with new, and a class's construction, build with the same new.target", async () => {
    const { module, set, slot, base } = await load("construct");
    set(slot("plain"), function (this: unknown, a: unknown) {
      return { a, target: new.target, self: this };
    });
    const plain = module.plain as unknown as new (a: number) => { a: number; target: unknown };
    assert.equal(new plain(1).target, plain);
    assert.equal(new plain(1).a, 1);
    set(
      classSlotName(base, "Point"),
      class {
        x: number;
        constructor(x: number) {
          this.x = x + 100;
        }
      },
    );
    const Sub = module.Sub as unknown as new (x: number) => { x: number; double: number };
    const made = new Sub(1);
    assert.equal(made.x, 101);
    assert.equal(made.double, 202, "the instance has the running class's prototype");
    assert.equal(Object.getPrototypeOf(made), Sub.prototype);
  });
});
