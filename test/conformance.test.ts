import assert from "node:assert/strict";
import { mkdtempSync, realpathSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import {
  type FunctionOutcome,
  type PatchError,
  type PatchResult,
  PROTOCOL_VERSION,
  type RuntimeName,
} from "../src/protocol/messages.js";
import { AGENTS, type AgentUnderTest, type LiveProgram } from "./helpers/both-agents.js";

/**
 * The contract of docs/protocol.md, held for both agents: one table of edits, each written once
 * for Python and once for JavaScript with the same meaning, and the outcome both agents must give
 * (kinds, names, qualnames, statuses, lines, codes, error kinds), run over the real pipe against
 * real python3 and node processes. After each patch the program is asked for a value, so the
 * outcome is also checked against what the program does. Where a runtime legitimately differs, its
 * row says so in `differs`, and when the outcome differs too, gives each runtime its expectation.
 */

/** One entry the agent must list, as docs/protocol.md defines it (`reason` is free text). */
type Entry = Pick<FunctionOutcome, "kind" | "name" | "qualname" | "status" | "line"> & { code?: string };

interface Expected {
  outcome: PatchResult["outcome"];
  /** Exactly the entries listed, in any order. */
  functions: Entry[];
  error?: Pick<PatchError, "kind" | "code" | "line" | "column">;
  /** What the module's probe() returns after the patch. */
  probe?: unknown;
}

/** A module's text before (null: the program never loads it) and after the edit. */
interface Texts {
  before: string | null;
  after: string;
}

type Row =
  | {
      what: string;
      /** The module's name: a Python and a JavaScript identifier. */
      module: string;
      python: Texts;
      node: Texts;
      expect: Expected | Record<RuntimeName, Expected>;
      differs?: string;
    }
  | {
      what: string;
      /** Start the program with this HOTFRAME_PROTOCOL instead of PROTOCOL_VERSION. */
      protocol: number;
      expect: { exit: number; stderr: string };
    };

const PRICE_PY = `def price():
    return 1


def probe():
    return price()
`;

const PRICE_JS = `function price() {
    return 1;
}

export function probe() {
    return price();
}
`;

/** Top-level code that records what ran: a statement that binds nothing calls note(). */
const NOTES_PY = `NOTES = []


def note(*words):
    NOTES.append(" ".join(words))


def probe():
    return NOTES
`;

// New top-level statements run in any module (docs/node.md); no accept() is needed.
const NOTES_JS = `// The notes the program took.
const NOTES = [];

function note(...words) {
    NOTES.push(words.join(" "));
}

export function probe() {
    return NOTES;
}
`;

const ACCEPTS =
  "a Node module re-assigns a changed let only when it accepts updates: the JS text calls import.meta.hot.accept()";

/** waiter() is entered at load and that call never returns; probe() calls it without blocking. */
const WAITER_PY = `import threading


def waiter(block=True):
    if block:
        ENTERED.set()
        FOREVER.wait()
    return "old"


ENTERED = threading.Event()
FOREVER = threading.Event()
threading.Thread(target=waiter, daemon=True).start()
ENTERED.wait()


def probe():
    return waiter(False)
`;

const WAITER_JS = `const FOREVER = new Promise(() => {});


async function waiter(block = true) {
    if (block) await FOREVER;
    return "old";
}

waiter();

export function probe() {
    return waiter(false);
}
`;

const LONG_FIRST_LINE = `note(   "a statement whose first line is longer than sixty characters",`;

const TABLE: Row[] = [
  {
    what: "a function body edit",
    module: "body",
    python: { before: PRICE_PY, after: PRICE_PY.replace("return 1", "return 2") },
    node: { before: PRICE_JS, after: PRICE_JS.replace("return 1", "return 2") },
    expect: {
      outcome: "applied",
      functions: [{ kind: "function", name: "price", qualname: "price", status: "updated", line: 1 }],
      probe: 2,
    },
  },
  {
    what: "an added function",
    module: "added",
    python: {
      before: `def probe():\n    return "none"\n`,
      after: `def extra():\n    return "extra"\n\n\ndef probe():\n    return extra()\n`,
    },
    node: {
      before: `export function probe() {\n    return "none";\n}\n`,
      after: `function extra() {\n    return "extra";\n}\n\nexport function probe() {\n    return extra();\n}\n`,
    },
    expect: {
      outcome: "applied",
      functions: [
        { kind: "function", name: "extra", qualname: "extra", status: "added", line: 1 },
        { kind: "function", name: "probe", qualname: "probe", status: "updated", line: 5 },
      ],
      probe: "extra",
    },
  },
  {
    what: "a removed function (the line moves below it are not listed)",
    module: "removed",
    python: {
      before: `def legacy():\n    return "old"\n\n\ndef probe():\n    return "legacy" in globals()\n`,
      after: `def probe():\n    return "legacy" in globals()\n`,
    },
    node: {
      before: `function legacy() {\n    return "old";\n}\n\nexport function probe() {\n    return typeof legacy;\n}\n`,
      after: `export function probe() {\n    return typeof legacy;\n}\n`,
    },
    differs:
      "a JS module binding cannot be deleted: the removed function's name stays defined, so a removal that code still reads is refused (the function keeps running); Python deletes it from the module",
    expect: {
      python: {
        outcome: "applied",
        functions: [{ kind: "function", name: "legacy", qualname: "legacy", status: "removed", line: 1 }],
        probe: false,
      },
      node: {
        outcome: "rejected",
        functions: [
          {
            kind: "function",
            name: "legacy",
            qualname: "legacy",
            status: "refused",
            code: "removed-still-called",
            line: 1,
          },
        ],
        error: { kind: "refused", code: "removed-still-called" },
        probe: "function",
      },
    },
  },
  {
    what: "a changed constant",
    module: "constant",
    python: {
      before: `RATE = 1\n\n\ndef probe():\n    return RATE\n`,
      after: `RATE = 2\n\n\ndef probe():\n    return RATE\n`,
    },
    node: {
      before: `const RATE = 1;\n\nexport function probe() {\n    return RATE;\n}\n`,
      after: `const RATE = 2;\n\nexport function probe() {\n    return RATE;\n}\n`,
    },
    expect: {
      outcome: "applied",
      functions: [{ kind: "statement", name: "RATE", qualname: "<module>", status: "updated", line: 1 }],
      probe: 2,
    },
  },
  {
    what: "a changed statement that binds two names",
    module: "pair",
    python: {
      before: `a, b = 1, 2\n\n\ndef probe():\n    return [a, b]\n`,
      after: `a, b = 3, 4\n\n\ndef probe():\n    return [a, b]\n`,
    },
    node: {
      before: `let [a, b] = [1, 2];\n\nexport function probe() {\n    return [a, b];\n}\n\nimport.meta.hot.accept();\n`,
      after: `let [a, b] = [3, 4];\n\nexport function probe() {\n    return [a, b];\n}\n\nimport.meta.hot.accept();\n`,
    },
    differs: ACCEPTS,
    expect: {
      outcome: "applied",
      functions: [{ kind: "statement", name: "a, b", qualname: "<module>", status: "updated", line: 1 }],
      probe: [3, 4],
    },
  },
  {
    what: "a class method edit, seen by an instance made before it",
    module: "method",
    python: {
      before: `class Order:\n    def total(self):\n        return 1\n\n\nORDER = Order()\n\n\ndef probe():\n    return ORDER.total()\n`,
      after: `class Order:\n    def total(self):\n        return 2\n\n\nORDER = Order()\n\n\ndef probe():\n    return ORDER.total()\n`,
    },
    node: {
      before: `class Order {\n    total() {\n        return 1;\n    }\n}\n\nconst order = new Order();\n\nexport function probe() {\n    return order.total();\n}\n`,
      after: `class Order {\n    total() {\n        return 2;\n    }\n}\n\nconst order = new Order();\n\nexport function probe() {\n    return order.total();\n}\n`,
    },
    expect: {
      outcome: "applied",
      functions: [{ kind: "function", name: "total", qualname: "Order.total", status: "updated", line: 2 }],
      probe: 2,
    },
  },
  {
    what: "a new statement that binds nothing is named by its text",
    module: "notes",
    python: { before: NOTES_PY, after: `${NOTES_PY}\n\nnote("added")\n` },
    node: { before: NOTES_JS, after: `${NOTES_JS}\nnote("added")\n` },
    expect: {
      outcome: "applied",
      functions: [
        { kind: "statement", name: `note("added")`, qualname: "<module>", status: "updated", line: 12 },
      ],
      probe: ["added"],
    },
  },
  {
    what: "a statement's name is its first line, white space folded, cut to 60 characters",
    module: "longnote",
    python: { before: NOTES_PY, after: `${NOTES_PY}\n\n${LONG_FIRST_LINE}\n     "and a second line")\n` },
    node: { before: NOTES_JS, after: `${NOTES_JS}\n${LONG_FIRST_LINE}\n     "and a second line")\n` },
    expect: {
      outcome: "applied",
      functions: [
        {
          kind: "statement",
          name: `note( "a statement whose first line is longer than sixty ch…`,
          qualname: "<module>",
          status: "updated",
          line: 12,
        },
      ],
      probe: ["a statement whose first line is longer than sixty characters and a second line"],
    },
  },
  {
    what: "top-level code that raises changes nothing",
    module: "raises",
    python: {
      before: NOTES_PY,
      after: `${NOTES_PY.replace("return NOTES", `return "changed"`)}\n\nnote(None.words)\n`,
    },
    node: {
      before: NOTES_JS,
      after: `${NOTES_JS.replace("return NOTES", `return "changed"`)}\nnote(null.words)\n`,
    },
    expect: { outcome: "rejected", functions: [], error: { kind: "runtime", code: "runtime" }, probe: [] },
  },
  {
    what: "a function with a frame running it: that frame keeps the old code, new calls run the new",
    module: "running",
    python: { before: WAITER_PY, after: WAITER_PY.replace(`return "old"`, `return "new"`) },
    node: { before: WAITER_JS, after: WAITER_JS.replace(`return "old"`, `return "new"`) },
    differs: "the running frame is a blocked thread in Python, a call suspended in an await in Node",
    expect: {
      outcome: "applied",
      functions: [
        {
          kind: "function",
          name: "waiter",
          qualname: "waiter",
          status: "running-old",
          code: "running",
          line: 4,
        },
      ],
      probe: "new",
    },
  },
  {
    what: "a syntax error says where, and changes nothing",
    module: "syntax",
    python: {
      before: PRICE_PY,
      after: PRICE_PY.replace("return 1", "return 1 + * 2").replace("price()\n", "3\n"),
    },
    node: {
      before: PRICE_JS,
      after: PRICE_JS.replace("return 1", "return 1 + * 2").replace("price();", "3;"),
    },
    expect: {
      outcome: "rejected",
      functions: [],
      error: { kind: "syntax", code: "syntax", line: 2, column: 16 },
      probe: 1,
    },
  },
  {
    what: "an empty file changes nothing",
    module: "empty",
    python: { before: PRICE_PY, after: "" },
    node: { before: PRICE_JS, after: "" },
    expect: { outcome: "rejected", functions: [], error: { kind: "refused", code: "empty-file" }, probe: 1 },
  },
  {
    what: "a file of white space only is empty",
    module: "blank",
    python: { before: PRICE_PY, after: "\n  \n\t\n" },
    node: { before: PRICE_JS, after: "\n  \n\t\n" },
    expect: { outcome: "rejected", functions: [], error: { kind: "refused", code: "empty-file" }, probe: 1 },
  },
  {
    what: "a file the program never loaded",
    module: "unloaded",
    python: { before: null, after: PRICE_PY },
    node: { before: null, after: PRICE_JS },
    expect: { outcome: "rejected", functions: [], error: { kind: "refused", code: "unknown-file" } },
  },
  {
    what: "another protocol version is refused before any user code runs",
    protocol: PROTOCOL_VERSION + 97,
    expect: {
      exit: 2,
      stderr: `hotframe: this agent speaks protocol ${PROTOCOL_VERSION}, hotframe speaks ${PROTOCOL_VERSION + 97}: reinstall hotframe\n`,
    },
  },
];

/** A program holding the modules of `rows`: the loaded ones are imported by its entry. */
function writeProgram(agent: AgentUnderTest, rows: Row[]): string {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), `hf-conformance-${agent.runtime}-`)));
  const loaded: string[] = [];
  for (const row of rows) {
    if (!("module" in row)) continue;
    const { before, after } = row[agent.runtime];
    writeFileSync(join(dir, agent.module(row.module)), before ?? after);
    if (before !== null) loaded.push(row.module);
  }
  const entry = agent.entry(loaded);
  writeFileSync(join(dir, entry.file), entry.text);
  return dir;
}

/** The fields the contract fixes; `code` where it is required (a note's code on a live entry is free). */
function comparable(entries: readonly Entry[]): Entry[] {
  return entries
    .map(({ kind, name, qualname, status, line, code }) => ({
      kind,
      name,
      qualname,
      status,
      line,
      ...(status === "refused" || status === "running-old" ? { code } : {}),
    }))
    .sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || a.qualname.localeCompare(b.qualname));
}

function errorOf(error: PatchError | undefined, expected: Expected["error"]): Expected["error"] {
  if (!error || !expected) return error && { kind: error.kind, code: error.code };
  const { kind, code, line, column } = error;
  return {
    kind,
    code,
    ...("line" in expected ? { line } : {}),
    ...("column" in expected ? { column } : {}),
  };
}

for (const agent of AGENTS) {
  describe(`the ${agent.runtime} agent keeps the protocol`, () => {
    const dir = writeProgram(agent, TABLE);
    let program: LiveProgram;
    before(async () => {
      program = await agent.start(dir);
      for (const row of TABLE)
        if ("module" in row && row[agent.runtime].before !== null)
          await program.loaded(join(dir, agent.module(row.module)));
    });
    after(() => program?.kill());

    for (const row of TABLE) {
      test(row.what, async () => {
        if ("protocol" in row) {
          const end = await agent.runWithProtocol(writeProgram(agent, []), row.protocol);
          assert.deepEqual(
            { exit: end.code, stderr: end.stderr },
            row.expect,
            "exits with status 2 after one line on stderr",
          );
          assert.equal(end.stdout, "", "no user code ran");
          return;
        }
        if (!("outcome" in row.expect)) assert.ok(row.differs, "a row that expects per runtime says why");
        const expected: Expected = "outcome" in row.expect ? row.expect : row.expect[agent.runtime];
        const file = join(dir, agent.module(row.module));
        const source = row[agent.runtime].after;
        writeFileSync(file, source);
        const result = await program.patch(file, source);
        assert.deepEqual(
          {
            outcome: result.outcome,
            functions: comparable(result.functions),
            error: errorOf(result.error, expected.error),
          },
          { outcome: expected.outcome, functions: comparable(expected.functions), error: expected.error },
          `what the ${agent.runtime} agent answered: ${JSON.stringify(result)}`,
        );
        if ("probe" in expected) assert.deepEqual(await program.ask(row.module), expected.probe);
      });
    }
  });
}
