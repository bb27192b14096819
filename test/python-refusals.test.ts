import assert from "node:assert/strict";
import { renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import type { FunctionOutcome } from "../src/protocol/messages.js";
import { type EditEvent, HotframeRun, makeProject } from "./helpers/hotframe.js";
import { pythons } from "./helpers/python-agent.js";

/**
 * A refused edit stays reported. The diff base of each definition is the code the program is
 * running, not the last saved text: a definition refused by one save keeps its running version,
 * so every later save that still differs from it reports it refused again, with its reason, and
 * saving it back as it runs reports nothing for it. One case per kind of refusal, through the
 * real CLI and the events file, on every real CPython found.
 */

const PYTHONS = pythons();

const PROGRAM = `import functools
import sys


def tag(f):
    @functools.wraps(f)
    def w():
        return "tagged " + f()

    return w


def shout(f):
    @functools.wraps(f)
    def w():
        return f().upper()

    return w


class Base:
    def kind(self):
        return "base"


class Other:
    def kind(self):
        return "other"


class K(Base):
    def name(self):
        return "k1"


@tag
def decorated():
    return "d1"


def outer():
    a = "a1"

    def inner():
        return a

    return inner


INNER = outer()


def version():
    return "v1"


def answer(command):
    return {"k": lambda: K().name() + "/" + K().kind(), "decorated": decorated, "inner": INNER, "version": version}[command]()


if __name__ == "__main__":
    print("main v1", flush=True)

for line in sys.stdin:
    print(line.strip() + "=" + answer(line.strip()), flush=True)

AFTER = "after v1"
`;

interface Case {
  what: string;
  /** The edit that is refused: [running text, saved text]. */
  refused: [string, string];
  /** The refused entry: its qualname and name. */
  qualname: string;
  name: string;
  kind: FunctionOutcome["kind"];
  /** The reason's code in the agent's catalogue (reasons.py), and its text. */
  code: string;
  reason: RegExp;
  /** A command whose answer shows that the running version is kept. */
  probe?: [command: string, answer: string];
  /** Other entries the refused edit (and its revert) rightly reports as applied. */
  alongside?: [qualname: string, status: FunctionOutcome["status"]][];
}

const CASES: Case[] = [
  {
    what: "a class whose bases changed",
    refused: ["class K(Base):", "class K(Other):"],
    qualname: "K",
    name: "K",
    kind: "class",
    code: "bases-changed",
    reason: /its bases or decorators changed: restart the program/,
    probe: ["k", "k1/base"],
  },
  {
    what: "a function whose decorators changed",
    refused: ["@tag\ndef decorated", "@shout\ndef decorated"],
    qualname: "decorated",
    name: "decorated",
    kind: "function",
    code: "decorators-changed",
    reason: /its decorators changed: restart the program/,
    probe: ["decorated", "tagged d1"],
  },
  {
    what: "a closure whose free variables changed",
    refused: [
      '    a = "a1"\n\n    def inner():\n        return a\n',
      '    a = "a1"\n    b = "b1"\n\n    def inner():\n        return a + b\n',
    ],
    qualname: "outer.<locals>.inner",
    name: "inner",
    kind: "function",
    code: "closure-changed",
    reason: /its closure variables changed \(a -> a, b\)/,
    probe: ["inner", "a1"],
    // outer itself (a new local for inner) is updated: closures it creates from now on get it.
    alongside: [["outer", "updated"]],
  },
  {
    what: "an edited `if __name__ == '__main__'` block",
    refused: ['print("main v1"', 'print("main v2"'],
    qualname: "<module>",
    name: 'if __name__ == "__main__":',
    kind: "statement",
    code: "main-guard",
    reason: /runs once: restart the program/,
  },
  {
    what: "a top-level statement the running top-level loop has not reached",
    refused: ['AFTER = "after v1"', 'AFTER = "after v2"'],
    qualname: "<module>",
    name: "AFTER",
    kind: "statement",
    code: "module-running",
    reason: /the module's top-level code is still running .* it runs its old version/,
  },
  {
    what: "the removal of a function the running top-level loop calls",
    refused: [
      'def answer(command):\n    return {"k": lambda: K().name() + "/" + K().kind(), "decorated": decorated, "inner": INNER, "version": version}[command]()\n\n\nif __name__',
      "if __name__",
    ],
    qualname: "answer",
    name: "answer",
    kind: "function",
    code: "still-used",
    reason: /still used by code that keeps running/,
    probe: ["k", "k1/base"],
  },
];

/** Saved as editors do it atomically (a truncated file read half-way is another test's subject). */
async function save(run: HotframeRun, path: string, text: string): Promise<EditEvent> {
  const next = run.nextEdit();
  writeFileSync(`${path}.tmp`, text);
  renameSync(`${path}.tmp`, path);
  return next;
}

async function ask(run: HotframeRun, command: string): Promise<string> {
  const from = run.stdout.length;
  run.write(`${command}\n`);
  const line = await run.stdoutLine(new RegExp(`^${command}=`), from);
  return line.slice(command.length + 1);
}

function replaced(text: string, from: string, to: string): string {
  assert.ok(text.includes(from), `${JSON.stringify(from)} is in the program`);
  return text.replace(from, to);
}

for (const { version, path: python } of PYTHONS) {
  for (const c of CASES) {
    test(`refused, reported on every save until it is saved back as it runs (Python ${version}): ${c.what}`, async () => {
      const dir = makeProject({ "app.py": PROGRAM });
      const app = join(dir, "app.py");
      const run = new HotframeRun(dir, ["--python", python, "app.py"]);
      await run.stdoutLine(/^main v1$/);
      const [running, saved] = c.refused;
      const entries = (event: EditEvent) =>
        event.functions.filter((f) => f.qualname === c.qualname && f.name === c.name);
      const others = (event: EditEvent) =>
        event.functions
          .filter((f) => !(f.qualname === c.qualname && f.name === c.name))
          .map((f) => [f.qualname, f.status]);
      const assertRefused = (event: EditEvent, step: string) => {
        assert.equal(event.outcome, "partial", `${step}: ${JSON.stringify(event)}`);
        const [entry, ...more] = entries(event);
        assert.equal(entry?.status, "refused", `${step}: ${JSON.stringify(event.functions)}`);
        assert.deepEqual([entry?.kind, entry?.code], [c.kind, c.code], step);
        assert.match(entry?.reason ?? "", c.reason, step);
        assert.deepEqual(more, [], step);
      };

      // 1. The refused edit, saved with one that applies.
      const first = replaced(replaced(PROGRAM, running, saved), '"v1"', '"v2"');
      const one = await save(run, app, first);
      assertRefused(one, "the save that is refused");
      assert.deepEqual(others(one), [...(c.alongside ?? []), ["version", "updated"]]);
      assert.equal(await ask(run, "version"), "v2");
      if (c.probe) assert.equal(await ask(run, c.probe[0]), c.probe[1], "the running version is kept");

      // 2. A later save that leaves it as it is (and moves every line): it is still not running.
      const second = `# moved one line down\n${replaced(first, '"v2"', '"v3"')}`;
      const two = await save(run, app, second);
      assertRefused(two, "a later save");
      assert.deepEqual(others(two), [["version", "updated"]]);
      assert.equal(await ask(run, "version"), "v3");

      // 3. Saved back as it runs: nothing to say about it (neither updated nor added).
      const third = replaced(replaced(second, saved, running), '"v3"', '"v4"');
      const three = await save(run, app, third);
      assert.equal(three.outcome, "applied", JSON.stringify(three));
      assert.deepEqual(entries(three), [], JSON.stringify(three.functions));
      assert.deepEqual(others(three), [...(c.alongside ?? []), ["version", "updated"]]);
      assert.equal(await ask(run, "version"), "v4");
      if (c.probe) assert.equal(await ask(run, c.probe[0]), c.probe[1]);

      // 4. And it stays that way.
      const four = await save(run, app, replaced(third, '"v4"', '"v5"'));
      assert.equal(four.outcome, "applied", JSON.stringify(four));
      assert.deepEqual(
        four.functions.map((f) => [f.qualname, f.status]),
        [["version", "updated"]],
      );

      run.child.stdin?.end();
      assert.deepEqual(await run.ended(), { code: 0, signal: null });
    });
  }
}

test("a method that starts using super() while a bound method of it is held: every later edit applies", async () => {
  const program = `import sys


class A:
    def f(self):
        return "A"


class B(A):
    def f(self):
        return "B1"


BOUND = B().f
for line in sys.stdin:
    print(line.strip() + "=" + B().f(), flush=True)
`;
  const dir = makeProject({ "app.py": program });
  const app = join(dir, "app.py");
  const run = new HotframeRun(dir, ["app.py"]);
  assert.equal(await ask(run, "f"), "B1");
  let text = program;
  for (const [from, to, answer] of [
    ['"B1"', '"B2" + super().f()', "B2A"],
    ['"B2"', '"B3"', "B3A"],
    ['"B3" + super().f()', '"B4"', "B4"],
    ['"B4"', '"B5"', "B5"],
  ] as const) {
    text = replaced(text, from, to);
    const event = await save(run, app, text);
    assert.equal(event.outcome, "applied", JSON.stringify(event));
    assert.deepEqual(
      event.functions.map((f) => [f.qualname, f.status]),
      [["B.f", "updated"]],
    );
    assert.equal(await ask(run, "f"), answer);
  }
  run.child.stdin?.end();
  assert.deepEqual(await run.ended(), { code: 0, signal: null });
});

test("closures created before and after their enclosing function was updated: an edit they cannot all take is refused", async () => {
  const program = `import sys


def outer():
    a = "a"

    def inner():
        return a

    return inner


FIRST = outer()
LATEST = [FIRST]
for line in sys.stdin:
    LATEST.append(outer())
    print(line.strip() + "=" + FIRST() + " " + LATEST[-1](), flush=True)
`;
  const dir = makeProject({ "app.py": program });
  const app = join(dir, "app.py");
  const run = new HotframeRun(dir, ["app.py"]);
  assert.equal(await ask(run, "x"), "a a");
  const withB = replaced(
    replaced(program, '    a = "a"\n', '    a = "a"\n    b = "b"\n'),
    "return a\n",
    "return a + b\n",
  );
  const one = await save(run, app, withB);
  assert.equal(one.outcome, "partial", JSON.stringify(one));
  assert.deepEqual(
    one.functions.map((f) => [f.qualname, f.status]),
    [
      ["outer", "updated"],
      ["outer.<locals>.inner", "refused"],
    ],
  );
  // FIRST was created before the edit; the closure created now has a cell for b.
  assert.equal(await ask(run, "x"), "a ab");
  // Back to a closure of a alone: FIRST could take it, the closures with b cannot.
  const two = await save(run, app, replaced(program, "return a\n", 'return a + "2"\n'));
  assert.equal(two.outcome, "partial", JSON.stringify(two));
  const inner = two.functions.find((f) => f.qualname === "outer.<locals>.inner");
  assert.equal(inner?.status, "refused", JSON.stringify(two.functions));
  assert.match(inner?.reason ?? "", /closure variables changed \(a, b -> a\)/);
  assert.equal(await ask(run, "x"), "a a2");
  run.child.stdin?.end();
  assert.deepEqual(await run.ended(), { code: 0, signal: null });
});
