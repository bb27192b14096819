import assert from "node:assert/strict";
import { test } from "node:test";
import { buildModel, parseModule } from "../src/runtimes/node/agent/model.js";
import { reparse } from "../src/runtimes/node/agent/reparse.js";

/**
 * A patch re-parses only the statements an edit touched (reparse.ts). Differential check: for
 * many random edits of a module, the partial parse gives the same statements as a whole parse,
 * and the same error when the edit breaks the file.
 */

function sample(): string {
  let text = `import { a } from "./a.js";\nlet total = 0;\n`;
  for (let i = 0; i < 30; i++) {
    text += `export function f${i}(x, y = {}) {\n  const z = \`t\${x}\` + /r[e]/g.source;\n  total += x;\n  return [x, y].map((v) => v + 1); // c\n}\n\n`;
    text += `class C${i} extends Object {\n  #p = ${i};\n  m() {\n    return this.#p;\n  }\n}\n/* block */\n`;
  }
  return text;
}

test("a partial re-parse equals a whole parse, errors included", () => {
  const base = sample();
  const before = parseModule(base, true);
  const pristine = JSON.stringify(before);
  const pieces = [
    "\n",
    ";",
    "}",
    "{",
    "x",
    " ",
    "//c\n",
    "/*",
    "`",
    "'",
    "(",
    ")",
    "function f3(){}\n",
    "a\n(b)",
    "let total;\n",
  ];
  let seed = 7;
  const random = (n: number) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  const outcome = (parse: () => unknown) => {
    try {
      const program = parse() as { body: unknown };
      return JSON.stringify(program.body);
    } catch (error) {
      return `error: ${(error as Error).message}`;
    }
  };
  for (let k = 0; k < 600; k++) {
    const at = random(base.length);
    const text = random(2)
      ? base.slice(0, at) + pieces[random(pieces.length)] + base.slice(at)
      : base.slice(0, at) + base.slice(at + 1 + random(20));
    const whole = outcome(() => {
      const program = parseModule(text, true);
      buildModel(text, true, program);
      return program;
    });
    let restore = () => {};
    const partial = outcome(() => {
      const parsed = reparse(base, before, text, true);
      restore = parsed.restore;
      buildModel(text, true, parsed.program);
      return parsed.program;
    });
    restore(); // the old parse is reused by the next edit, as after a patch that was not applied
    assert.equal(partial, whole, `edit at ${at}: ${JSON.stringify(text.slice(at - 30, at + 30))}`);
  }
  assert.equal(JSON.stringify(before), pristine, "the old parse is intact after every restore");
});
