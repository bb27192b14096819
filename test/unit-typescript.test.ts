import assert from "node:assert/strict";
import { test } from "node:test";
import ts from "typescript";
import { stripTypes, TypeScriptError } from "../src/runtimes/node/agent/typescript.js";

/** Type stripping without a process: parameter properties, enums and namespaces rewritten in place,
 * lines kept (typescript-rewrite.ts). */

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
  assert.throws(() => stripTypes("enum Color { Red = Math.random() }\n"), TypeScriptError);
});

/** What a snippet's statements leave in `out` when run: as our JavaScript, and as TypeScript's. */
function runBoth(source: string, legacy = false): { ours: unknown; theirs: unknown; js: string } {
  const run = (js: string) => {
    const out: Record<string, unknown> = {};
    new Function("out", js)(out);
    return JSON.parse(JSON.stringify(out));
  };
  const js = stripTypes(source, { legacy, metadata: legacy });
  const theirs = ts.transpileModule(source, {
    compilerOptions: {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
      experimentalDecorators: legacy,
      emitDecoratorMetadata: legacy,
    },
  }).outputText;
  return { ours: run(js), theirs: run(theirs), js };
}

test("enums become an object of the same members as TypeScript's, each on its own line", () => {
  const source = [
    "enum Status {",
    "  Active = 1,",
    "  Inactive, // next: 2",
    '  Label = "x",',
    "  Both = Active | Inactive,",
    "  Shifted = 1 << 4,",
    "  Neg = -Status.Active,",
    '  Joined = "a" + `b`,',
    "}",
    "const enum Dir { Up, Down }",
    "declare enum Ambient { X }",
    "out.status = Status; out.dir = Dir; out.keys = Object.keys(Status);",
  ].join("\n");
  const { ours, theirs, js } = runBoth(source);
  assert.deepEqual(ours, theirs);
  assert.equal(js.split("\n").length, source.split("\n").length);
  assert.equal(js.split("\n")[2], '  "Inactive": 2, "2": "Inactive", // next: 2');
});

test("namespaces become TypeScript's function of the namespace, lines kept, exports assigned after them", () => {
  const source = [
    "namespace Util {",
    "  export const k: number = 2, { a, b } = { a: 1, b: 2 };",
    "  export function f(x: number): number;",
    "  export function f(x: any): number {",
    "    return x * k + hidden();",
    "  }",
    "  function hidden() { return 1; }",
    "  export class C { m() { return hidden(); } }",
    "  export enum E { A, B }",
    "  export namespace Inner {",
    "    export const z = 3;",
    "  }",
    "  export interface I { x: number }",
    "}",
    "namespace Types { export interface Q {} }",
    "out.util = Util; out.f = Util.f(3); out.m = new Util.C().m(); out.z = Util.Inner.z;",
  ].join("\n");
  const { ours, theirs, js } = runBoth(source);
  assert.deepEqual(ours, theirs);
  const lines = js.split("\n");
  assert.equal(lines.length, source.split("\n").length);
  assert.equal(lines[0], "var Util; (function Util(Util) {");
  assert.equal(lines[4], "    return x * k + hidden();");
  assert.equal(lines[5], "  } Util.f = f;");
});

test("what TypeScript turns into property accesses or merges stays not erasable", () => {
  for (const source of [
    "namespace N { export let count = 0; export function inc() { count++; } }\n",
    "enum E { A = Math.random() }\n",
    "enum E { A }\nenum E { B = 2 }\n",
    "class C {}\nnamespace C { export const x = 1; }\n",
    "namespace A.B { export const x = 1; }\n",
    "namespace N { import X = Other.Thing; export const y = X; }\n",
  ])
    assert.throws(() => stripTypes(source), TypeScriptError, source);
});

test("legacy decorators run as TypeScript's output runs them: order, arguments, metadata; lines kept", () => {
  const source = `const log: string[] = [];
const meta: Record<string, unknown> = {};
const named = (v: unknown) => (Array.isArray(v) ? v.map(named) : ((v as { name?: string })?.name ?? String(v)));
(Reflect as unknown as { metadata: unknown }).metadata =
  (k: string, v: unknown) => (t: { name?: string; constructor: { name: string } }, key?: string) => {
    meta[\`\${t.name ?? t.constructor.name}.\${key ?? ""} \${k}\`] = named(v);
  };
const Injectable = (): ClassDecorator => (t) => { log.push("class " + t.name); };
const Field = (n: string): PropertyDecorator => (_t, k) => { log.push("field " + n + " " + String(k)); };
const Get = (p: string): MethodDecorator => (_t, k, d) => { log.push("get " + p + " " + String(k) + " " + typeof d.value); };
const Param = (n: string): ParameterDecorator => (_t, k, i) => { log.push("param " + n + " " + String(k) + " " + i); };
class Repo { find(id: string) { return "user" + id; } }
interface Shape { x: number }
@Injectable()
class Svc {
  @Field("a") name: string = "x";
  @Field("b") static s: Repo;
  constructor(@Param("repo") private readonly repo: Repo, n: number | null, shape: Shape, f: () => void, list: string[], p: Promise<void>, u: "a" | "b") {}
  @Get(":id")
  find(@Param("id") id: string, @Param("q")
       q?: boolean): string {
    return this.repo.find(id);
  }
  @Get("v") get v(): number { return 1; }
  set v(_x: number) {}
  @Get("make") static make(): void {}
  plain() {}
}
out.log = log; out.meta = meta; out.find = new Svc(new Repo(), 1, { x: 1 }, () => {}, [], Promise.resolve(), "a").find("7");
`;
  const { ours, theirs, js } = runBoth(source, true);
  assert.deepEqual(ours, theirs);
  // Each line where it was; the helpers are declared on a line after the last one.
  const lines = js.split("\n");
  assert.equal(lines.length, source.split("\n").length + 2);
  for (const line of ["class Svc {", "    return this.repo.find(id);"])
    assert.equal(lines[source.split("\n").indexOf(line)], line);
});

test("decorators TypeScript compiles otherwise are not erasable: standard ones, a class expression", () => {
  assert.throws(() => stripTypes("class A {\n  @logged m() {}\n}\n"), TypeScriptError);
  const legacy = { legacy: true, metadata: false };
  assert.throws(() => stripTypes("const A = @dec class {};\n", legacy), TypeScriptError);
  assert.throws(() => stripTypes("class A {\n  @dec #m() {}\n}\n", legacy), TypeScriptError);
});
