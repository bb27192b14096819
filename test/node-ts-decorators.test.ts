import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, test } from "node:test";
import { lineOf } from "./helpers/debug-run.js";
import { AgentRun } from "./helpers/node-agent.js";
import { nodeBinaries } from "./helpers/node-versions.js";
import { edit, entryLines, programDir } from "./helpers/node-programs.js";

/**
 * Decorators. With tsconfig.json's `experimentalDecorators` (NestJS, Angular) they run as
 * TypeScript's output runs them, laid out on the class's lines (typescript-decorators.ts): the
 * file is instrumented, and the bodies of decorated classes' methods and constructors are
 * patched; `emitDecoratorMetadata`'s `design:paramtypes` drive dependency injection as in NestJS.
 * TS 5 standard decorators (no `experimentalDecorators`) go through the TypeScript compiler: the
 * file runs, unpatchable, and says so at every save.
 */

/** A dependency-injection container in the NestJS manner, on `Reflect.metadata` (reflect-metadata's API). */
const DI = `const paramTypes = new Map<unknown, unknown[]>();
(Reflect as unknown as { metadata: unknown }).metadata =
  (key: string, value: unknown) => (target: unknown, member?: string) => {
    if (key === "design:paramtypes" && member === undefined) paramTypes.set(target, value as unknown[]);
  };
export const routes = new Map<string, string>();
export function Injectable(): ClassDecorator {
  return () => {};
}
export function Controller(prefix: string): ClassDecorator {
  return (target) => {
    (target as unknown as { prefix: string }).prefix = prefix;
  };
}
export function Get(path: string): MethodDecorator {
  return (_target, key) => {
    routes.set(path, String(key));
  };
}
export function resolve<T>(cls: new (...args: never[]) => T): T {
  const deps = (paramTypes.get(cls) ?? []).map((d) => resolve(d as new () => unknown));
  return new cls(...(deps as never[]));
}
`;

const APP = `import { createInterface } from "node:readline";
import { Controller, Get, Injectable, resolve, routes } from "./di.js";

@Injectable()
export class UsersRepository {
  find(id: number): string {
    return "user" + id;
  }
}

@Controller("users")
export class UsersController {
  constructor(private readonly repo: UsersRepository) {}

  @Get(":id")
  findOne(id: number): string {
    return this.repo.find(id);
  }

  @Get("where")
  where(): string {
    return new Error("here").stack?.split("\\n")[1] ?? "";
  }
}

const controller = resolve(UsersController) as unknown as Record<string, (id: number) => string>;
const commands: Record<string, () => unknown> = {
  get: () => controller[routes.get(":id")!]!(7),
  where: () => controller[routes.get("where")!]!(0),
  prefix: () => (UsersController as unknown as { prefix: string }).prefix,
};
createInterface({ input: process.stdin }).on("line", (l: string) =>
  console.log(l + "=" + JSON.stringify(commands[l]!())),
);
console.log("ready");
`;

const TSCONFIG = JSON.stringify({
  // As NestJS's starter has it (comments and trailing commas are read too).
  compilerOptions: { experimentalDecorators: true, emitDecoratorMetadata: true, target: "ES2022" },
});

for (const { version, path, skip } of nodeBinaries()) {
  describe(`node ${version}: TypeScript decorators`, { skip }, () => {
    test("experimentalDecorators (NestJS style): dependency injection works and method bodies are patched", async () => {
      const dir = programDir("ts", {
        "app.ts": APP,
        "di.ts": DI,
        "tsconfig.json": `// NestJS\n${TSCONFIG.replace(/}}$/, ",}}")}`,
      });
      const file = join(dir, "app.ts");
      const run = await AgentRun.start(file, { node: path });
      try {
        await run.output("ready\n");
        assert.deepEqual(
          run.messages.filter((m) => m.type === "warning"),
          [],
        );
        assert.equal(await run.ask("get"), "user7");
        assert.equal(await run.ask("prefix"), "users");
        assert.match(
          String(await run.ask("where")),
          new RegExp(`app\\.ts:${lineOf(APP, 'new Error("here")')}:`),
        );

        const method = await edit(run, file, [
          ["return this.repo.find(id);", 'return "<" + this.repo.find(id) + ">";'],
        ]);
        assert.deepEqual(entryLines(method), ["UsersController.findOne updated"]);
        assert.equal(await run.ask("get"), "<user7>");
        const injected = await edit(run, file, [['return "user" + id;', 'return "member" + id;']]);
        assert.deepEqual(entryLines(injected), ["UsersRepository.find updated"]);
        assert.equal(await run.ask("get"), "<member7>");

        // A decorator's argument ran when the class was made: a change of it is refused.
        const decorator = await edit(run, file, [['@Controller("users")', '@Controller("people")']]);
        assert.equal(decorator.outcome, "rejected", JSON.stringify(decorator));
        assert.deepEqual(
          decorator.functions.map((f) => f.code),
          ["top-level-not-rerun"],
        );
        assert.equal(await run.ask("prefix"), "users");
      } finally {
        run.kill();
      }
    });

    test("TS 5 standard decorators run through the TypeScript compiler, and every save says so", async () => {
      const source = `function logged<T>(value: T, context: ClassMethodDecoratorContext): T {
  console.log("decorated " + String(context.name));
  return value;
}
class Greeter {
  @logged
  hello(): string {
    return "hi";
  }
}
console.log(new Greeter().hello());
process.stdin.on("data", () => {});
console.log("ready");
`;
      const dir = programDir("ts", { "app.ts": source });
      const file = join(dir, "app.ts");
      const run = await AgentRun.start(file, { node: path });
      try {
        await run.output("ready\n");
        assert.equal(run.stdout, "decorated hello\nhi\nready\n");
        const warning = run.messages.find((m) => m.type === "warning");
        assert.match(JSON.stringify(warning), /@logged.*standard decorator/);
        const result = await edit(run, file, [['"hi"', '"hello"']]);
        assert.equal(result.outcome, "rejected", JSON.stringify(result));
        assert.equal(result.error?.code, "typescript-transpiled");
      } finally {
        run.kill();
      }
    });
  });
}
