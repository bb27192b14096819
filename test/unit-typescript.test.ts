import assert from "node:assert/strict";
import { test } from "node:test";
import { stripTypes, TypeScriptError } from "../src/runtimes/node/agent/typescript.js";

/** Type stripping without a process: parameter properties rewritten in place, lines kept. */

test("parameter properties become assignments after { or super(…);, every line where it was", () => {
  const source = [
    "class Service {",
    "  constructor(private readonly repo: Repo, public name: string = 'x') {",
    "    go();",
    "  }",
    "}",
    "class Sub extends Service {",
    "  constructor(repo: Repo, protected extra: number) {",
    "    super(repo);",
    "  }",
    "}",
  ].join("\n");
  const js = stripTypes(source).split("\n");
  assert.equal(js.length, 10);
  assert.equal(
    js[1]?.trim().replace(/\s+/g, " "),
    "constructor( repo , name = 'x') { this.repo = repo; this.name = name;",
  );
  assert.equal(js[2], "    go();");
  assert.equal(js[7]?.trim(), "super(repo); this.extra = extra;");
});

test("what cannot be rewritten stays not erasable: a derived constructor without super(…); first, enums", () => {
  assert.throws(
    () =>
      stripTypes("class S extends B {\n  constructor(private a: number) {\n    if (a) super();\n  }\n}\n"),
    TypeScriptError,
  );
  assert.throws(() => stripTypes("enum Color { Red }\n"), TypeScriptError);
});
