import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import type { PatchResult } from "../src/protocol/messages.js";
import { REPO } from "./helpers/hotframe.js";
import { AgentRun } from "./helpers/node-agent.js";
import { nodeBinaries } from "./helpers/node-versions.js";
import { label } from "./helpers/node-programs.js";
import { forProject, type Piece, SCOPE_PIECES, type Step } from "./helpers/scenario-pieces.js";

/**
 * One program of many modules, each a small realistic piece (a service class, a factory, a
 * listener, a timer, a config constant, …) with the edits users make every day, run on every Node
 * version, in CommonJS and ES modules, in projects with and without `"type"` in package.json
 * (issue 9). Each save is judged by the promise: the program then behaves as the new source says
 * (asked through its commands), or the entry says it does not, with its code.
 */

/** How a project is laid out: its package.json "type" (none: typeless) and its files' extension. */
interface Project {
  name: string;
  type: "commonjs" | "module" | undefined;
  ext: "js" | "cjs" | "mjs";
  esm: boolean;
}

const PROJECTS: Project[] = [
  { name: "CommonJS, no type", type: undefined, ext: "js", esm: false },
  { name: 'CommonJS, "type": "commonjs"', type: "commonjs", ext: "js", esm: false },
  { name: "ES modules (.mjs), no type", type: undefined, ext: "mjs", esm: true },
  { name: 'ES modules, "type": "module"', type: "module", ext: "js", esm: true },
];

const PIECES: Piece[] = [
  {
    name: "cart",
    source: `class Cart {
  constructor() {
    this.items = [];
  }
  add(price) {
    this.items.push(price);
    return this;
  }
  total() {
    return this.items.reduce((a, b) => a + b, 0);
  }
}
const cart = new Cart().add(10).add(5);
export const commands = {
  total: () => cart.total(),
  count: () => cart.items.length,
  fresh: () => new Cart().items.length,
};
`,
    before: { total: 15, count: 2, fresh: 0 },
    steps: [
      {
        replace: [
          [
            "return this.items.reduce((a, b) => a + b, 0);",
            "return this.items.reduce((a, b) => a + b, 0) * 2;",
          ],
        ],
        outcome: "applied",
        entries: ["Cart.total updated"],
        asks: { total: 30, count: 2 },
      },
      {
        replace: [
          ["  total() {", "  average() {\n    return this.total() / this.items.length;\n  }\n  total() {"],
        ],
        outcome: "applied",
        entries: ["Cart.average added"],
        asks: { total: 30 },
      },
      {
        replace: [["this.items = [];", "this.items = [1];"]],
        outcome: "applied",
        entries: ["Cart.constructor updated instances-built-before"],
        // The cart built before keeps its items; a new one is built by the new constructor.
        asks: { count: 2, total: 30, fresh: 1 },
      },
    ],
  },
  {
    name: "pricing",
    source: `const TAX_RATE = 0.1;
function withTax(price) {
  return Math.round(price * (1 + TAX_RATE) * 100) / 100;
}
export const commands = { price: () => withTax(100) };
`,
    before: { price: 110 },
    steps: [
      {
        replace: [["const TAX_RATE = 0.1;", "const TAX_RATE = 0.2;"]],
        outcome: "applied",
        entries: ["TAX_RATE updated constant-readers"],
        asks: { price: 120 },
      },
      {
        replace: [
          ["const TAX_RATE = 0.2;", "const TAX_RATE = 0.2;\nconst DISCOUNT = 5;"],
          ["return Math.round(", "return -DISCOUNT + Math.round("],
        ],
        outcome: "applied",
        entries: ["DISCOUNT added", "withTax updated"],
        asks: { price: 115 },
      },
    ],
  },
  {
    name: "counters",
    source: `function makeCounter(step) {
  let n = 0;
  return () => {
    n += step;
    return n;
  };
}
const early = makeCounter(1);
export const commands = { early: () => early(), fresh: () => makeCounter(1)() };
`,
    before: { early: 1, fresh: 1 },
    steps: [
      {
        replace: [["n += step;", "n += step * 10;"]],
        outcome: "applied",
        entries: ["arrow in makeCounter updated"],
        // The closure made before runs the new code with its own n (1 + 10); a new one too.
        asks: { early: 11, fresh: 10 },
      },
    ],
  },
  {
    name: "events",
    source: `import { EventEmitter } from "node:events";
const bus = new EventEmitter();
const seen = [];
function onOrder(id) {
  seen.push("order " + id);
}
bus.on("order", onOrder);
export const commands = {
  emit: () => {
    bus.emit("order", seen.length + 1);
    return seen.at(-1);
  },
};
`,
    before: { emit: "order 1" },
    steps: [
      {
        replace: [['seen.push("order " + id);', 'seen.push("order #" + id);']],
        outcome: "applied",
        entries: ["onOrder updated"],
        asks: { emit: "order #2" },
      },
    ],
  },
  {
    name: "ids",
    source: `let nextId = 1;
function create(name, id = nextId++) {
  return id + ":" + name;
}
export const commands = { create: () => create("a") };
`,
    before: { create: "1:a" },
    steps: [
      {
        replace: [['return id + ":" + name;', 'return id + "=" + name;']],
        outcome: "applied",
        entries: ["create updated"],
        // The default runs once per call after the patch too: no id is skipped.
        asks: { create: "2=a" },
      },
    ],
  },
  {
    name: "paths",
    source: `function where(file) {
  return "at " + file;
}
export const commands = { where: () => where("/srv/app/index.js") };
`,
    before: { where: "at /srv/app/index.js" },
    steps: [
      {
        replace: [
          ["function where(file) {", 'import { basename } from "node:path";\nfunction where(file) {'],
          ['return "at " + file;', 'return "at " + basename(file);'],
        ],
        outcome: "applied",
        entries: ["where updated"],
        asks: { where: "at index.js" },
      },
    ],
  },
  {
    name: "broken",
    source: `function greet(name) {
  return "hello " + name;
}
export const commands = { greet: () => greet("ann") };
`,
    before: { greet: "hello ann" },
    steps: [
      {
        replace: [['return "hello " + name;', 'return "hello " + name +;']],
        outcome: "rejected",
        asks: { greet: "hello ann" },
      },
      {
        replace: [['return "hello " + name +;', 'return "hi " + name;']],
        outcome: "applied",
        entries: ["greet updated"],
        asks: { greet: "hi ann" },
      },
    ],
  },
  {
    name: "legacy",
    source: `function legacy(x) {
  return "legacy " + x;
}
function report(x) {
  return legacy(x);
}
export const commands = { report: () => report(1) };
`,
    before: { report: "legacy 1" },
    steps: [
      {
        replace: [['function legacy(x) {\n  return "legacy " + x;\n}\n', ""]],
        outcome: "rejected",
        entries: ["legacy refused removed-still-called"],
        asks: { report: "legacy 1" },
      },
      {
        replace: [["return legacy(x);", 'return "report " + x;']],
        outcome: "applied",
        entries: ["legacy removed binding-stays", "report updated"],
        asks: { report: "report 1" },
      },
    ],
  },
  {
    name: "formatter",
    source: `const format = (value) => "[" + value + "]";
const shown = [1, 2].map(format);
export const commands = { format: () => format("x"), shown: () => shown.join("") };
`,
    before: { format: "[x]", shown: "[1][2]" },
    steps: [
      {
        replace: [
          ['const format = (value) => "[" + value + "]";', 'const format = (value) => "<" + value + ">";'],
        ],
        outcome: "applied",
        entries: ["format updated"],
        // What ran at start-up keeps its result; new calls run the new code.
        asks: { format: "<x>", shown: "[1][2]" },
      },
    ],
  },
  {
    name: "loader",
    source: `async function load(key) {
  await null;
  return "value of " + key;
}
export const commands = { load: () => load("k") };
`,
    before: { load: "value of k" },
    steps: [
      {
        replace: [['return "value of " + key;', 'return "loaded " + key;']],
        outcome: "applied",
        entries: ["load updated"],
        asks: { load: "loaded k" },
      },
    ],
  },
  {
    name: "temperature",
    source: `class Reading {
  constructor(celsius) {
    this.celsius = celsius;
  }
  get fahrenheit() {
    return this.celsius * 1.8 + 32;
  }
  static of(celsius) {
    return new Reading(celsius);
  }
}
const reading = Reading.of(100);
export const commands = { f: () => reading.fahrenheit, again: () => Reading.of(0).fahrenheit };
`,
    before: { f: 212, again: 32 },
    steps: [
      {
        replace: [["return this.celsius * 1.8 + 32;", "return Math.round(this.celsius * 1.8 + 32) + 0.5;"]],
        outcome: "applied",
        entries: ["Reading.fahrenheit getter updated"],
        asks: { f: 212.5, again: 32.5 },
      },
      {
        replace: [["return new Reading(celsius);", "return new Reading(celsius + 1);"]],
        outcome: "applied",
        entries: ["Reading.of updated"],
        asks: { again: 34.5 },
      },
    ],
  },
  {
    name: "limits",
    source: `let requests = 0;
function allow() {
  requests++;
  return requests <= 3;
}
export const commands = { allow: () => allow(), requests: () => requests };
`,
    before: { allow: true, requests: 1 },
    steps: [
      {
        replace: [
          ["let requests = 0;", "let requests = 100;"],
          ["return requests <= 3;", "return requests <= 5;"],
        ],
        outcome: "partial",
        entries: ["requests refused variable-keeps-value", "allow updated"],
        // The variable keeps its value (program state); the function runs its new code.
        asks: { allow: true, requests: 2 },
      },
    ],
  },
  {
    name: "routes",
    source: `const handlers = {
  list() {
    return "all users";
  },
  show(id) {
    return "user " + id;
  },
};
const table = { "/users": handlers.list, "/user": handlers.show };
export const commands = { list: () => table["/users"](), show: () => table["/user"](7) };
`,
    before: { list: "all users", show: "user 7" },
    steps: [
      {
        replace: [['return "user " + id;', 'return "user #" + id;']],
        outcome: "applied",
        entries: ["handlers.show updated"],
        // The table holds the method objects of start-up: they run the new code.
        asks: { show: "user #7", list: "all users" },
      },
    ],
  },
  {
    name: "registry",
    source: `const plugins = [];
function register(name) {
  plugins.push(name);
}
register("auth");
export const commands = { plugins: () => plugins.join(",") };
`,
    before: { plugins: "auth" },
    steps: [
      {
        replace: [['register("auth");', 'register("auth");\nregister("cache");']],
        outcome: "applied",
        entries: ['register("cache"); updated new-statement-run'],
        asks: { plugins: "auth,cache" },
      },
      {
        replace: [['register("auth");\n', 'register("auth2");\n']],
        outcome: "rejected",
        entries: ['register("auth2"); refused top-level-not-rerun'],
        // Not run twice: what ran stays.
        asks: { plugins: "auth,cache" },
      },
    ],
  },
  {
    name: "settings",
    source: `const config = { level: "debug" };
config.level = "warn";
function level() {
  return config.level;
}
export const commands = { level: () => level() };
`,
    before: { level: "warn" },
    steps: [
      {
        replace: [['config.level = "warn";', 'config.level = "info";']],
        outcome: "applied",
        entries: ['config.level = "info"; updated reassigned-statement'],
        asks: { level: "info" },
      },
    ],
  },
  {
    name: "sequence",
    source: `function* numbers(limit) {
  for (let i = 1; i <= limit; i++) yield i;
}
export const commands = { sum: () => [...numbers(4)].reduce((a, b) => a + b, 0) };
`,
    before: { sum: 10 },
    steps: [
      {
        replace: [
          ["for (let i = 1; i <= limit; i++) yield i;", "for (let i = 1; i <= limit; i++) yield i * i;"],
        ],
        outcome: "applied",
        entries: ["numbers updated"],
        asks: { sum: 30 },
      },
    ],
  },
  {
    name: "widget",
    source: `class Widget {
  label = "w";
  render = () => "<" + this.label + ">";
}
const widget = new Widget();
export const commands = {
  render: () => widget.render(),
  size: () => widget.size ?? "none",
  freshSize: () => new Widget().size ?? "none",
};
`,
    before: { render: "<w>", size: "none", freshSize: "none" },
    steps: [
      {
        replace: [['render = () => "<" + this.label + ">";', 'render = () => "[" + this.label + "]";']],
        outcome: "applied",
        entries: ["Widget.render updated"],
        // A class-field arrow of an existing instance runs the new code.
        asks: { render: "[w]" },
      },
      {
        replace: [['  label = "w";', '  label = "w";\n  size = 2;']],
        outcome: "applied",
        entries: ["Widget updated instances-built-before"],
        // A new field: new instances have it; the widget built before is said to lack it.
        asks: { render: "[w]", size: "none", freshSize: 2 },
      },
    ],
  },
  {
    name: "shapes",
    source: `function area(shape) {
  switch (shape.kind) {
    case "square":
      return shape.side * shape.side;
    default:
      return 0;
  }
}
export const commands = { circle: () => area({ kind: "circle", r: 1 }) };
`,
    before: { circle: 0 },
    steps: [
      {
        replace: [
          [
            "    default:\n",
            '    case "circle":\n      return Math.round(Math.PI * shape.r * shape.r * 100) / 100;\n    default:\n',
          ],
        ],
        outcome: "applied",
        entries: ["area updated"],
        asks: { circle: 3.14 },
      },
    ],
  },
  {
    name: "math",
    source: `function fib(n) {
  return n < 2 ? n : fib(n - 1) + fib(n - 2);
}
export const commands = { fib: () => fib(10) };
`,
    before: { fib: 55 },
    steps: [
      {
        replace: [
          ["return n < 2 ? n : fib(n - 1) + fib(n - 2);", "return n < 2 ? 1 : fib(n - 1) + fib(n - 2);"],
        ],
        outcome: "applied",
        entries: ["fib updated"],
        asks: { fib: 89 },
      },
    ],
  },
  {
    name: "slugs",
    source: `function slug(title) {
  return title.toLowerCase().replace(/\\s+/g, "-");
}
export const commands = { slug: () => slug("Hello  World!") };
`,
    before: { slug: "hello-world!" },
    steps: [
      {
        replace: [['.replace(/\\s+/g, "-");', '.replace(/[^a-z0-9]+/g, "-").replace(/-$/, "");']],
        outcome: "applied",
        entries: ["slug updated"],
        asks: { slug: "hello-world" },
      },
    ],
  },
  {
    name: "memo",
    source: `function square(n) {
  return n * n;
}
export const commands = { square: () => square(4) + square(4), size: () => (typeof memo === "undefined" ? 0 : memo.size) };
`,
    before: { square: 32, size: 0 },
    steps: [
      {
        replace: [
          [
            "function square(n) {\n  return n * n;",
            "const memo = new Map();\nfunction square(n) {\n  if (!memo.has(n)) memo.set(n, n * n);\n  return memo.get(n);",
          ],
        ],
        outcome: "applied",
        entries: ["memo added", "square updated"],
        asks: { square: 32 },
      },
    ],
  },
  {
    name: "account",
    source: `class Account {
  #balance = 0;
  deposit(amount) {
    this.#balance += amount;
    return this.#balance;
  }
}
const account = new Account();
export const commands = { deposit: () => account.deposit(10) };
`,
    before: { deposit: 10 },
    steps: [
      {
        replace: [["    this.#balance += amount;", "    this.#balance += amount * 2;"]],
        outcome: "applied",
        entries: ["Account.deposit updated"],
        asks: { deposit: 30 },
      },
      {
        replace: [["  deposit(amount) {", "  #audit() {\n    return 1;\n  }\n  deposit(amount) {"]],
        outcome: "rejected",
        entries: ["Account.#audit refused new-private-member"],
        asks: { deposit: 50 },
      },
      {
        replace: [["  #balance = 0;", '  #balance = 0;\n  owner = "me";']],
        outcome: "rejected",
        // Only the class itself can give an instance its #private fields.
        entries: ["Account refused construction-private", "Account.#audit refused new-private-member"],
        asks: { deposit: 70 },
      },
    ],
  },
  {
    name: "sessions",
    source: `class Session {
  constructor(user) {
    this.user = user;
  }
  describe() {
    return this.user;
  }
}
const early = new Session("ann");
export const commands = { early: () => early.describe(), fresh: () => new Session("bob").describe() };
`,
    before: { early: "ann", fresh: "bob" },
    steps: [
      {
        replace: [
          ["this.user = user;", 'this.user = user;\n    this.history = ["login"];'],
          ["return this.user;", 'return this.user + " " + this.history.length;'],
        ],
        outcome: "applied",
        entries: [
          "Session.constructor updated instances-built-before",
          "Session.describe updated needs-new-shape",
        ],
        // The session built before has no history: describe() runs its old code on it.
        asks: { early: "ann", fresh: "bob 1" },
      },
      {
        replace: [
          ['return this.user + " " + this.history.length;', 'return this.user + ": " + this.history.join();'],
        ],
        outcome: "applied",
        entries: ["Session.describe updated"],
        asks: { early: "ann", fresh: "bob: login" },
      },
      {
        // Lines added above: describe() is recompiled where it now is, and stays guarded.
        replace: [["class Session {", "// Sessions of signed-in users.\nclass Session {"]],
        outcome: "applied",
        asks: { early: "ann", fresh: "bob: login" },
      },
    ],
  },
  {
    name: "tickets",
    source: `let made = 0;
class Ticket {
  id = ++made;
  label() {
    return "T" + this.id;
  }
}
const first = new Ticket();
export const commands = { first: () => first.label(), next: () => new Ticket().label(), made: () => made };
`,
    before: { first: "T1", next: "T2", made: 2 },
    steps: [
      {
        replace: [
          ["  id = ++made;", '  id = ++made;\n  kind = "vip";'],
          ['return "T" + this.id;', "return this.kind + this.id;"],
        ],
        outcome: "applied",
        entries: ["Ticket updated instances-built-before", "Ticket.label updated needs-new-shape"],
        // The initializer with a side effect runs once per new ticket (made goes 2 → 3, not 4).
        asks: { first: "T1", next: "vip3", made: 3 },
      },
    ],
  },
  {
    name: "family",
    source: `class Person {
  constructor(name) {
    this.name = name;
  }
  hello() {
    return "hi " + this.name;
  }
}
class Loud extends Person {
  hello() {
    return super.hello().toUpperCase();
  }
}
class Admin extends Person {
  level = 1;
}
export const commands = {
  loud: () => new Loud("x").hello(),
  tag: () => new Loud("x").tag ?? "none",
  level: () => new Admin("a").level,
  admin: () => new Admin("a") instanceof Person,
};
`,
    before: { loud: "HI X", tag: "none", level: 1, admin: true },
    steps: [
      {
        replace: [["this.name = name;", 'this.name = name;\n    this.tag = "t";']],
        outcome: "applied",
        entries: ["Person.constructor updated instances-built-before"],
        // A subclass's super() builds with the new constructor too.
        asks: { loud: "HI X", tag: "t", admin: true },
      },
      {
        replace: [["  level = 1;", "  level = 2;"]],
        outcome: "rejected",
        entries: ["Admin refused construction-not-hooked"],
        asks: { level: 1 },
      },
    ],
  },
  {
    name: "taggers",
    source: `function tagger(name) {
  return (req, next) => {
    req.tags.push(name);
    next();
  };
}
const chain = [tagger("api"), tagger("v1")];
function run(middleware) {
  const req = { tags: [] };
  for (const m of middleware) m(req, () => req.tags.push("."));
  return req.tags.join("");
}
export const commands = { chain: () => run(chain), fresh: () => run([tagger("x")]) };
`,
    before: { chain: "api.v1.", fresh: "x." },
    steps: [
      {
        // Middleware made by a factory at start-up runs the new code, with the name it was made with.
        replace: [["req.tags.push(name);", "req.tags.push(name.toUpperCase());"]],
        outcome: "applied",
        entries: ["arrow in tagger updated"],
        asks: { chain: "API.V1.", fresh: "X." },
      },
      {
        // It now reads a variable of the factory it did not read: those made before keep their code.
        replace: [
          ["function tagger(name) {", 'function tagger(name) {\n  const prefix = "#";'],
          ["req.tags.push(name.toUpperCase());", "req.tags.push(prefix + name);"],
        ],
        outcome: "applied",
        entries: ["arrow in tagger running-old old-closures-keep-old-code", "tagger updated"],
        asks: { chain: "API.V1.", fresh: "#x." },
      },
    ],
  },
  {
    name: "middleware",
    source: `const greet = (req, res) => res.push("hello " + req);
const stack = [greet];
export const commands = {
  handle: () => {
    const out = [];
    stack[0]("ann", out, () => out.push("next"));
    return out.join(",");
  },
};
`,
    before: { handle: "hello ann" },
    steps: [
      {
        // An arrow gains a parameter: the one registered at start-up receives it.
        replace: [
          [
            'const greet = (req, res) => res.push("hello " + req);',
            'const greet = (req, res, next) => {\n  res.push("hi " + req);\n  next();\n};',
          ],
        ],
        outcome: "applied",
        entries: ["greet updated"],
        asks: { handle: "hi ann,next" },
      },
      {
        replace: [
          [
            'const greet = (req, res, next) => {\n  res.push("hi " + req);\n  next();\n};',
            "const greet = (req) => [req];",
          ],
        ],
        outcome: "applied",
        entries: ["greet updated"],
        asks: { handle: "" },
      },
    ],
  },
  ...SCOPE_PIECES,
];

/**
 * The program: every piece imported (its commands, and the module as an importer sees it: a
 * namespace, or the exports object), answering `piece.command` and `piece.*` (the names the
 * importer sees) on stdin.
 */
function mainOf(project: Project): string {
  const names = PIECES.map((p) => p.name);
  const load = project.esm
    ? `import { createInterface } from "node:readline";\n${names.map((n) => `import * as ${n} from "./${n}.${project.ext}";`).join("\n")}`
    : `const { createInterface } = require("node:readline");\n${names.map((n) => `const ${n} = require("./${n}.${project.ext}");`).join("\n")}`;
  return `${load}
const pieces = { ${names.join(", ")} };
createInterface({ input: process.stdin }).on("line", async (line) => {
  const [piece, command] = line.split(".");
  try {
    const module = pieces[piece];
    const value = command === "*" ? Object.keys(module).sort().join(",") : await module.commands[command]();
    console.log(\`\${line}=\${JSON.stringify(value)}\`);
  } catch (error) {
    console.log(\`\${line}!\${JSON.stringify(String(error))}\`);
  }
});
console.log("ready");
`;
}

/** A step as it is in this project (some say other things in CommonJS). */
const stepIn = (step: Step, project: Project): Step => (project.esm ? step : { ...step, ...step.cjs });

function projectDir(project: Project): string {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), "hf-project-")));
  writeFileSync(join(dir, "package.json"), JSON.stringify(project.type ? { type: project.type } : {}));
  mkdirSync(join(dir, "node_modules"));
  symlinkSync(join(REPO, "node_modules", "express"), join(dir, "node_modules", "express"));
  for (const piece of PIECES)
    writeFileSync(join(dir, `${piece.name}.${project.ext}`), forProject(piece.source, project.esm));
  writeFileSync(join(dir, `main.${project.ext}`), mainOf(project));
  return dir;
}

const described = (result: PatchResult) =>
  result.functions.flatMap((f) => [
    `${label(f)} ${f.status}`,
    `${label(f)} ${f.status} ${f.code ?? ""}`.trim(),
  ]);

for (const { version, path, skip } of nodeBinaries()) {
  for (const project of PROJECTS) {
    describe(`node ${version}, ${project.name}: everyday edits of a many-module program`, { skip }, () => {
      test(`${PIECES.length} pieces, ${PIECES.reduce((n, p) => n + p.steps.length, 0)} saves`, async () => {
        const dir = projectDir(project);
        const run = await AgentRun.start(join(dir, `main.${project.ext}`), { node: path });
        try {
          await run.output("ready\n");
          for (const piece of PIECES) {
            const file = join(dir, `${piece.name}.${project.ext}`);
            await run.until(
              () => run.messages.some((m) => m.type === "loaded" && m.file === file) || undefined,
              `${piece.name} loaded`,
            );
            for (const [command, value] of Object.entries(piece.before))
              assert.deepEqual(
                await run.ask(`${piece.name}.${command}`),
                value,
                `${piece.name}.${command} at start`,
              );
            for (const [i, written] of piece.steps.entries()) {
              const step = stepIn(written, project);
              let text = readFileSync(file, "utf8");
              for (const [from, to] of step.replace) {
                const before = forProject(from, project.esm);
                assert.ok(text.includes(before), `${piece.name} step ${i + 1}: ${before} not in the file`);
                text = text.replace(before, forProject(to, project.esm));
              }
              writeFileSync(file, text);
              const result = await run.patch(file, text);
              const where = `${piece.name} step ${i + 1}: ${JSON.stringify(result)}`;
              assert.equal(result.outcome, step.outcome, where);
              for (const entry of step.entries ?? [])
                assert.ok(described(result).includes(entry), `${entry} in ${where}`);
              for (const [command, value] of Object.entries(step.asks))
                assert.deepEqual(
                  await run.ask(`${piece.name}.${command}`),
                  value,
                  `${piece.name}.${command} after ${where}`,
                );
            }
          }
        } finally {
          run.kill();
        }
      });
    });
  }
}
