import assert from "node:assert/strict";
import { test } from "node:test";
import { buildModel, type ModuleModel, parseModule } from "../src/runtimes/node/agent/model.js";
import { preamblePosition } from "../src/runtimes/node/agent/preamble-position.js";
import { reparse } from "../src/runtimes/node/agent/reparse.js";

/**
 * A patch re-parses only the statements an edit touched (reparse.ts) and rebuilds the model only
 * for them (model.ts pieces). Differential checks: for many random edits of a module, the partial
 * parse gives the same statements as a whole parse, and the same error when the edit breaks the
 * file; the model built on the previous one equals a model built from scratch.
 */

function sample(): string {
  let text = `import { a } from "./a.js";\nlet total = 0;\n`;
  for (let i = 0; i < 30; i++) {
    text += `export function f${i}(x, y = {}) {\n  const z = \`t\${x}\` + /r[e]/g.source;\n  total += x;\n  return [x, y].map((v) => v + 1); // c\n}\n\n`;
    text += `class C${i} extends Object {\n  #p = ${i};\n  m() {\n    return this.#p;\n  }\n}\n/* block */\n`;
    // Anonymous callbacks of the same call are numbered in order: keys after an added one move.
    if (i % 5 === 0) text += `setTimeout(() => total++);\nconst k${i} = [1].map((v) => v * ${i});\n`;
  }
  return text;
}

const random = (() => {
  let seed = 7;
  return (n: number) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return (seed >>> 8) % n; // the low bits of this generator repeat with a short period
  };
})();

/** Everything the patcher reads from a model, as comparable text. */
function describe(model: ModuleModel): string {
  const sorted = (names: Set<string>) => [...names].sort().join(",");
  return JSON.stringify({
    functions: model.functions.map((fn) => ({
      ...fn,
      node: [fn.node.start, fn.node.end, fn.node.loc.start.line, fn.node.loc.end.column],
      parent: fn.parent?.key,
      memberOf: fn.memberOf?.key,
      withinClass: fn.withinClass?.key,
      children: fn.children.map((c) => c.key),
      free: [...fn.free]
        .map(([name, origin]) => `${name} ${typeof origin === "object" ? origin.key : origin}`)
        .sort(),
    })),
    byKey: [...model.byKey].map(([key, fn]) => key === fn.key && model.functions.includes(fn)),
    classes: [...model.classes.values()].map((cls) => ({
      ...cls,
      node: [cls.node.start, cls.node.end, cls.node.loc.start.line],
    })),
    statements: model.statements.map((s) => ({
      ...s,
      node: s.node && [s.node.start, s.node.end],
      reads: sorted(s.reads),
    })),
    moduleNames: sorted(model.moduleNames),
    strict: model.strict,
    preambleAt: preamblePosition(model.source, model.program),
  });
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

test("a model built on the previous one equals a model built from scratch, over a chain of edits", () => {
  const pieces = [
    "\n",
    "\n\n\n",
    "x",
    "setTimeout(() => total++);\n",
    "const k99 = [2].map((v) => v);\n",
    "function f3b(q) { return q; }\n",
    "class D { n() { return 1; } }\n",
    "{ let inner = 1; }\n",
  ];
  let source = sample();
  let model = buildModel(source, true);
  let applied = 0;
  let spliced = 0;
  for (let k = 0; k < 300; k++) {
    // Whole statements inserted at the start of a line (so that most edits parse), text deleted,
    // or a digit changed (the common edit of a value inside a function).
    const from = random(source.length);
    const digit = source.slice(from).search(/\d/);
    const kind = digit >= 0 ? random(3) : random(2);
    const at = kind === 2 ? from + digit : source.lastIndexOf("\n", from) + 1;
    const text =
      kind === 0
        ? source.slice(0, at) + pieces[random(pieces.length)] + source.slice(at)
        : kind === 1
          ? source.slice(0, at) + source.slice(at + 1 + random(40))
          : source.slice(0, at) + String((Number(source[at]) + 1) % 10) + source.slice(at + 1);
    const previous = describe(model);
    let whole: string;
    try {
      whole = describe(buildModel(text, true));
    } catch {
      continue; // a broken edit: the partial parse's errors are the first test's business
    }
    const parsed = reparse(source, model.program, text, true);
    const next = buildModel(text, true, parsed.program, { previous: model, tailMoved: parsed.tailMoved });
    if (next.splice) spliced++;
    assert.equal(
      describe(next),
      whole,
      `edit ${k} at ${at}: ${JSON.stringify(text.slice(at - 30, at + 30))}`,
    );
    if (random(4) === 0) {
      // Not applied: the running model must be exactly as it was.
      parsed.restore();
      assert.equal(describe(model), previous, `edit ${k}: the previous model was changed`);
    } else {
      source = text;
      model = next;
      applied++;
    }
  }
  assert.ok(applied > 100, `${applied} edits applied`);
  // Both ways of building on the previous model were taken: splicing and reusing statements.
  assert.ok(spliced > 30 && spliced < 250, `${spliced} of 300 models spliced`);
});

test("an edit that renumbers the keys of later callbacks is not spliced", () => {
  // Callbacks are named by their call; the second `on("b")` is `on("b")#2`, and so on.
  const handlers = (first: string) =>
    `const bus = { on() {} };\nbus.on("${first}", () => 1);\nbus.on("b", () => 2);\n` +
    Array.from({ length: 6 }, (_, i) => `function filler${i}() {}\n`).join("") +
    `bus.on("b", () => 3);\n`;
  const source = handlers("a");
  const text = source.replace('"a"', '"b"');
  const model = buildModel(source, true);
  const parsed = reparse(source, model.program, text, true);
  const next = buildModel(text, true, parsed.program, { previous: model, tailMoved: parsed.tailMoved });
  assert.equal(describe(next), describe(buildModel(text, true)));
  assert.ok(next.functions.some((fn) => fn.key === 'bus.on("b")#3'));
});
