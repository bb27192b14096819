import assert from "node:assert/strict";
import { test } from "node:test";
import { mergeRuntime, mergeSections } from "../bench/lib/doc.js";

/** `npm run bench -- python --write`: one runtime's part of docs/benchmarks.md replaced, the other's kept. */

const doc = (measured: string, goals: string[], sections: string[]) =>
  [
    "# Benchmarks",
    "",
    `Measured ${measured} with \`npm run bench\`.`,
    "",
    "Machine: two cores.",
    "",
    "## Goals",
    "",
    "| what | goal | measured | status |",
    "|---|---|---|---|",
    ...goals,
    "",
    ...sections.flatMap((s) => [`## ${s}`, "", `${s} table`, ""]),
  ].join("\n");

test("a Python re-run replaces the Python goals and sections and keeps the Node ones", () => {
  const existing = doc(
    "monday",
    ["| Python old | ≤ 1 | 2 | ❌ |", "| Python gone | ≤ 1 | 2 | ❌ |", "| Node latency | ≤ 1 | 0.5 | ✅ |"],
    ["Python: latency", "Python: start-up", "Node: latency"],
  );
  const fresh = doc("tuesday", ["| Python new | ≤ 1 | 0.5 | ✅ |"], ["Python: latency", "Python: start-up"]);
  const merged = mergeRuntime(existing, fresh, "Python");
  const lines = merged.split("\n");
  assert.deepEqual(
    lines.filter((l) => l.startsWith("| ") && !l.startsWith("| what")),
    ["| Python new | ≤ 1 | 0.5 | ✅ |", "| Node latency | ≤ 1 | 0.5 | ✅ |"],
  );
  assert.deepEqual(
    lines.filter((l) => l.startsWith("## ")),
    ["## Goals", "## Python: latency", "## Python: start-up", "## Node: latency"],
  );
  assert.ok(lines.includes("Measured monday with `npm run bench`."), "the whole run's date stays");
  assert.ok(
    lines.includes(
      "Python goals and sections measured again: Measured tuesday with `npm run bench`. Machine: two cores.",
    ),
  );
  // Again: one such line, the newest.
  const twice = mergeRuntime(merged, doc("wednesday", [], ["Python: latency"]), "Python");
  assert.equal(
    twice.split("\n").filter((l) => l.startsWith("Python goals and sections measured again")).length,
    1,
  );
  assert.match(twice, /measured again: Measured wednesday/);
});

test("--only … --write replaces the sections and goal rows it measured and keeps every other", () => {
  const existing = doc(
    "monday",
    ["| Node overhead | ≤ 1 | 2 | ❌ |", "| Node latency | ≤ 1 | 0.5 | ✅ |"],
    ["Node: latency", "Node: overhead"],
  );
  const fresh = doc(
    "tuesday",
    ["| Node overhead | ≤ 1 | 0.9 | ✅ |", "| Node debug | ≤ 1 | 0.8 | ✅ |"],
    ["Node: overhead", "Node: debug"],
  );
  const merged = mergeSections(existing, fresh);
  const lines = merged.split("\n");
  assert.deepEqual(
    lines.filter((l) => l.startsWith("| ") && !l.startsWith("| what")),
    [
      "| Node overhead | ≤ 1 | 0.9 | ✅ |",
      "| Node latency | ≤ 1 | 0.5 | ✅ |",
      "| Node debug | ≤ 1 | 0.8 | ✅ |",
    ],
  );
  assert.deepEqual(
    lines.filter((l) => l.startsWith("## ")),
    ["## Goals", "## Node: latency", "## Node: overhead", "## Node: debug"],
  );
  assert.ok(lines.includes("Measured monday with `npm run bench`."), "the whole run's date stays");
  const again = mergeSections(merged, fresh);
  assert.equal(
    again.split("\n").filter((l) => l.startsWith("Measured again: Node: overhead; Node: debug")).length,
    1,
  );
});
