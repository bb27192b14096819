import assert from "node:assert/strict";
import { test } from "node:test";
import { buildModel, ParseError } from "../src/runtimes/node/agent/model.js";
import { editRegion } from "../src/runtimes/node/agent/typescript-edit.js";
import { stripTypes } from "../src/runtimes/node/agent/typescript.js";

/**
 * A save strips only the lines it changed (typescript-edit.ts): the JavaScript it assembles is,
 * for every edit, the whole file's stripped JavaScript.
 */

const SOURCE = `import { readFileSync } from "node:fs";
type Id = number;
interface Row { id: Id; name: string }
const rows: Row[] = [];
export class Repo {
  constructor(private readonly prefix: string, public size: number = 2) {}
  find(id: Id): Row | undefined {
    return rows.find((r) => r.id === id);
  }
}
export function total(values: number[]): number {
  let sum = 0;
  for (const v of values) sum += v as number;
  return sum;
}
export const double = <T extends number>(x: T): number => x * 2;
let counter: number = 0; counter++;
console.log(readFileSync, total([1]), double(2));
`;

/** The JavaScript of `after` as a save after `before` assembles it (and whether a region was used). */
function assembled(before: string, after: string): { js: string; region: boolean } {
  const oldJs = stripTypes(before);
  const program = buildModel(oldJs, true).program;
  const region = editRegion(before, oldJs, program, after);
  return { js: region ? region.assemble(stripTypes(region.text)) : stripTypes(after), region: !!region };
}

test("every edit of each line assembles the whole file's JavaScript", () => {
  const lines = SOURCE.split("\n");
  let regions = 0;
  const edits: string[] = [];
  for (let i = 0; i < lines.length - 1; i++) {
    const at = (line: string) => [...lines.slice(0, i), line, ...lines.slice(i + 1)].join("\n");
    edits.push(at(`${lines[i]} // edited`), at(`${lines[i]}\nconst added: string = "x";`), at(""));
    edits.push(at((lines[i] ?? "").replace(/;$/, "")), at((lines[i] ?? "").replace("number", "string")));
  }
  for (const after of edits) {
    let whole: string;
    try {
      whole = stripTypes(after);
    } catch {
      continue; // not TypeScript that runs: the region's stripping falls back to the whole file
    }
    const { js, region } = assembled(SOURCE, after);
    if (region) regions++;
    assert.equal(js, whole, after);
  }
  assert.ok(regions > edits.length / 2, `${regions} of ${edits.length} edits stripped a region only`);
});

test("a body edit strips its statement and one on each side; what needs the whole file strips it", () => {
  const oldJs = stripTypes(SOURCE);
  const program = buildModel(oldJs, true).program;
  const edited = SOURCE.replace("sum += v as number", "sum += (v as number) * 2");
  const region = editRegion(SOURCE, oldJs, program, edited);
  assert.ok(region);
  // Lines 11-15 changed: with the class before (5-10) and the arrow after (16).
  const lines = edited.split("\n");
  assert.equal(region.text, `${"\n".repeat(4)}${lines.slice(4, 16).join("\n")}\n`);
  for (const wide of ["enum E { A }\n", "namespace N { export const a = 1; }\n", "@dec() class D {}\n"])
    assert.equal(
      editRegion(SOURCE, oldJs, program, SOURCE.replace("let sum = 0;\n", `let sum = 0;\n${wide}`)),
      undefined,
    );
});

test("a region that does not parse is an error at its line and column", () => {
  const oldJs = stripTypes(SOURCE);
  const program = buildModel(oldJs, true).program;
  const broken = SOURCE.replace("let sum = 0;", "let sum: Array<number) = 0;");
  const region = editRegion(SOURCE, oldJs, program, broken);
  assert.ok(region);
  assert.throws(
    () => stripTypes(region.text),
    (error: unknown) => error instanceof ParseError && error.line === 12 && error.column === 24,
  );
});
