import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import type { PatchResult } from "../src/protocol/messages.js";
import { AgentRun } from "./helpers/node-agent.js";
import { nodeBinaries } from "./helpers/node-versions.js";
import {
  commandLoop,
  edit,
  entryName,
  FORMATS,
  type Format,
  imports,
  label,
  programDir,
  statusOf,
  typed,
} from "./helpers/node-programs.js";

/**
 * Every patch case of issue 3 on a running program, for CommonJS, ES modules and TypeScript, on
 * each Node version: real processes, real file edits, answers read from the program's stdout.
 */

function program(format: Format): string {
  const t = typed(format);
  return `${imports(format, { "node:events": "EventEmitter", "node:readline": "createInterface" })}
const PREFIX = "hi";
let calls = 0;

function greet(name${t(": string")}) {
  calls++;
  return PREFIX + " " + name;
}
const boundGreet = greet.bind(null);
let lastTick = "";
setInterval(function onTick() {
  lastTick = "tick v1";
}, 5);
const emitter = new EventEmitter();
let heard = "";
emitter.on("ping", function onPing() {
  heard = "ping v1";
});
const shout = (s${t(": string")}) => s.toUpperCase();
const areaOf = ({ w, h }${t(": { w: number; h: number }")}, scale = 1) => w * h * scale;

class Base {
  describe() {
    return "base";
  }
}
class Shape extends Base {
  #sides${t(": number")};
  static count = 0;
  constructor(sides${t(": number")}) {
    super();
    this.#sides = sides;
    Shape.count++;
  }
  area() {
    return "area v1 " + this.#sides;
  }
  get label() {
    return "label v1";
  }
  static kind() {
    return "kind v1";
  }
  describe() {
    return "shape v1 " + super.describe();
  }
  onClick = () => {
    return "click v1 " + this.#sides;
  };
}
const shape = new Shape(3);
const click = shape.onClick;

function makeCounter() {
  let n = 0;
  return {
    inc() {
      n += 1;
      return n;
    },
    tag() {
      return "tag v1";
    },
  };
}
const counter = makeCounter();

async function slow(gate${t(": Promise<void>")}) {
  await gate;
  return "slow v1";
}
let release${t(": () => void")} = () => {};
let pending${t(": Promise<string> | undefined")};

function* steps() {
  yield "step v1 a";
  yield "step v1 b";
}
const stepper = steps();

const commands${t(": Record<string, () => unknown>")} = {
  greet: () => greet("ann"),
  bound: () => boundGreet("bob"),
  emit: () => {
    emitter.emit("ping");
    return heard;
  },
  shout: () => shout("x"),
  areaOf: () => areaOf({ w: 2, h: 3 }),
  area: () => shape.area(),
  label: () => shape.label,
  kind: () => Shape.kind(),
  describe: () => shape.describe(),
  click: () => click(),
  inc: () => counter.inc(),
  freshInc: () => makeCounter().inc(),
  tag: () => counter.tag(),
  startSlow: () => {
    pending = slow(new Promise((r) => (release = r)));
    return "started";
  },
  finishSlow: async () => {
    release();
    return await pending;
  },
  slowNow: () => slow(Promise.resolve()),
  step: () => stepper.next().value,
  newSteps: () => steps().next().value,
  calls: () => calls,
  tick: () => lastTick,
  extra: () => "extra v1",
};
${commandLoop(format)}`;
}

for (const { version, path, skip } of nodeBinaries()) {
  describe(
    `node ${version}: patching a running program`,
    {
      skip,
    },
    () => {
      for (const format of FORMATS) {
        test(`${format}: bodies, closures, async, generators, additions, constants, refusals, syntax errors`, async () => {
          const dir = programDir(format, { [entryName(format)]: program(format) });
          const file = join(dir, entryName(format));
          const run = await AgentRun.start(file, { node: path });
          try {
            await run.output("ready");
            await run.loaded(file);
            assert.equal(await run.ask("greet"), "hi ann");
            assert.equal(await run.ask("inc"), 1);
            assert.equal(await run.ask("startSlow"), "started");
            assert.equal(await run.ask("step"), "step v1 a");

            // Function bodies: every existing reference, bound copy, listener and instance.
            let result = await edit(run, file, [
              ['return PREFIX + " " + name;', 'return PREFIX + ", " + name;'],
              ['heard = "ping v1";', 'heard = "ping v2";'],
              ['lastTick = "tick v1";', 'lastTick = "tick v2";'],
              ["s.toUpperCase();", 's.toUpperCase() + "!";'],
              ["w * h * scale;", "w * h * scale * 10;"],
              ['"area v1 "', '"area v2 "'],
              ['"label v1"', '"label v2"'],
              ['"kind v1"', '"kind v2"'],
              ['"shape v1 "', '"shape v2 "'],
              ['"click v1 "', '"click v2 "'],
              ['"tag v1"', '"tag v2"'],
              ["n += 1;", "n += 10;"],
            ]);
            assert.equal(result.outcome, "applied", JSON.stringify(result));
            for (const name of [
              "greet",
              "onPing",
              "onTick",
              "areaOf",
              "shout",
              "Shape.area",
              "Shape.label getter",
              "Shape.kind",
              "Shape.describe",
              "Shape.onClick",
              "makeCounter.tag",
              "makeCounter.inc",
            ]) {
              assert.equal(statusOf(result, name), "updated", `${name}: ${JSON.stringify(result)}`);
            }
            assert.equal(await run.ask("greet"), "hi, ann");
            assert.equal(await run.ask("bound"), "hi, bob");
            assert.equal(await run.ask("emit"), "ping v2");
            // A timer registered before the edit runs the new code at its next tick.
            for (let tries = 0; (await run.ask("tick")) !== "tick v2"; tries++)
              assert.ok(tries < 200, "timer");
            assert.equal(await run.ask("shout"), "X!");
            assert.equal(await run.ask("areaOf"), 60, "an arrow with a destructured parameter");
            assert.equal(await run.ask("area"), "area v2 3");
            assert.equal(await run.ask("label"), "label v2");
            assert.equal(await run.ask("kind"), "kind v2");
            assert.equal(await run.ask("describe"), "shape v2 base");
            assert.equal(await run.ask("click"), "click v2 3");
            assert.equal(await run.ask("tag"), "tag v2");
            assert.equal(await run.ask("inc"), 11, "a closure over a local runs the new code with its own n");
            assert.equal(await run.ask("freshInc"), 10, "a closure created after the edit runs the new code");
            assert.equal(await run.ask("calls"), 3, "module state is kept");

            // Suspended async functions and generators finish with their old code.
            result = await edit(run, file, [
              ['return "slow v1";', 'return "slow v2";'],
              ['yield "step v1 a";\n  yield "step v1 b";', 'yield "step v2 a";\n  yield "step v2 b";'],
            ]);
            assert.equal(result.outcome, "applied", JSON.stringify(result));
            assert.equal(statusOf(result, "slow"), "running-old");
            assert.equal(statusOf(result, "steps"), "running-old");
            assert.equal(await run.ask("finishSlow"), "slow v1");
            assert.equal(await run.ask("slowNow"), "slow v2");
            assert.equal(await run.ask("step"), "step v1 b");
            assert.equal(await run.ask("newSteps"), "step v2 a");

            // New functions and methods; a changed constant reaches every function that reads it.
            result = await edit(run, file, [
              [
                'const PREFIX = "hi";',
                'const PREFIX = "hey";\nfunction helper() {\n  return "helper v1";\n}',
              ],
              ['extra: () => "extra v1",', 'extra: () => helper() + " " + shape.sides(),'],
              ["  get label() {", "  sides() {\n    return this.#sides;\n  }\n  get label() {"],
            ]);
            assert.equal(result.outcome, "applied", JSON.stringify(result));
            assert.equal(statusOf(result, "PREFIX"), "updated");
            assert.equal(statusOf(result, "helper"), "added");
            assert.equal(statusOf(result, "Shape.sides"), "added");
            assert.equal(statusOf(result, "commands.extra"), "updated");
            assert.equal(await run.ask("greet"), "hey, ann");
            assert.equal(await run.ask("extra"), "helper v1 3");

            // Refused per function, the rest applied: a changed constructor with live instances and a
            // changed top-level statement; the method edit in the same save goes live.
            result = await edit(run, file, [
              ["Shape.count++;", "Shape.count += 2;"],
              ["const shape = new Shape(3);", "const shape = new Shape(4);"],
              ['"area v2 "', '"area v3 "'],
            ]);
            assert.equal(result.outcome, "partial", JSON.stringify(result));
            assert.equal(statusOf(result, "Shape.constructor"), "refused");
            assert.match(
              result.functions.find((f) => f.qualname === "Shape.constructor")?.reason ?? "",
              /instance/,
            );
            assert.equal(statusOf(result, "shape"), "refused");
            assert.equal(statusOf(result, "Shape.area"), "updated");
            assert.equal(await run.ask("area"), "area v3 3");

            // What was refused keeps running its old code and is said again at every patch of the
            // file, until the source matches what runs; then nothing more is said of it.
            result = await edit(run, file, [['"area v3 "', '"area v3b "']]);
            assert.equal(result.outcome, "partial", JSON.stringify(result));
            assert.equal(statusOf(result, "Shape.constructor"), "refused");
            assert.equal(statusOf(result, "shape"), "refused");
            assert.equal(statusOf(result, "Shape.area"), "updated");
            result = await edit(run, file, [
              ["Shape.count += 2;", "Shape.count++;"],
              ["const shape = new Shape(4);", "const shape = new Shape(3);"],
              ['"area v3b "', '"area v3 "'],
            ]);
            assert.equal(result.outcome, "applied", JSON.stringify(result));
            assert.deepEqual(
              result.functions.map((f) => `${f.qualname} ${f.status}`),
              ["Shape.area updated"],
            );
            assert.equal(await run.ask("area"), "area v3 3");

            // A changed heritage refuses the class: nothing of it changes.
            result = await edit(run, file, [
              ["class Shape extends Base {", "class Shape extends Object {"],
              ['"area v3 "', '"area v4 "'],
            ]);
            assert.equal(result.outcome, "rejected", JSON.stringify(result));
            assert.equal(statusOf(result, "Shape"), "refused");
            assert.equal(await run.ask("area"), "area v3 3");
            await edit(run, file, [
              ["class Shape extends Object {", "class Shape extends Base {"],
              ['"area v4 "', '"area v3 "'],
            ]);

            // A syntax error changes nothing and says where.
            result = await edit(run, file, [
              ['return PREFIX + ", " + name;', 'return PREFIX + ", " + name +;'],
            ]);
            assert.equal(result.outcome, "rejected");
            assert.equal(result.error?.kind, "syntax");
            const broken =
              readFileSync(file, "utf8")
                .split("\n")
                .findIndex((l) => l.includes("name +;")) + 1;
            assert.equal(result.error?.line, broken, JSON.stringify(result.error));
            assert.ok((result.error?.column ?? 0) > 1);
            assert.equal(await run.ask("greet"), "hey, ann");
            result = await edit(run, file, [
              ['return PREFIX + ", " + name +;', 'return PREFIX + "; " + name;'],
            ]);
            assert.equal(result.outcome, "applied", JSON.stringify(result));
            assert.equal(await run.ask("greet"), "hey; ann");

            if (format !== "cjs") {
              // A new import is loaded, and the function that uses it sees it.
              result = await edit(run, file, [
                ['from "node:events";', 'from "node:events";\nimport { join } from "node:path";'],
                ['return PREFIX + "; " + name;', "return join(PREFIX, name);"],
              ]);
              assert.equal(result.outcome, "applied", JSON.stringify(result));
              assert.equal(statusOf(result, "join"), "added");
              assert.equal(await run.ask("greet"), "hey/ann");
            }
          } finally {
            run.kill();
          }
        });
      }
    },
  );
}

test("every kind of refusal is said again at each patch until the source matches what runs", async () => {
  const format: Format = "esm";
  const dir = programDir(format, {
    [entryName(format)]: `${imports(format, { "node:readline": "createInterface" })}
let counter = 0;
export const LIMIT = 5;
globalThis.booted = (globalThis.booted ?? 0) + 1;
class Box {
  #tag = 0;
  constructor() {
    this.v = 1;
  }
  get() {
    return "get v1";
  }
}
const box = new Box();
const commands = {
  get: () => box.get(),
  state: () => [counter, LIMIT, globalThis.booted, typeof box.onX],
};
${commandLoop(format)}`,
  });
  const file = join(dir, entryName(format));
  const run = await AgentRun.start(file, {});
  const refusedOf = (result: PatchResult) =>
    result.functions
      .filter((f) => f.status === "refused")
      .map(label)
      .sort();
  // (Box has a #private field: its instances cannot be built by a new constructor.)
  const refusals = [
    "Box.constructor",
    "Box.onX",
    "LIMIT",
    "counter",
    "globalThis.booted = (globalThis.booted ?? 0) + 2;",
  ];
  try {
    await run.output("ready");
    let result = await edit(run, file, [
      ["let counter = 0;", "let counter = 7;"],
      ["export const LIMIT = 5;", "export const LIMIT = 6;"],
      ["+ 1;", "+ 2;"],
      ["this.v = 1;", "this.v = 2;"],
      ["  get() {", "  onX = () => 1;\n  get() {"],
      ['"get v1"', '"get v2"'],
    ]);
    assert.equal(result.outcome, "partial", JSON.stringify(result));
    assert.deepEqual(refusedOf(result), refusals, JSON.stringify(result));
    assert.equal(statusOf(result, "Box.get"), "updated");

    // An unrelated edit: every refusal is said again, and the program still runs the old code.
    result = await edit(run, file, [['"get v2"', '"get v3"']]);
    assert.equal(result.outcome, "partial", JSON.stringify(result));
    assert.deepEqual(refusedOf(result), refusals, JSON.stringify(result));
    assert.equal(await run.ask("get"), "get v3");
    assert.deepEqual(await run.ask("state"), [0, 5, 1, "undefined"]);

    // Back to what runs: nothing is refused, removed or added.
    result = await edit(run, file, [
      ["let counter = 7;", "let counter = 0;"],
      ["export const LIMIT = 6;", "export const LIMIT = 5;"],
      ["+ 2;", "+ 1;"],
      ["this.v = 2;", "this.v = 1;"],
      ["  onX = () => 1;\n", ""],
      ['"get v3"', '"get v4"'],
    ]);
    assert.equal(result.outcome, "applied", JSON.stringify(result));
    assert.deepEqual(
      result.functions.map((f) => `${f.qualname} ${f.status}`),
      ["Box.get updated"],
    );
    assert.equal(await run.ask("get"), "get v4");
  } finally {
    run.kill();
  }
});
