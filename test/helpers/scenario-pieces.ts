import type { PatchResult } from "../../src/protocol/messages.js";

/**
 * Pieces of the many-module scenario program (test/node-project-scenarios.test.ts): each a small
 * realistic module with the edits users make, and what the program must then say and do. Here:
 * the ones about scopes (names shadowed in blocks, `catch`, `switch`, class bodies, parameter
 * defaults, named function expressions, closures of factories) and the rest of issue 9's item 6
 * (export lists, new exports seen through a namespace or the exports object, express routes).
 */

/** One save: replacements in the piece's file, then what the result and the program say. */
export interface Step {
  replace: [string, string][];
  outcome: PatchResult["outcome"];
  /** Entries that must be in the result, as `label status` or `label status code`. */
  entries?: string[];
  /** Commands of the piece and the values they must answer after the save (`*`: the exports seen). */
  asks: Record<string, unknown>;
  /** What differs in CommonJS. */
  cjs?: Partial<Omit<Step, "replace" | "cjs">>;
}

export interface Piece {
  name: string;
  /** ES module text: `import … from "…";` lines and `export const commands = { … };`. */
  source: string;
  /** Commands and their values before any save. */
  before: Record<string, unknown>;
  steps: Step[];
}

/** The piece's text for the project: ES modules as written, CommonJS with require and exports. */
export function forProject(text: string, esm: boolean): string {
  if (esm) return text;
  return text
    .replace(/^import \{ ([^}]+) \} from ("[^"]+");$/gm, "const { $1 } = require($2);")
    .replace(/^import (\w+) from ("[^"]+");$/gm, "const $1 = require($2);")
    .replace(/^export const commands =/m, "exports.commands =")
    .replace(/^export function (\w+)/gm, "exports.$1 = $1;\nfunction $1")
    .replace(/^export \{ ([^}]+) \};$/gm, "Object.assign(exports, { $1 });")
    .replace(/import\.meta\.hot/g, "module.hot");
}

/** An express app of a piece: listening on a port of its own, asked by path. */
const EXPRESS_ASK = `const server = app.listen(0, "127.0.0.1");
const ask = async (path) => {
  const response = await fetch("http://127.0.0.1:" + server.address().port + path);
  return response.status + " " + (await response.text());
};
`;

/** A module with one export besides its commands, and the save that adds one. */
const ADDER = `export function add(a, b) {
  return a + b;
}
export const commands = { add: () => add(1, 2) };
`;
const NEW_EXPORT: Step = {
  replace: [["export function add", "export function twice(n) {\n  return n * 2;\n}\nexport function add"]],
  outcome: "applied",
  entries: ["twice added new-export-invisible"],
  asks: { add: 3, "*": "add,commands" },
  cjs: { entries: ["twice added"], asks: { add: 3, "*": "add,commands,twice" } },
};

export const SCOPE_PIECES: Piece[] = [
  {
    // Issue 9 item 6: a module constant read next to a block that declares the same name.
    name: "listing",
    source: `const config = { limit: 2 };
function list(items) {
  const out = [];
  for (const item of items) {
    if (item.skip) {
      const config = { mark: "-" };
      out.push(config.mark);
      continue;
    }
    out.push(item.name);
  }
  return out.slice(0, config.limit).join(",");
}
const ITEMS = [{ name: "a" }, { skip: true }, { name: "b" }];
export const commands = { list: () => list(ITEMS) };
`,
    before: { list: "a,-" },
    steps: [
      {
        replace: [["const config = { limit: 2 };", "const config = { limit: 3 };"]],
        outcome: "applied",
        entries: ["config updated constant-readers"],
        asks: { list: "a,-,b" },
      },
      {
        replace: [['const config = { mark: "-" };', 'const config = { mark: "~" };']],
        outcome: "applied",
        entries: ["list updated"],
        asks: { list: "a,~,b" },
      },
    ],
  },
  {
    name: "tasks",
    source: `const message = "ok";
function run(task) {
  try {
    task();
    return message;
  } catch ({ message }) {
    return "failed: " + message;
  }
}
export const commands = {
  good: () => run(() => {}),
  bad: () =>
    run(() => {
      throw new Error("boom");
    }),
};
`,
    before: { good: "ok", bad: "failed: boom" },
    steps: [
      {
        replace: [['const message = "ok";', 'const message = "fine";']],
        outcome: "applied",
        entries: ["message updated constant-readers"],
        asks: { good: "fine", bad: "failed: boom" },
      },
    ],
  },
  {
    name: "modes",
    source: `const mode = "dev";
function describe(kind) {
  switch (kind) {
    case "a": {
      const mode = "custom";
      return kind + ":" + mode;
    }
    default:
      return kind + ":" + mode;
  }
}
export const commands = { a: () => describe("a"), b: () => describe("b") };
`,
    before: { a: "a:custom", b: "b:dev" },
    steps: [
      {
        replace: [['const mode = "dev";', 'const mode = "prod";']],
        outcome: "applied",
        entries: ["mode updated constant-readers"],
        asks: { a: "a:custom", b: "b:prod" },
      },
    ],
  },
  {
    name: "queue",
    source: `const LIMIT = 2;
class Queue {
  items = [];
  static {
    const LIMIT = 0;
    Queue.minimum = LIMIT;
  }
  push(item) {
    if (!this.full()) this.items.push(item);
    return this.items.length;
  }
  full() {
    return this.items.length >= LIMIT;
  }
}
const queue = new Queue();
export const commands = {
  fill: () => {
    for (let i = 0; i < 5; i++) queue.push(i);
    return queue.items.length;
  },
  minimum: () => Queue.minimum,
};
`,
    before: { fill: 2, minimum: 0 },
    steps: [
      {
        // The static block's own LIMIT is not the module's: the class is not top-level code reading it.
        replace: [["const LIMIT = 2;", "const LIMIT = 3;"]],
        outcome: "applied",
        entries: ["LIMIT updated constant-readers"],
        asks: { fill: 3, minimum: 0 },
      },
    ],
  },
  {
    name: "hoisting",
    source: `const total = 100;
function sum(list) {
  if (list.length) {
    var total = 0;
    for (const x of list) total += x;
  }
  return total;
}
function budget() {
  return total;
}
export const commands = { sum: () => sum([1, 2]), empty: () => String(sum([])), budget: () => budget() };
`,
    before: { sum: 3, empty: "undefined", budget: 100 },
    steps: [
      {
        replace: [["const total = 100;", "const total = 200;"]],
        outcome: "applied",
        entries: ["total updated constant-readers"],
        asks: { sum: 3, empty: "undefined", budget: 200 },
      },
    ],
  },
  {
    name: "translate",
    source: `const fallback = "en";
function t(key, lang = fallback) {
  var fallback = "de";
  return lang + ":" + key + ":" + fallback;
}
export const commands = { t: () => t("hi") };
`,
    before: { t: "en:hi:de" },
    steps: [
      {
        // A parameter default reads the module's constant, not the body's var of the same name.
        replace: [['const fallback = "en";', 'const fallback = "fr";']],
        outcome: "applied",
        entries: ["fallback updated constant-readers"],
        asks: { t: "fr:hi:de" },
      },
    ],
  },
  {
    name: "poller",
    source: `const retry = 3;
const countdown = function retry(n) {
  return n > 0 ? retry(n - 1) + 1 : 0;
};
const budget = () => countdown(retry);
export const commands = { budget: () => budget() };
`,
    before: { budget: 3 },
    steps: [
      {
        replace: [["const retry = 3;", "const retry = 5;"]],
        outcome: "applied",
        entries: ["retry updated constant-readers"],
        asks: { budget: 5 },
      },
      {
        replace: [["retry(n - 1) + 1", "retry(n - 1) + 2"]],
        outcome: "applied",
        entries: ["retry updated"],
        asks: { budget: 10 },
      },
    ],
  },
  {
    name: "loggers",
    source: `const prefix = "[app]";
function makeLogger(tag) {
  let lines = 0;
  return function log(message) {
    for (const prefix of ["~"]) void prefix;
    lines++;
    return prefix + tag + " " + message + " " + lines;
  };
}
const log = makeLogger("#");
export const commands = { log: () => log("hi") };
`,
    before: { log: "[app]# hi 1" },
    steps: [
      {
        // The closure made at start-up runs the new code with its own tag and count.
        replace: [['" " + message + " "', '" " + message.toUpperCase() + " "']],
        outcome: "applied",
        entries: ["makeLogger.log updated"],
        asks: { log: "[app]# HI 2" },
      },
      {
        // The module's prefix, read by that closure (which also reads its factory's variables).
        replace: [['const prefix = "[app]";', 'const prefix = "[web]";']],
        outcome: "rejected",
        entries: ["prefix refused reader-not-updatable"],
        asks: { log: "[app]# HI 3" },
      },
    ],
  },
  {
    name: "buttons",
    source: `const label = "button";
function makeButtons(names) {
  const buttons = [];
  for (let i = 0; i < names.length; i++) {
    const label = names[i];
    buttons.push(() => i + ":" + label);
  }
  buttons.push(() => "all:" + label);
  return buttons;
}
const buttons = makeButtons(["ok", "cancel"]);
export const commands = { first: () => buttons[0](), second: () => buttons[1](), last: () => buttons[2]() };
`,
    before: { first: "0:ok", second: "1:cancel", last: "all:button" },
    steps: [
      {
        // Each closure of the loop keeps its own i and label.
        replace: [['i + ":" + label', 'i + "=" + label']],
        outcome: "applied",
        entries: ["makeButtons.buttons.push callback updated"],
        asks: { first: "0=ok", second: "1=cancel", last: "all:button" },
      },
      {
        replace: [['const label = "button";', 'const label = "btn";']],
        outcome: "applied",
        entries: ["label updated constant-readers"],
        asks: { first: "0=ok", last: "all:btn" },
      },
    ],
  },
  {
    // Issue 9 item 6: a constant exported by an export list (or assigned to exports) is refused for what it is.
    name: "exportlist",
    source: `const $cfg = { port: 80 };
function port() {
  return $cfg.port;
}
export { $cfg };
export const commands = { port: () => port() };
`,
    before: { port: 80, "*": "$cfg,commands" },
    steps: [
      {
        replace: [["const $cfg = { port: 80 };", "const $cfg = { port: 81 };"]],
        outcome: "rejected",
        entries: ["$cfg refused exported-constant"],
        asks: { port: 80 },
        cjs: { entries: ["$cfg refused read-by-top-level"] },
      },
    ],
  },
  {
    // Issue 9 item 6: a new export, as the importer sees it (an ES namespace cannot gain one).
    name: "extras",
    source: ADDER,
    before: { add: 3, "*": "add,commands" },
    steps: [NEW_EXPORT],
  },
  {
    // Issue 9 item 6: with accept(), a new export is seen by the importer (CommonJS), or said not to be.
    name: "accepting",
    source: `import.meta.hot.accept();\n${ADDER}`,
    before: { add: 3, "*": "add,commands" },
    steps: [NEW_EXPORT],
  },
  {
    name: "shop",
    source: `import express from "express";
const app = express();
app.get("/health", (req, res) => res.send("ok"));
app.use((req, res) => res.status(404).send("none"));
${EXPRESS_ASK}export const commands = { health: () => ask("/health"), about: () => ask("/about") };
`,
    before: { health: "200 ok", about: "404 none" },
    steps: [
      {
        replace: [['res.send("ok")', 'res.send("ok v2")']],
        outcome: "applied",
        entries: ['app.get("/health") handler updated'],
        asks: { health: "200 ok v2" },
      },
      {
        // A new route below the catch-all's registration: it runs, and it is said that it is not reached.
        replace: [
          [
            "app.use((req, res) => res.status(404)",
            'app.get("/about", (req, res) => res.send("about"));\napp.use((req, res) => res.status(404)',
          ],
        ],
        outcome: "applied",
        entries: ['app.get("/about", (req, res) => res.send("about")); running-old run-after'],
        asks: { about: "404 none", health: "200 ok v2" },
      },
    ],
  },
  {
    // Issue 9 item 6: a changed route in a module that accepts: not ✓ while the catch-all answers.
    name: "hotshop",
    source: `import express from "express";
import.meta.hot.accept();
const app = express();
app.get("/health", (req, res) => res.send("ok"));
app.use((req, res) => res.status(404).send("none"));
${EXPRESS_ASK}export const commands = { health: () => ask("/health"), healthz: () => ask("/healthz") };
`,
    before: { health: "200 ok", healthz: "404 none" },
    steps: [
      {
        replace: [['app.get("/health",', 'app.get("/healthz",']],
        outcome: "applied",
        entries: ['app.get("/healthz", (req, res) => res.send("ok")); running-old run-after'],
        asks: { healthz: "404 none" },
      },
    ],
  },
  {
    // A closure whose block declares the name it captured: only the captured one is its factory's.
    name: "clicks",
    source: `function makeCounter() {
  let count = 0;
  return () => {
    count++;
    {
      const count = "shadow";
      void count;
    }
    return count;
  };
}
const click = makeCounter();
export const commands = { click: () => click() };
`,
    before: { click: 1 },
    steps: [
      {
        replace: [["    count++;\n", "    count += 10;\n"]],
        outcome: "applied",
        entries: ["arrow in makeCounter updated"],
        asks: { click: 11 },
      },
    ],
  },
  {
    name: "router",
    source: `import express from "express";
const router = express.Router();
const users = [{ id: 1, name: "ann" }];
router.get("/users", (req, res) => res.json(users.map((u) => u.name)));
router.get("/users/:id", (req, res) => {
  const user = users.find((u) => u.id === Number(req.params.id));
  if (!user) {
    const message = "no user " + req.params.id;
    return res.status(404).send(message);
  }
  res.send(user.name);
});
const app = express();
app.use("/api", router);
${EXPRESS_ASK}export const commands = {
  list: () => ask("/api/users"),
  one: () => ask("/api/users/1"),
  missing: () => ask("/api/users/9"),
};
`,
    before: { list: '200 ["ann"]', one: "200 ann", missing: "404 no user 9" },
    steps: [
      {
        replace: [["res.send(user.name);", "res.send(user.name.toUpperCase());"]],
        outcome: "applied",
        entries: ['router.get("/users/:id") handler updated'],
        asks: { one: "200 ANN", list: '200 ["ann"]' },
      },
      {
        replace: [['const message = "no user "', 'const message = "unknown user "']],
        outcome: "applied",
        asks: { missing: "404 unknown user 9", one: "200 ANN" },
      },
    ],
  },
  {
    name: "inventory",
    source: `class Item {
  constructor(name, price) {
    this.name = name;
    this.price = price;
  }
  get label() {
    return this.name + " $" + this.price;
  }
  static of(name) {
    return new this(name, 10);
  }
}
class Sale extends Item {
  get label() {
    return super.label + " (sale)";
  }
  discount() {
    return this.price * 0.5;
  }
}
const item = Sale.of("hat");
export const commands = {
  label: () => item.label,
  discount: () => item.discount(),
  plain: () => Item.of("cap").label,
};
`,
    before: { label: "hat $10 (sale)", discount: 5, plain: "cap $10" },
    steps: [
      {
        replace: [['super.label + " (sale)"', 'super.label + " (on sale)"']],
        outcome: "applied",
        entries: ["Sale.label getter updated"],
        asks: { label: "hat $10 (on sale)" },
      },
      {
        replace: [["this.price * 0.5", "this.price * 0.25"]],
        outcome: "applied",
        entries: ["Sale.discount updated"],
        asks: { discount: 2.5 },
      },
      {
        replace: [["new this(name, 10)", "new this(name, 20)"]],
        outcome: "applied",
        entries: ["Item.of updated"],
        asks: { plain: "cap $20", label: "hat $10 (on sale)" },
      },
    ],
  },
  {
    name: "ticker",
    source: `let ticks = 0;
const waiting = [];
function tick() {
  ticks++;
  const label = "tick v1";
  while (waiting.length) waiting.shift()(label);
}
const timer = setInterval(tick, 5);
timer.unref();
export const commands = {
  next: () => new Promise((resolve) => waiting.push(resolve)),
  counting: () => ticks > 0,
};
`,
    before: { next: "tick v1", counting: true },
    steps: [
      {
        replace: [['"tick v1"', '"tick v2"']],
        outcome: "applied",
        entries: ["tick updated"],
        asks: { next: "tick v2", counting: true },
      },
    ],
  },
  {
    name: "orders",
    source: `import { EventEmitter } from "node:events";
class Orders extends EventEmitter {
  constructor() {
    super();
    this.log = [];
    this.on("placed", this.record.bind(this));
  }
  record(id) {
    this.log.push("placed " + id);
  }
}
const orders = new Orders();
export const commands = {
  place: () => {
    orders.emit("placed", orders.log.length + 1);
    return orders.log.at(-1);
  },
};
`,
    before: { place: "placed 1" },
    steps: [
      {
        // The bound listener registered by the constructor runs the new method.
        replace: [['this.log.push("placed " + id);', 'this.log.push("order " + id + " placed");']],
        outcome: "applied",
        entries: ["Orders.record updated"],
        asks: { place: "order 2 placed" },
      },
    ],
  },
  {
    name: "store",
    source: `function createStore() {
  const data = new Map();
  return {
    set(key, value) {
      data.set(key, value);
      return data.size;
    },
    get(key) {
      return data.get(key) ?? "none";
    },
    dump() {
      const out = [];
      for (const [key, value] of data) out.push(key + "=" + value);
      return out.join(",");
    },
  };
}
const store = createStore();
store.set("a", 1);
export const commands = { get: () => store.get("zz"), dump: () => store.dump(), add: () => store.set("b", 2) };
`,
    before: { get: "none", dump: "a=1" },
    steps: [
      {
        replace: [['data.get(key) ?? "none"', 'data.get(key) ?? "missing"']],
        outcome: "applied",
        asks: { get: "missing", add: 2, dump: "a=1,b=2" },
      },
      {
        replace: [['out.push(key + "=" + value)', 'out.push(key + ":" + value)']],
        outcome: "applied",
        asks: { dump: "a:1,b:2" },
      },
    ],
  },
  {
    name: "pipeline",
    source: `const trim = (s) => s.trim();
const lower = (s) => s.toLowerCase();
const steps = [trim, lower];
function clean(input) {
  return steps.reduce((value, step) => step(value), input);
}
export const commands = { clean: () => clean("  Hello ") };
`,
    before: { clean: "hello" },
    steps: [
      {
        replace: [["(s) => s.toLowerCase();", '(s) => s.toLowerCase().replace("h", "j");']],
        outcome: "applied",
        entries: ["lower updated"],
        asks: { clean: "jello" },
      },
    ],
  },
  {
    name: "machine",
    source: `let state = "idle";
function next(event) {
  switch (state) {
    case "idle":
      if (event === "start") state = "running";
      break;
    case "running": {
      const state = event === "stop" ? "idle" : "running";
      setState(state);
      break;
    }
  }
  return state;
}
function setState(value) {
  state = value;
}
export const commands = { start: () => next("start"), stop: () => next("stop") };
`,
    before: { start: "running", stop: "idle" },
    steps: [
      {
        replace: [["  return state;\n}", "  return state.toUpperCase();\n}"]],
        outcome: "applied",
        entries: ["next updated"],
        asks: { start: "RUNNING", stop: "IDLE" },
      },
    ],
  },
  {
    name: "scheduler",
    source: `class Scheduler {
  constructor() {
    this.done = [];
  }
  async run(name) {
    await new Promise((resolve) => setImmediate(resolve));
    this.done.push(name);
    return name + " done";
  }
}
const scheduler = new Scheduler();
export const commands = { run: () => scheduler.run("job"), count: () => scheduler.done.length };
`,
    before: { run: "job done", count: 1 },
    steps: [
      {
        replace: [['return name + " done";', 'return name + " finished";']],
        outcome: "applied",
        entries: ["Scheduler.run updated"],
        asks: { run: "job finished", count: 2 },
      },
    ],
  },
  {
    name: "units",
    source: `const unit = "kg";
const show = (value, unit = "g") => value + unit;
function weight(value) {
  return value + unit;
}
export const commands = { show: () => show(5), weight: () => weight(5) };
`,
    before: { show: "5g", weight: "5kg" },
    steps: [
      {
        replace: [['const unit = "kg";', 'const unit = "lb";']],
        outcome: "applied",
        entries: ["unit updated constant-readers"],
        asks: { show: "5g", weight: "5lb" },
      },
    ],
  },
  {
    name: "range",
    source: `class Range {
  constructor(n) {
    this.n = n;
  }
  *[Symbol.iterator]() {
    for (let i = 0; i < this.n; i++) yield i;
  }
}
const range = new Range(3);
export const commands = { list: () => [...range].join(",") };
`,
    before: { list: "0,1,2" },
    steps: [
      {
        replace: [["yield i;", "yield i * 10;"]],
        outcome: "applied",
        asks: { list: "0,10,20" },
      },
    ],
  },
  {
    name: "validators",
    source: `const validators = {
  email: (s) => s.includes("@"),
  short: (s) => s.length < 5,
};
function check(name, value) {
  return validators[name](value);
}
export const commands = { email: () => check("email", "a@b"), short: () => check("short", "abcdef") };
`,
    before: { email: true, short: false },
    steps: [
      {
        replace: [["s.length < 5", "s.length < 10"]],
        outcome: "applied",
        entries: ["validators.short updated"],
        asks: { short: true, email: true },
      },
    ],
  },
  {
    name: "levels",
    source: `const settings = { level: "info" };
let current;
{
  const settings = { level: "debug" };
  current = () => settings.level;
}
function level() {
  return settings.level;
}
export const commands = { level: () => level(), block: () => current() };
`,
    before: { level: "info", block: "debug" },
    steps: [
      {
        // The top-level block declares its own settings: it does not read the module's.
        replace: [['const settings = { level: "info" };', 'const settings = { level: "warn" };']],
        outcome: "applied",
        entries: ["settings updated constant-readers"],
        asks: { level: "warn", block: "debug" },
      },
    ],
  },
];
