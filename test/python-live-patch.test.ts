import assert from "node:assert/strict";
import { readFileSync, realpathSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import type { FunctionOutcome, PatchResult } from "../src/protocol/messages.js";
import { AgentRun, copyFixture, pythons } from "./helpers/python-agent.js";

/**
 * The patch matrix of issue 2 item 4, against a live program: a thread calls into lib.py every
 * 2 ms while each edit is written to disk and patched in. After every edit the thread must see
 * the new behaviour and must never have seen an error. Runs on every real CPython found.
 */

interface Report {
  last: Record<string, unknown>;
  errors: number;
  first_error: string | null;
}

interface Step {
  what: string;
  edit: (text: string) => string;
  expect: Record<string, unknown>;
  outcome: PatchResult["outcome"];
  functions?: [string, FunctionOutcome["status"]][];
}

const STEPS: Step[] = [
  {
    what: "module-level function",
    edit: (t) => t.replace("round(x * RATE * k, 4)", "round(x * RATE * k + 1, 4)"),
    expect: { price: 3 },
    outcome: "applied",
    functions: [["price", "updated"]],
  },
  {
    what: "top-level statement re-run, state kept",
    edit: (t) => t.replace("RATE = 0.2", "RATE = 0.25"),
    expect: { price: 3.5 },
    outcome: "applied",
    functions: [["<module>", "updated"]],
  },
  {
    what: "changed default",
    edit: (t) => t.replace("def price(x, k=1):", "def price(x, k=2):"),
    expect: { price: 6 },
    outcome: "applied",
    functions: [["price", "updated"]],
  },
  {
    what: "closure created before the edit",
    edit: (t) => t.replace('"inner1"', '"inner2"'),
    expect: { inner: "inner2" },
    outcome: "applied",
    functions: [["make.<locals>.inner", "updated"]],
  },
  {
    what: "decorated with functools.wraps",
    edit: (t) => t.replace('"dw1"', '"dw2"'),
    expect: { dw: "dw2" },
    outcome: "applied",
    functions: [["dw", "updated"]],
  },
  {
    what: "decorated without functools.wraps",
    edit: (t) => t.replace('"dn1"', '"dn2"'),
    expect: { dn: "dn2" },
    outcome: "applied",
    functions: [["dn", "updated"]],
  },
  {
    what: "method through a bound method taken before, using a private name",
    edit: (t) => t.replace('return "total1"', 'return "total2" + self.__secret'),
    expect: { total: "total2!" },
    outcome: "applied",
    functions: [["Order.total", "updated"]],
  },
  {
    what: "static method, class method, property",
    edit: (t) => t.replace('"st1"', '"st2"').replace('"cm1"', '"cm2"').replace('"prop1"', '"prop2"'),
    expect: { st: "st2", cm: "cm2", prop: "prop2" },
    outcome: "applied",
    functions: [
      ["Order.st", "updated"],
      ["Order.cm", "updated"],
      ["Order.prop", "updated"],
    ],
  },
  {
    what: "a method that starts using super()",
    edit: (t) => t.replace('return "sub1"', 'return "sub2:" + super().total()'),
    expect: { sub: "sub2:total2!" },
    outcome: "applied",
    functions: [["Sub.total", "updated"]],
  },
  {
    what: "new function, method and class",
    edit: (t) =>
      t
        .replace(
          "    @staticmethod\n    def st():",
          "    def added(self):\n        return self.__secret * 2\n\n    @staticmethod\n    def st():",
        )
        .replace(
          "ORDER = Order()",
          'def extra():\n    return "extra"\n\n\nclass Fresh:\n    @staticmethod\n    def hello():\n        return "fresh"\n\n\nORDER = Order()',
        ),
    expect: { extra: "extra", method: "!!", fresh: "fresh" },
    outcome: "applied",
    functions: [
      ["Order.added", "added"],
      ["extra", "added"],
      ["Fresh", "added"],
    ],
  },
  {
    what: "removed function",
    edit: (t) => t.replace('def extra():\n    return "extra"\n', ""),
    expect: { extra: null },
    outcome: "applied",
    functions: [["extra", "removed"]],
  },
  {
    what: "syntax error changes nothing",
    edit: (t) => t.replace('return "dw2"', 'return ("dw3"'),
    expect: { dw: "dw2" },
    outcome: "rejected",
  },
  {
    what: "re-run statement that raises changes nothing",
    edit: (t) => t.replace('return ("dw3"', 'return "dw3"').replace("RATE = 0.25", "RATE = 0.25 / 0"),
    expect: { dw: "dw2", price: 6 },
    outcome: "rejected",
  },
];

for (const { version, path: python } of pythons()) {
  test(`live patch matrix with a thread calling every 2 ms (Python ${version})`, async () => {
    const dir = copyFixture("live");
    const lib = realpathSync(join(dir, "lib.py"));
    const run = new AgentRun({ cwd: dir, entry: ["app.py"], python });
    await run.stdoutLine(/^ready$/);
    await run.message((m) => m.type === "loaded" && m.file === lib);
    let text = readFileSync(lib, "utf8");
    let live = text; // the version running now
    let calls = 0;
    for (const step of STEPS) {
      text = step.edit(text);
      writeFileSync(lib, text);
      const result = await run.patch(lib, text);
      assert.equal(result.outcome, step.outcome, `${step.what}: ${JSON.stringify(result)}`);
      if (result.outcome !== "rejected") live = text;
      for (const [qualname, status] of step.functions ?? []) {
        assert.ok(
          result.functions.some((f) => f.qualname === qualname && f.status === status),
          `${step.what}: expected ${qualname} ${status} in ${JSON.stringify(result.functions)}`,
        );
      }
      const report = JSON.parse(await run.ask("report", /^\{/)) as Report;
      assert.equal(report.errors, 0, `${step.what}: the live thread saw ${report.first_error}`);
      for (const [key, value] of Object.entries(step.expect)) {
        assert.deepEqual(report.last[key], value, `${step.what}: ${key} in ${JSON.stringify(report.last)}`);
      }
      // CACHE = {} never re-ran: the thread's call counter only grows.
      assert.ok((report.last.calls as number) > calls, `${step.what}: module state was reset`);
      calls = report.last.calls as number;
    }
    // A burst: 30 patches back to back while the thread keeps calling; still no error.
    for (let i = 0; i < 30; i++) {
      const next = live.replace("round(x * RATE * k + 1, 4)", `round(x * RATE * k + ${i % 2 ? 1 : 2}, 4)`);
      const result = await run.patch(lib, next);
      assert.equal(result.outcome, "applied", JSON.stringify(result));
    }
    const afterBurst = JSON.parse(await run.ask("report", /^\{/)) as Report;
    assert.equal(afterBurst.errors, 0, `burst: the live thread saw ${afterBurst.first_error}`);
    assert.equal(afterBurst.last.price, 6);

    const syntax = await run.patch(lib, "def broken(:\n");
    assert.deepEqual(syntax.error, {
      kind: "syntax",
      code: "syntax",
      message: "invalid syntax",
      line: 1,
      column: 12,
    });

    // The main thread is inside serve(): its frame keeps the old code until it returns.
    const app = realpathSync(join(dir, "app.py"));
    const appText = readFileSync(app, "utf8").replace('return "serve1"', 'return "serve2"');
    writeFileSync(app, appText);
    const running = await run.patch(app, appText);
    const serve = running.functions.find((f) => f.qualname === "serve");
    assert.equal(serve?.status, "running-old", JSON.stringify(running));
    assert.match(
      serve?.reason ?? "",
      /running in thread MainThread: its new code applies from its next call/,
    );
    const end = await run.finish();
    assert.equal(end.code, 0, end.stderr);
    assert.equal(end.stderr, "", "nothing printed by hotframe, also at exit after patches");
  });
}
