import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, realpathSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { AgentRun } from "./helpers/node-agent.js";
import { nodeBinaries } from "./helpers/node-versions.js";
import { edit } from "./helpers/node-programs.js";

/**
 * Every module a program loads is instrumented and patchable, however Node loads it: imported or
 * required, CommonJS or ES module (also an ES module loaded with require() and a CommonJS module
 * loaded with import), in packages with and without a "type" (where Node decides by syntax), on
 * every Node version (each loads modules through different paths: loader hooks on the loader
 * thread on 20, module.registerHooks on 22.15+, the CommonJS loader's own format detection).
 */

type PackageType = "none" | "commonjs" | "module";

interface Program {
  entry: string;
  /** The module the entry loads in its own format, and the one it loads in the other format. */
  same: string;
  other: string;
  files: Record<string, string>;
}

type Format = "cjs" | "esm";

/** Module texts by format: an entry loading `greet` (its format) and `twice` (the other one). */
const TEXTS: Record<
  Format,
  { entry: (same: string, other: string) => string; greet: string; twice: string }
> = {
  cjs: {
    entry: (same, other) =>
      `const { greet } = require("./${same}");\nconst { twice } = require("./${other}");\nconst { createInterface } = require("node:readline");\n`,
    greet: 'function greet() {\n  return "old";\n}\nmodule.exports = { greet };\n',
    twice: "function twice(n) {\n  return n * 2;\n}\nmodule.exports = { twice };\n",
  },
  esm: {
    entry: (same, other) =>
      `import { greet } from "./${same}";\nimport helper from "./${other}";\nconst { twice } = helper;\nimport { createInterface } from "node:readline";\n`,
    greet: 'export function greet() {\n  return "old";\n}\n',
    twice: "export function twice(n) {\n  return n * 2;\n}\n",
  },
};

const READ_LOOP = `createInterface({ input: process.stdin }).on("line", (line) => console.log(line + "=" + JSON.stringify(greet() + " " + twice(2))));
console.log("ready");
`;

/** A CommonJS or ES module program whose files carry the extensions this package type needs. */
function program(type: PackageType, format: Format): Program {
  // `.js` is a file's own format where the package type (or, without one, the syntax) says so.
  const js = (own: Format) =>
    type === "none" || (type === "commonjs") === (own === "cjs") ? ".js" : own === "cjs" ? ".cjs" : ".mjs";
  const otherFormat: Format = format === "cjs" ? "esm" : "cjs";
  const [entry, same, other] = [`main${js(format)}`, `greet${js(format)}`, `twice${js(otherFormat)}`];
  return {
    entry,
    same,
    other,
    files: {
      [entry]: TEXTS[format].entry(same, other) + READ_LOOP,
      [same]: TEXTS[format].greet,
      [other]: TEXTS[otherFormat].twice,
    },
  };
}

function write(type: PackageType, files: Record<string, string>): string {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), "hf-loader-")));
  writeFileSync(join(dir, "package.json"), JSON.stringify(type === "none" ? { name: "typeless" } : { type }));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

for (const { version, path, skip } of nodeBinaries()) {
  describe(`node ${version}: every loaded module is instrumented`, { skip }, () => {
    for (const type of ["none", "commonjs", "module"] as const) {
      for (const format of ["cjs", "esm"] as const) {
        test(`package type ${type}, ${format} entry: modules it requires and imports are loaded and patched`, async () => {
          const p = program(type, format);
          const dir = write(type, p.files);
          const run = await AgentRun.start(join(dir, p.entry), { node: path });
          try {
            await run.output("ready\n");
            for (const name of [p.entry, p.same, p.other]) await run.loaded(join(dir, name));
            assert.equal(await run.ask("answer"), "old 4");
            const greet = await edit(run, join(dir, p.same), [['"old"', '"new"']]);
            assert.equal(greet.outcome, "applied", JSON.stringify(greet));
            const twice = await edit(run, join(dir, p.other), [["n * 2", "n * 3"]]);
            assert.equal(twice.outcome, "applied", JSON.stringify(twice));
            assert.equal(await run.ask("answer"), "new 6");
            assert.doesNotMatch(run.stderr, /hotframe/);
          } finally {
            run.kill();
          }
        });
      }
    }

    // The load hook reads a user's ES module itself only when it is imported without attributes:
    // Node's own load checks them (a JavaScript module is no JSON).
    test("a user's ES module imported with import attributes fails as it does under plain node", async () => {
      const dir = write("none", {
        "greet.mjs": TEXTS.esm.greet,
        "main.mjs": `try {\n  await import("./greet.mjs", { with: { type: "json" } });\n  console.log("loaded");\n} catch (error) {\n  console.log(error.code);\n}\nconsole.log((await import("./greet.mjs")).greet());\n`,
      });
      const plain = execFileSync(path ?? process.execPath, [join(dir, "main.mjs")], { encoding: "utf8" });
      assert.match(plain, /^ERR_IMPORT_\w+\nold\n$/);
      const run = await AgentRun.start(join(dir, "main.mjs"), { node: path });
      assert.equal((await run.exited).code, 0, run.stderr);
      assert.equal(run.stdout, plain);
    });

    // Node names modules by their real paths unless told to keep symlinks; the agent then finds
    // the real path itself (the files it reports and patches are always real paths).
    for (const nodeOptions of [[], ["--preserve-symlinks"]]) {
      test(`a module imported and required through symlinks ${nodeOptions.join(" ") || "(Node resolves them)"} is patched as its real file`, async () => {
        const dir = write("none", {
          "main.mjs": `import { greet } from "./linked/greet.mjs";\nimport { createRequire } from "node:module";\nconst { twice } = createRequire(import.meta.url)("./linked/twice.cjs");\nimport { createInterface } from "node:readline";\n${READ_LOOP}`,
        });
        mkdirSync(join(dir, "real"));
        writeFileSync(join(dir, "real", "greet.mjs"), TEXTS.esm.greet);
        writeFileSync(join(dir, "real", "twice.cjs"), TEXTS.cjs.twice);
        symlinkSync(join(dir, "real"), join(dir, "linked"));
        const run = await AgentRun.start(join(dir, "main.mjs"), { node: path, nodeOptions });
        try {
          await run.output("ready\n");
          for (const name of ["greet.mjs", "twice.cjs"]) await run.loaded(join(dir, "real", name));
          const greet = await edit(run, join(dir, "real", "greet.mjs"), [['"old"', '"new"']]);
          assert.equal(greet.outcome, "applied", JSON.stringify(greet));
          const twice = await edit(run, join(dir, "real", "twice.cjs"), [["n * 2", "n * 3"]]);
          assert.equal(twice.outcome, "applied", JSON.stringify(twice));
          assert.equal(await run.ask("answer"), "new 6");
          assert.ok(!run.messages.some((m) => m.type === "loaded" && m.file.includes("linked")), run.stderr);
        } finally {
          run.kill();
        }
      });
    }
  });
}
