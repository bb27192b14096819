import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { AgentRun } from "./helpers/node-agent.js";
import { nodeBinaries } from "./helpers/node-versions.js";
import { programDir } from "./helpers/node-programs.js";

/**
 * Every function form the instrumentation rewrites — parameters with defaults and rest, directives,
 * `arguments`, `new.target`, arrows of every shape, generators, async generators, object methods
 * and accessors, computed keys, private methods, static blocks, fields holding functions,
 * `super` — behaves as under plain node, and after one save that edits them all, behaves as plain
 * node runs the edited file.
 */

const ZOO = `"use strict";
const out = [];
const log = (...a) => out.push(a.map(String).join(" "));
function plain(a, b = a + 1, ...rest) { return [a, b, rest.length, arguments.length].join(); }
function strictOne() { "use strict"; return typeof this; }
const arrowExpr = (x) => x * 2;
const arrowObj = (x) => ({ x });
const arrowBody = async (x, { y = 2 } = {}, [z] = [3]) => { await null; return x + y + z; };
const noParen = x => x + 1;
const asyncArrow = async () => "aa";
function* gen(n) { for (let i = 0; i < n; i++) yield i; return "done"; }
async function* agen() { yield 1; yield await Promise.resolve(2); }
const obj = {
  m() { return "m"; },
  get g() { return "g"; },
  set s(v) { this._s = v; },
  *gm() { yield "gm"; },
  async am() { return "am"; },
  ["comp" + "uted"]() { return "computed"; },
  arrow: () => "arrow",
  fn: function () { return "fn"; },
  named: function inner() { return typeof inner; },
};
class A {
  static #count = 0;
  #priv = 1;
  field = () => this.#priv;
  static sfield = function () { return "sfield"; };
  constructor(x) { this.x = x; A.#count++; }
  get value() { return this.x; }
  set value(v) { this.x = v; }
  #secret() { return "secret" + this.#priv; }
  reveal() { return this.#secret(); }
  static count() { return A.#count > 0; }
  static { this.tag = "static-block"; }
  *[Symbol.iterator]() { yield this.x; }
  async am() { return "A.am"; }
  toString() { return \`A(\${this.x})\`; }
}
class B extends A {
  constructor() { super(5); }
  reveal() { return "B+" + super.reveal(); }
  static count() { return "B" + super.count(); }
}
const bound = plain.bind(null, 9);
function recurse(n) { return n <= 0 ? 0 : 1 + recurse(n - 1); }
function usesArgs() { arguments[0] = "changed"; return arguments[0]; }
function Ctor(v) { if (!new.target) return new Ctor(v); this.v = v; }
Ctor.prototype.get = function () { return this.v; };
const a = new A(2);
const b = new B();
async function report() {
  out.length = 0;
  log(plain(1), plain(1, 5, 7, 8), strictOne.call(undefined), arrowExpr(3), JSON.stringify(arrowObj(4)));
  log(await arrowBody(1), await arrowBody(1, { y: 10 }, [20]), noParen(1), await asyncArrow());
  log([...gen(3)], gen(1).next().value, JSON.stringify(await agen().next()));
  log(obj.m(), obj.g, (obj.s = 4, obj._s), [...obj.gm()], await obj.am(), obj.computed(), obj.arrow(), obj.fn(), obj.named());
  log(a.field(), A.sfield(), a.value, a.reveal(), A.count(), A.tag, [...a], await a.am(), \`\${a}\`);
  log(b.reveal(), B.count(), b instanceof A, Object.getPrototypeOf(B) === A);
  log(bound(1), bound.name, plain.length, arrowBody.length, A.prototype.reveal.name, Object.keys(obj).join("/"));
  log(recurse(3000), usesArgs("x"), Ctor(3).get(), new Ctor(4).get());
  console.log(out.join("\\n") + "\\nEND");
}
process.stdin.on("data", (d) => (String(d).includes("q") ? process.exit(0) : report()));
report();
`;

const EDITS: [RegExp, string][] = [
  [/"(aa|done|m|g|gm|am|computed|arrow|fn|sfield|secret|B\+|A\.am)"/g, '"$1 v2"'],
  [/x \* 2/, "x * 3"],
  [/x \+ 1;/, "x + 2;"],
  [/x \+ y \+ z/, "x * y * z"],
  [/yield i;/, "yield i * 10;"],
  [/a \+ 1, \.\.\.rest/, "a + 100, ...rest"],
  [/1 \+ recurse/, "2 + recurse"],
  [/this\.v = v;/, "this.v = v * 2;"],
  [/return this\.v; \}/, "return -this.v; }"],
];

/** What plain node prints for one report of `file`. */
function plainReport(node: string, file: string): Promise<string> {
  const child = spawn(node, [file], { stdio: ["pipe", "pipe", "inherit"] });
  let out = "";
  child.stdout.setEncoding("utf8").on("data", (d: string) => {
    out += d;
    if (out.includes("END")) child.stdin.end("q");
  });
  return new Promise((done) => child.on("exit", () => done(out)));
}

for (const { version, path, skip } of nodeBinaries()) {
  describe(
    `node ${version}: every function form`,
    {
      skip,
    },
    () => {
      for (const ext of ["mjs", "cjs"]) {
        test(`${ext}: same behaviour as plain node, before and after editing every form at once`, async () => {
          const dir = programDir(ext === "mjs" ? "esm" : "cjs", { [`zoo.${ext}`]: ZOO });
          const file = join(dir, `zoo.${ext}`);
          const run = await AgentRun.start(file, { node: path });
          try {
            await run.output("END");
            assert.equal(run.stdout, await plainReport(path as string, file));
            let edited = readFileSync(file, "utf8");
            for (const [pattern, replacement] of EDITS) {
              assert.match(edited, pattern);
              edited = edited.replace(pattern, replacement);
            }
            writeFileSync(file, edited);
            const result = await run.patch(file, edited);
            assert.notEqual(result.outcome, "rejected", JSON.stringify(result));
            // `gen(1).next()` left one generator paused for good: it is reported, honestly.
            const others = result.functions.filter((f) => f.status !== "updated" && f.qualname !== "gen");
            assert.deepEqual(others, [], JSON.stringify(result));
            assert.equal(result.functions.find((f) => f.qualname === "gen")?.status, "running-old");
            const from = run.stdout.length;
            run.write("\n");
            await run.output("END", from);
            assert.equal(run.stdout.slice(from), await plainReport(path as string, file));
          } finally {
            run.kill();
          }
        });
      }
    },
  );
}
