import assert from "node:assert/strict";
import { test } from "node:test";
import { type TerminalOptions, TerminalReporter } from "../src/cli/terminal.js";
import type { FunctionOutcome } from "../src/protocol/messages.js";
import type { SessionEvent } from "../src/session/events.js";

/** Golden output: the lines the terminal prints for the given events, colour off. */
function lines(events: SessionEvent[], options: Partial<TerminalOptions> = {}): string[] {
  const out: string[] = [];
  const reporter = new TerminalReporter(
    { color: false, quiet: false, verbose: false, cwd: "/home/ada/shop", ...options },
    (line) => out.push(line),
  );
  for (const event of events) reporter.event(event);
  return out;
}

const time = "2026-12-01T10:00:00.000Z";
const FILE = "/home/ada/shop/app.py";

function edit(
  functions: FunctionOutcome[],
  outcome: "applied" | "partial" | "rejected" = "applied",
  extra: Partial<Extract<SessionEvent, { type: "edit" }>> = {},
): SessionEvent {
  return { type: "edit", file: FILE, outcome, functions, durationMs: 3.2, time, ...extra };
}

const fn = (qualname: string, status: FunctionOutcome["status"], more: Partial<FunctionOutcome> = {}) =>
  ({
    kind: "function",
    name: qualname.split(".").at(-1) ?? qualname,
    qualname,
    status,
    ...more,
  }) as FunctionOutcome;

test("an applied edit names each definition as the user writes it, by its kind", () => {
  assert.deepEqual(
    lines([
      edit([
        fn("price", "updated"),
        fn("Order.total", "updated"),
        { kind: "statement", name: "TAX_RATE", qualname: "<module>", status: "updated" },
        { kind: "statement", name: "LIMIT", qualname: "Order", status: "updated" },
        { kind: "statement", name: "a, b", qualname: "<module>", status: "updated" },
        { kind: "statement", name: 'app.get("/health", h)', qualname: "<module>", status: "updated" },
        fn('app.get("/users")', "updated"),
        fn("discount", "added"),
        { kind: "class", name: "Invoice", qualname: "Invoice", status: "added" },
        fn("make_counter.<locals>.inc", "removed"),
        fn("legacy", "removed"),
      ]),
    ]),
    [
      "✓ app.py  price() updated, Order.total() updated, TAX_RATE updated, Order.LIMIT updated, a, b updated, " +
        'app.get("/health", h) updated, app.get("/users") updated, new: discount(), Invoice, ' +
        "removed: make_counter.<locals>.inc(), legacy()  (3.2 ms)",
    ],
  );
});

test("Node qualnames: callbacks by their call, getters, anonymous functions by where they are, numbers last", () => {
  assert.deepEqual(
    lines([
      edit([
        fn("Greeter.wave", "updated"),
        fn("app.get('/users') handler", "updated"),
        fn("app.get('/users') handler #2", "updated"),
        fn("setInterval callback", "updated"),
        fn("[1, 2].map callback", "updated"),
        fn("arrow in makeCounter", "updated"),
        fn("arrow", "updated"),
        fn("Order.price getter", "updated"),
        fn("Order.#count", "updated"),
        fn("double #2", "updated"),
        fn("module.exports", "updated"),
        { kind: "statement", name: "TAX_RATE", qualname: "<module>", status: "updated" },
        { kind: "class", name: "default", qualname: "default", status: "updated" },
      ]),
    ]),
    [
      "✓ app.py  Greeter.wave() updated, app.get('/users') handler updated, app.get('/users') handler #2 updated, " +
        "setInterval callback updated, [1, 2].map callback updated, arrow in makeCounter() updated, arrow updated, " +
        "Order.price getter updated, Order.#count() updated, double() #2 updated, module.exports() updated, " +
        "TAX_RATE updated, default updated  (3.2 ms)",
    ],
  );
});

test("the headline is ✓ only when nothing runs old code", () => {
  assert.deepEqual(
    lines([
      edit([fn("tick", "updated"), fn("loop", "running-old", { code: "running", reason: "running now" })]),
    ]),
    ["⚠ app.py  tick() updated, loop() running old code  (3.2 ms)", "⚠ app.py  loop(): running now"],
  );
});

test("an edit that changed no code says so", () => {
  assert.deepEqual(lines([edit([])]), ["✓ app.py  no code changed  (3.2 ms)"]);
});

test("a partial edit: the applied part, then each refusal with its line", () => {
  assert.deepEqual(
    lines([
      edit(
        [
          fn("price", "updated"),
          {
            kind: "class",
            name: "Order",
            qualname: "Order",
            status: "refused",
            code: "bases-changed",
            reason: "its bases changed",
            line: 12,
          },
          {
            kind: "statement",
            name: "TAX_RATE",
            qualname: "<module>",
            status: "refused",
            code: "read-by-running",
            reason: "it is read by a running loop",
          },
        ],
        "partial",
      ),
    ]),
    [
      "⚠ app.py  price() updated  (3.2 ms)",
      "✗ app.py:12  Order not applied: its bases changed",
      "✗ app.py  TAX_RATE not applied: it is read by a running loop",
    ],
  );
});

test("a function running its old code is said after the summary", () => {
  assert.deepEqual(
    lines([
      edit([
        fn("main_loop", "running-old", {
          code: "running",
          reason: "running in thread MainThread: its new code applies from its next call",
        }),
        fn("other", "running-old", { code: "running" }),
      ]),
    ]),
    [
      "⚠ app.py  main_loop() running old code, other() running old code  (3.2 ms)",
      "⚠ app.py  main_loop(): running in thread MainThread: its new code applies from its next call",
      "⚠ app.py  other(): a frame running it keeps the old code; its new code applies from its next call",
    ],
  );
});

test("a rejected edit says where, why, that nothing changed, and shows the user's traceback", () => {
  assert.deepEqual(
    lines([
      edit([], "rejected", {
        error: { kind: "syntax", code: "syntax", message: "'(' was never closed", line: 42, column: 17 },
      }),
      edit([], "rejected", {
        error: {
          kind: "runtime",
          code: "runtime",
          message: "ZeroDivisionError: division by zero",
          line: 3,
          traceback:
            'Traceback (most recent call last):\n  File "app.py", line 3, in <module>\nZeroDivisionError: division by zero\n',
        },
      }),
      edit(
        [
          {
            kind: "class",
            name: "K",
            qualname: "K",
            status: "refused",
            code: "bases-changed",
            reason: "its bases changed",
          },
        ],
        "rejected",
        {
          error: { kind: "refused", code: "nothing-applied", message: "nothing could be applied" },
        },
      ),
    ]),
    [
      "✗ app.py:42:17  SyntaxError: '(' was never closed — nothing changed, the program runs the previous code",
      "✗ app.py:3  ZeroDivisionError: division by zero — nothing changed, the program runs the previous code",
      "    Traceback (most recent call last):",
      '      File "app.py", line 3, in <module>',
      "    ZeroDivisionError: division by zero",
      "✗ app.py  nothing could be applied — nothing changed, the program runs the previous code",
      "    K: its bases changed",
    ],
  );
});

test("start, warnings and exit; a file outside the current folder is shown in full", () => {
  assert.deepEqual(
    lines([
      { type: "started", runtime: "python", pid: 4242, root: "/home/ada/shop", time },
      { type: "warning", message: "__hotframe_after_patch__ raised: boom", file: FILE, time },
      { type: "warning", message: "unreadable message from the agent: x", time },
      { ...edit([fn("f", "added")]), file: "/elsewhere/lib.py" } as SessionEvent,
      { type: "exit", code: 0, signal: null, time },
    ]),
    [
      "hotframe: python pid 4242, watching /home/ada/shop",
      "⚠ app.py  __hotframe_after_patch__ raised: boom",
      "⚠ unreadable message from the agent: x",
      "✓ /elsewhere/lib.py  new: f()  (3.2 ms)",
    ],
  );
});

test("--quiet prints only what went wrong", () => {
  const events = [
    { type: "started", runtime: "node", pid: 1, root: "/r", time } as SessionEvent,
    edit([fn("price", "updated")]),
    edit([fn("loop", "running-old", { code: "running" })]),
    edit([fn("a", "updated"), fn("b", "refused", { reason: "no", line: 2 })], "partial"),
    edit([], "rejected", { error: { kind: "syntax", code: "syntax", message: "bad", line: 1 } }),
  ];
  assert.deepEqual(lines(events, { quiet: true }), [
    "⚠ app.py  a() updated  (3.2 ms)",
    "✗ app.py:2  b() not applied: no",
    "✗ app.py:1  SyntaxError: bad — nothing changed, the program runs the previous code",
  ]);
});

test("--verbose detail is printed only with --verbose; colour paints the symbols", () => {
  const out: string[] = [];
  const reporter = new TerminalReporter(
    { color: true, quiet: false, verbose: true, cwd: "/home/ada/shop" },
    (l) => out.push(l),
  );
  reporter.verbose("instrumented /home/ada/shop/app.py");
  reporter.event(edit([fn("price", "updated")]));
  assert.deepEqual(out, [
    "\x1b[2mhotframe: instrumented /home/ada/shop/app.py\x1b[0m",
    "\x1b[32m✓\x1b[0m app.py  price() updated  \x1b[2m(3.2 ms)\x1b[0m",
  ]);
  const quiet: string[] = [];
  new TerminalReporter({ color: false, quiet: false, verbose: false, cwd: "/" }, (l) =>
    quiet.push(l),
  ).verbose("x");
  assert.deepEqual(quiet, []);
});
