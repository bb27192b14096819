import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import {
  CONTROLLER_REASONS,
  fileDeleted,
  fileUnreadable,
  notUtf8,
  programExited,
  rejected,
} from "../src/protocol/results.js";
import { readSource } from "../src/session/read-source.js";
import { resultFaults } from "./helpers/protocol-check.js";
import { REPO } from "./helpers/python-paths.js";
import { checkedInSchema, generateProtocolSchema } from "./helpers/protocol-schema.js";

/**
 * The protocol's JSON Schema is what the types of src/protocol/messages.ts say, it holds what the
 * contract requires, and every result the controller builds itself (src/protocol/results.ts) keeps
 * it, with the codes docs/protocol.md lists.
 */

test("docs/protocol.schema.json is generated from src/protocol/messages.ts", () => {
  assert.equal(
    checkedInSchema(),
    generateProtocolSchema(),
    "stale: run `node dist/test/helpers/protocol-schema.js` after `npx tsc`",
  );
});

const entry = { kind: "function", name: "total", qualname: "Order.total", status: "updated", line: 3 };
const error = { kind: "syntax", code: "syntax", message: "invalid syntax", line: 2, column: 16 };

test("the schema holds what the contract requires", () => {
  assert.deepEqual(resultFaults({ outcome: "applied", functions: [entry] }), []);
  assert.deepEqual(resultFaults({ outcome: "rejected", functions: [], error }), []);
  const refused = { ...entry, status: "refused", code: "captured", reason: "it reads a local of make()" };
  assert.deepEqual(resultFaults({ outcome: "partial", functions: [refused] }), []);

  const faults: [string, unknown, RegExp][] = [
    ["an entry without kind", { outcome: "applied", functions: [{ ...entry, kind: undefined }] }, /'kind'/],
    [
      "a refused entry without code",
      { outcome: "partial", functions: [{ ...refused, code: undefined }] },
      /'code'/,
    ],
    [
      "a running-old entry without reason",
      { outcome: "applied", functions: [{ ...entry, status: "running-old", code: "running" }] },
      /'reason'/,
    ],
    [
      "an error without code",
      { outcome: "rejected", functions: [], error: { ...error, code: undefined } },
      /'code'/,
    ],
    ["a rejection without error", { outcome: "rejected", functions: [] }, /'error'/],
    [
      "a code that is not kebab-case",
      { outcome: "rejected", functions: [], error: { ...error, code: "Syntax Error" } },
      /pattern/,
    ],
    [
      "a column counted from 0",
      { outcome: "rejected", functions: [], error: { ...error, column: 0 } },
      />= 1/,
    ],
    [
      "a field the protocol does not have",
      { outcome: "applied", functions: [{ ...entry, kind: "function", qual: "x" }] },
      /additional/,
    ],
  ];
  for (const [what, result, fault] of faults)
    assert.match(resultFaults(JSON.parse(JSON.stringify(result))).join("\n"), fault, what);
});

test("every result the controller builds keeps the schema", () => {
  for (const error of [
    fileDeleted(),
    fileUnreadable("EACCES"),
    notUtf8({ byte: 0xe9, offset: 12, line: 2, column: 5 }),
    programExited(),
  ]) {
    assert.deepEqual(resultFaults(rejected(error)), [], JSON.stringify(error));
    assert.equal(error.kind, CONTROLLER_REASONS[error.code as keyof typeof CONTROLLER_REASONS]);
  }
});

test("a file that cannot be read or decoded gets its code, and where", () => {
  const dir = mkdtempSync(join(tmpdir(), "hf-read-"));
  writeFileSync(
    join(dir, "latin1.py"),
    Buffer.concat([Buffer.from("x = 1\ny = 'caf"), Buffer.from([0xe9, 0x27])]),
  );
  const reads = {
    deleted: readSource(join(dir, "gone.py")),
    unreadable: readSource(dir), // a folder: EISDIR
    latin1: readSource(join(dir, "latin1.py")),
  };
  const errors = Object.fromEntries(
    Object.entries(reads).map(([what, read]) => {
      assert.ok(!read.ok, what);
      assert.deepEqual(resultFaults(rejected(read.error)), [], what);
      const { kind, code, line, column } = read.error;
      return [what, { kind, code, line, column, gone: read.gone }];
    }),
  );
  assert.deepEqual(errors, {
    deleted: { kind: "refused", code: "file-gone", line: undefined, column: undefined, gone: true },
    unreadable: { kind: "refused", code: "file-gone", line: undefined, column: undefined, gone: false },
    latin1: { kind: "syntax", code: "not-utf8", line: 2, column: 9, gone: false },
  });
});

test("docs/protocol.md lists each code the controller uses, with its kind", () => {
  const doc = readFileSync(join(REPO, "docs", "protocol.md"), "utf8");
  for (const [code, kind] of Object.entries(CONTROLLER_REASONS))
    assert.match(doc, new RegExp(`^ *\\| \`${code}\` \\| error, kind \`${kind}\` \\|`, "m"), code);
});
