import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import type { PatchResult } from "../src/protocol/messages.js";
import { REPO } from "./helpers/hotframe.js";
import { AgentRun } from "./helpers/node-agent.js";
import { nodeBinaries } from "./helpers/node-versions.js";
import {
  commandLoop,
  imports,
  typed,
  edit,
  entryName,
  type Format as ProgramFormat,
  label,
  programDir,
  statusOf,
} from "./helpers/node-programs.js";

/**
 * Realistic programs and the edits users make every day (issue 9), each step judged by the
 * promise: after a save each change behaves as the new source says, or hotframe says it does not,
 * with the reason. Real node processes (the oldest and newest supported majors), real files
 * edited and sent as an editor save would, and what the program does afterwards, asked over HTTP.
 */

type Format = "cjs" | "esm";

/** A project of its own with express from this repository; `app` is its entry's text. */
function expressProject(format: Format, app: string): string {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), "hf-scenario-")));
  writeFileSync(
    join(dir, "package.json"),
    JSON.stringify({ type: format === "cjs" ? "commonjs" : "module" }),
  );
  mkdirSync(join(dir, "node_modules"));
  symlinkSync(join(REPO, "node_modules", "express"), join(dir, "node_modules", "express"));
  const entry = join(dir, format === "cjs" ? "app.js" : "app.mjs");
  writeFileSync(entry, app);
  return entry;
}

const expressImport = (format: Format) =>
  format === "cjs" ? 'const express = require("express");' : 'import express from "express";';

const LISTEN =
  'const server = app.listen(0, "127.0.0.1", () => console.log("listening " + server.address().port));\n';

/** A started express app and how to ask it. */
async function startApp(entry: string, node: string | undefined) {
  const run = await AgentRun.start(entry, { node });
  const port = Number(await run.until(() => run.stdout.match(/listening (\d+)\n/)?.[1], "listening"));
  const get = async (path: string) => {
    const response = await fetch(`http://127.0.0.1:${port}${path}`);
    return `${response.status} ${await response.text()}`;
  };
  return { run, get };
}

/** Every entry as `label status code`, sorted. */
function entries(result: PatchResult): string[] {
  return result.functions.map((f) => `${label(f)} ${f.status} ${f.code ?? ""}`.trim()).sort();
}

/** The versions these scenarios run on: the oldest and the newest major. */
const VERSIONS = nodeBinaries().filter(
  (n) => n.version === process.versions.node.split(".")[0] || n.version === "26",
);

for (const { version, path, skip } of VERSIONS) {
  for (const format of ["cjs", "esm"] as const) {
    describe(
      `node ${version} ${format}: top-level statements of an express app run without accept()`,
      { skip },
      () => {
        const SHOP = `${expressImport(format)}
const app = express();
app.locals.title = "Shop";
function lookup(key) {
  return key;
}
app.get("/health", (req, res) => res.send("ok"));
app.get("/item/:key", (req, res) => res.send(lookup(req.params.key)));
app.get("/title", (req, res) => res.send(app.locals.title));
${LISTEN}`;

        test("a new route, a new cache and its reader, a changed assignment, a changed route", async () => {
          const entry = expressProject(format, SHOP);
          const { run, get } = await startApp(entry, path);
          try {
            assert.equal(await get("/health"), "200 ok");

            // A new route: it runs, and answers.
            let result = await edit(run, entry, [
              ['app.get("/item', 'app.get("/about", (req, res) => res.send("about us"));\napp.get("/item'],
            ]);
            assert.equal(result.outcome, "applied", JSON.stringify(result));
            assert.deepEqual(
              entries(result).filter((e) => e.includes("/about")),
              ['app.get("/about", (req, res) => res.send("about us")); updated new-statement-run'],
            );
            assert.equal(await get("/about"), "200 about us");

            // A new `const cache = new Map()` and the function that reads it, in one save.
            result = await edit(run, entry, [
              [
                "function lookup(key) {\n  return key;",
                'const cache = new Map();\nfunction lookup(key) {\n  cache.set(key, (cache.get(key) ?? 0) + 1);\n  return key + ":" + cache.get(key);',
              ],
            ]);
            assert.equal(result.outcome, "applied", JSON.stringify(result));
            assert.ok(entries(result).includes("cache added"), JSON.stringify(result));
            assert.ok(entries(result).includes("lookup updated"), JSON.stringify(result));
            assert.equal(await get("/item/a"), "200 a:1");
            assert.equal(await get("/item/a"), "200 a:2", "the cache keeps its entries between requests");

            // A changed assignment runs again.
            result = await edit(run, entry, [['"Shop"', '"Shop v2"']]);
            assert.equal(result.outcome, "applied", JSON.stringify(result));
            assert.deepEqual(entries(result), ['app.locals.title = "Shop v2"; updated reassigned-statement']);
            assert.equal(await get("/title"), "200 Shop v2");
            assert.equal(await get("/item/a"), "200 a:3", "state is kept");

            // A changed route is not registered twice: refused, and the old route still answers.
            result = await edit(run, entry, [['app.get("/health"', 'app.get("/healthz"']]);
            assert.equal(result.outcome, "rejected", JSON.stringify(result));
            assert.deepEqual(entries(result), [
              'app.get("/healthz", (req, res) => res.send("ok")); refused top-level-not-rerun',
            ]);
            assert.equal(await get("/health"), "200 ok");
            assert.equal((await get("/healthz")).slice(0, 3), "404");

            // An unrelated save says the refusal again; the rest applies.
            result = await edit(run, entry, [['"about us"', '"about the shop"']]);
            assert.equal(result.outcome, "partial", JSON.stringify(result));
            assert.ok(
              entries(result).includes(
                'app.get("/healthz", (req, res) => res.send("ok")); refused top-level-not-rerun',
              ),
              JSON.stringify(result),
            );
            assert.equal(await get("/about"), "200 about the shop");
            assert.equal(await get("/item/a"), "200 a:4");
          } finally {
            run.kill();
          }
        });

        test("a new route above a 404 catch-all runs and says it is not reached", async () => {
          const entry = expressProject(
            format,
            SHOP.replace(LISTEN, `app.use((req, res) => res.status(404).send("none"));\n${LISTEN}`),
          );
          const { run, get } = await startApp(entry, path);
          try {
            const result = await edit(run, entry, [
              ['app.get("/title"', 'app.get("/new", (req, res) => res.send("new"));\napp.get("/title"'],
            ]);
            assert.equal(result.outcome, "applied", JSON.stringify(result));
            const entry0 = result.functions.find((f) => label(f).startsWith('app.get("/new"'));
            assert.equal(entry0?.status, "running-old", JSON.stringify(result));
            assert.equal(entry0?.code, "run-after");
            assert.match(entry0?.reason ?? "", /app\.use\(\(req, res\) => res\.status\(404\)/);
            assert.equal(await get("/new"), "404 none", "what the entry said: the catch-all answers first");
          } finally {
            run.kill();
          }
        });
      },
    );
  }
}

/** A module of the program's own that a save starts importing. */
function utilModule(format: ProgramFormat): [string, string] {
  const name = format === "cjs" ? "util.cjs" : format === "ts" ? "util.ts" : "util.mjs";
  const text =
    format === "cjs"
      ? 'exports.shout = (s) => s.toUpperCase() + "!";\n'
      : `${format === "ts" ? "export type Shout = string;\n" : ""}export function shout(s${format === "ts" ? ": string" : ""}) {\n  return s.toUpperCase() + "!";\n}\n`;
  return [name, text];
}

function importer(format: ProgramFormat): string {
  const head =
    format === "cjs"
      ? 'const { createInterface } = require("node:readline");\nconst { EventEmitter } = require("node:events");'
      : 'import { createInterface } from "node:readline";\nimport { EventEmitter } from "node:events";';
  return `${head}
function greet(name${format === "ts" ? ": string" : ""}) {
  return "hi " + name;
}
function facts() {
  return "none";
}
const commands${format === "ts" ? ": Record<string, () => unknown>" : ""} = {
  greet: () => greet("ann"),
  facts: () => facts(),
};
${commandLoop(format)}`;
}

for (const { version, path, skip } of VERSIONS) {
  for (const format of ["cjs", "esm", "ts"] as const) {
    test(
      `node ${version} ${format}: imports added (own module, node:fs, a package), removed, reordered`,
      { skip },
      async () => {
        const [utilName, utilText] = utilModule(format);
        const dir = programDir(format, { [entryName(format)]: importer(format), [utilName]: utilText });
        mkdirSync(join(dir, "node_modules"));
        symlinkSync(join(REPO, "node_modules", "express"), join(dir, "node_modules", "express"));
        const file = join(dir, entryName(format));
        const run = await AgentRun.start(file, { node: path });
        try {
          await run.output("ready");
          const utilSpec = format === "ts" ? "./util.js" : `./${utilName}`;
          const added =
            format === "cjs"
              ? `const { shout } = require("${utilSpec}");\nconst fs = require("node:fs");\nconst express = require("express");`
              : `import { shout } from "${utilSpec}";\nimport * as fs from "node:fs";\nimport express from "express";`;
          let result = await edit(run, file, [
            ["function greet(", `${added}\nfunction greet(`],
            ['return "hi " + name;', 'return shout("hi " + name);'],
            ['return "none";', "return [typeof fs.readFileSync, typeof express.Router];"],
          ]);
          assert.equal(result.outcome, "applied", JSON.stringify(result));
          assert.equal(statusOf(result, "greet"), "updated");
          assert.equal(await run.ask("greet"), "HI ANN!");
          assert.deepEqual(await run.ask("facts"), ["function", "function"]);

          // The module loaded for the patch is the program's own, instrumented: an edit of it applies.
          const util = join(dir, utilName);
          result = await edit(run, util, [['"!"', '"!!"']]);
          assert.equal(result.outcome, "applied", JSON.stringify(result));
          assert.equal(await run.ask("greet"), "HI ANN!!");

          // An unused import removed, the rest reordered: nothing is rejected, everything still runs.
          const text = readFileSync(file, "utf8");
          const lines = text.split("\n");
          const readline = lines[0] as string;
          const reordered = [lines[3], readline, lines[2], ...lines.slice(4)].join("\n");
          writeFileSync(file, reordered.replace(lines[1] as string, ""));
          result = await run.patch(file, readFileSync(file, "utf8"));
          assert.notEqual(result.outcome, "rejected", JSON.stringify(result));
          assert.equal(await run.ask("greet"), "HI ANN!!");
          assert.deepEqual(await run.ask("facts"), ["function", "function"]);

          if (format === "ts") {
            // A TypeScript inline type specifier is not an import of a value.
            result = await edit(run, file, [[`import { shout } from`, `import { shout, type Shout } from`]]);
            assert.notEqual(result.outcome, "rejected", JSON.stringify(result));
            assert.equal(await run.ask("greet"), "HI ANN!!");
          }
        } finally {
          run.kill();
        }
      },
    );
  }
}

function idProgram(format: ProgramFormat): string {
  const t = typed(format);
  return `${imports(format, { "node:readline": "createInterface" })}
let nextId = 1;
function make(name${t(": string")}, id = nextId++) {
  return name + id;
}
const tag = (s${t(": string")}, n = nextId++) => s + n;
function total(a${t(": number")}, b${t(": number")}) {
  return a + b;
}
const commands${t(": Record<string, () => unknown>")} = {
  make: () => make("a"),
  tag: () => tag("t"),
  total: () => Reflect.apply(total, undefined, [1, 2, 3]),
};
${commandLoop(format)}`;
}

for (const { version, path, skip } of VERSIONS) {
  for (const format of ["cjs", "esm", "ts"] as const) {
    test(
      `node ${version} ${format}: a patched function evaluates its default once per call; a gained parameter is passed`,
      { skip },
      async () => {
        const t = typed(format);
        const dir = programDir(format, { [entryName(format)]: idProgram(format) });
        const file = join(dir, entryName(format));
        const run = await AgentRun.start(file, { node: path });
        try {
          await run.output("ready");
          assert.equal(await run.ask("make"), "a1");
          assert.equal(await run.ask("tag"), "t2");
          const result = await edit(run, file, [
            ["return name + id;", 'return name + "#" + id;'],
            [`n = nextId++) => s + n`, `n = nextId++) => s + "#" + n`],
            [
              `b${t(": number")}) {\n  return a + b;`,
              `b${t(": number")}, c${t(": number")}) {\n  return a + b + c;`,
            ],
          ]);
          assert.equal(result.outcome, "applied", JSON.stringify(result));
          assert.equal(await run.ask("make"), "a#3", "one id per call");
          assert.equal(await run.ask("tag"), "t#4");
          assert.equal(await run.ask("make"), "a#5");
          assert.equal(await run.ask("total"), 6, "the new parameter gets its argument");
        } finally {
          run.kill();
        }
      },
    );
  }
}

function counterProgram(format: ProgramFormat): string {
  const t = typed(format);
  return `${imports(format, { "node:readline": "createInterface" })}
class Counter {
  #n = 0;
  inc() {
    this.#n++;
    return this.#n;
  }
  label() {
    return "counter";
  }
}
const counter = new Counter();
const commands${t(": Record<string, () => unknown>")} = {
  inc: () => counter.inc(),
  label: () => counter.label(),
};
${commandLoop(format)}`;
}

for (const { version, path, skip } of VERSIONS) {
  for (const format of ["cjs", "esm", "ts"] as const) {
    test(
      `node ${version} ${format}: a new #private method or field is refused with what uses it; the rest applies`,
      { skip },
      async () => {
        const dir = programDir(format, { [entryName(format)]: counterProgram(format) });
        const file = join(dir, entryName(format));
        const run = await AgentRun.start(file, { node: path });
        try {
          await run.output("ready");
          assert.equal(await run.ask("inc"), 1);
          let result = await edit(run, file, [
            [
              "  inc() {\n    this.#n++;",
              "  #bump() {\n    this.#n += 10;\n  }\n  inc() {\n    this.#bump();",
            ],
            ['return "counter";', 'return "counter v2";'],
          ]);
          assert.equal(result.outcome, "partial", JSON.stringify(result));
          assert.deepEqual(entries(result), [
            "Counter.#bump refused new-private-member",
            "Counter.inc refused depends-on-refused",
            "Counter.label updated",
          ]);
          assert.equal(
            await run.ask("inc"),
            2,
            "inc() runs as it ran: no SyntaxError, no half-applied class",
          );
          assert.equal(await run.ask("label"), "counter v2");

          // Back to what runs, then a new private field used by a method: the same.
          result = await edit(run, file, [
            [
              "  #bump() {\n    this.#n += 10;\n  }\n  inc() {\n    this.#bump();",
              "  #step = 5;\n  inc() {\n    this.#n += this.#step;",
            ],
          ]);
          assert.equal(result.outcome, "rejected", JSON.stringify(result));
          assert.deepEqual(entries(result), [
            "Counter refused construction-private",
            "Counter.inc refused depends-on-refused",
          ]);
          assert.equal(await run.ask("inc"), 3);
        } finally {
          run.kill();
        }
      },
    );
  }
}

for (const { version, path, skip } of VERSIONS) {
  test(`node ${version}: a timer keeps its state across an edit of what it runs`, { skip }, async () => {
    const format = "esm";
    const program = `let ticks = 0;
function tick() {
  ticks++;
  console.log("tick v1 " + ticks);
}
setInterval(tick, 5);
`;
    const dir = programDir(format, { [entryName(format)]: program });
    const file = join(dir, entryName(format));
    const run = await AgentRun.start(file, { node: path });
    try {
      await run.output("tick v1 2\n");
      const result = await edit(run, file, [['"tick v1 "', '"tick v2 "']]);
      assert.equal(result.outcome, "applied", JSON.stringify(result));
      const at = await run.output("tick v2 ");
      const count = Number(run.stdout.slice(at).match(/^\d+/)?.[0]);
      assert.ok(count > 2, `ticks counts on: ${count}`);
    } finally {
      run.kill();
    }
  });

  for (const format of ["cjs", "esm"] as const) {
    test(
      `node ${version} ${format}: an express middleware made by a factory at start-up runs its new code`,
      { skip },
      async () => {
        const entry = expressProject(
          format,
          `${expressImport(format)}
const app = express();
function tagger(tag) {
  return (req, res, next) => {
    res.set("x-tag", tag);
    next();
  };
}
app.use(tagger("api"));
app.get("/", (req, res) => res.send("ok"));
${LISTEN}`,
        );
        const { run } = await startApp(entry, path);
        const port = Number(run.stdout.match(/listening (\d+)\n/)?.[1]);
        const tag = async () => (await fetch(`http://127.0.0.1:${port}/`)).headers.get("x-tag");
        try {
          assert.equal(await tag(), "api");
          const result = await edit(run, entry, [
            ['res.set("x-tag", tag);', 'res.set("x-tag", tag + "-v2");'],
          ]);
          assert.equal(result.outcome, "applied", JSON.stringify(result));
          const closure = result.functions.find((f) => f.qualname === "arrow in tagger");
          assert.equal(closure?.status, "updated", JSON.stringify(result));
          assert.equal(await tag(), "api-v2", "the closure made at start-up runs the new code, with its tag");
          // Reading a variable of the factory it did not read before: it keeps the code it runs, and says so.
          const again = await edit(run, entry, [
            ["function tagger(tag) {", 'function tagger(tag) {\n  const suffix = "-v3";'],
            ['res.set("x-tag", tag + "-v2");', 'res.set("x-tag", tag + suffix);'],
          ]);
          const kept = again.functions.find((f) => f.qualname === "arrow in tagger");
          assert.equal(kept?.status, "running-old", JSON.stringify(again));
          assert.match(
            kept?.reason ?? "",
            /reads suffix of tagger, which closures created before the edit did not capture: they keep the old code/,
          );
          assert.equal(await tag(), "api-v2", "what the entry says: it runs the code it ran");
        } finally {
          run.kill();
        }
      },
    );
  }
}

/** A CommonJS library and the program that requires it (item 6 of issue 9). */
const LIBRARY = `function add(a, b) {
  return a + b;
}
function legacy(x) {
  return "legacy " + x;
}
function report(x) {
  return legacy(x);
}
module.exports = { add, report };
`;

const USER = `const { createInterface } = require("node:readline");
const lib = require("./lib.js");
const commands = {
  names: () => Object.keys(lib).join(","),
  twice: () => (lib.twice ? lib.twice(21) : "missing"),
};
${commandLoop("cjs")}`;

for (const { version, path, skip } of VERSIONS) {
  for (const accepting of [false, true]) {
    test(
      `node ${version} cjs${accepting ? ", module.hot.accept()" : ""}: a new export reaches the module that required the library`,
      { skip },
      async () => {
        const library = accepting ? `module.hot.accept();\n${LIBRARY}` : LIBRARY;
        const dir = programDir("cjs", { "lib.js": library, "main.js": USER });
        const run = await AgentRun.start(join(dir, "main.js"), { node: path });
        const file = join(dir, "lib.js");
        try {
          await run.output("ready\n");
          await run.until(
            () => run.messages.some((m) => m.type === "loaded" && m.file.endsWith("lib.js")),
            "lib.js loaded",
          );
          assert.equal(await run.ask("twice"), "missing");
          const result = await edit(run, file, [
            [
              "module.exports = { add, report };",
              "function twice(n) {\n  return n * 2;\n}\nmodule.exports = { add, report, twice };",
            ],
          ]);
          assert.equal(result.outcome, "applied", JSON.stringify(result));
          assert.equal(statusOf(result, "twice"), "added", JSON.stringify(result));
          assert.equal(await run.ask("twice"), 42, "the exports object the program holds has the new export");
          assert.equal(await run.ask("names"), "add,report,twice");
        } finally {
          run.kill();
        }
      },
    );
  }
}

for (const { version, path, skip } of VERSIONS) {
  test(
    `node ${version} esm: a new export is added, and a warning says that \`import * as\` does not see it`,
    { skip },
    async () => {
      const dir = programDir("esm", {
        "lib.mjs": "export function add(a, b) {\n  return a + b;\n}\n",
        "main.mjs": `import { createInterface } from "node:readline";
import * as lib from "./lib.mjs";
const commands = {
  twice: () => (lib.twice ? lib.twice(21) : "missing"),
};
${commandLoop("esm")}`,
      });
      const run = await AgentRun.start(join(dir, "main.mjs"), { node: path });
      const file = join(dir, "lib.mjs");
      try {
        await run.output("ready\n");
        const result = await edit(run, file, [
          ["export function add", "export function twice(n) {\n  return n * 2;\n}\nexport function add"],
        ]);
        assert.equal(result.outcome, "applied", JSON.stringify(result));
        assert.deepEqual(entries(result), ["twice added new-export-invisible"]);
        const warning = await run.until(
          () => run.messages.find((m) => m.type === "warning" && m.message.startsWith("twice: ")),
          "the warning",
        );
        assert.match(JSON.stringify(warning), /import \* as/);
        assert.equal(
          await run.ask("twice"),
          "missing",
          "what the warning says: the namespace does not have it",
        );
      } finally {
        run.kill();
      }
    },
  );
}
