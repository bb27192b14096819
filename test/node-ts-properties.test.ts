import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, test } from "node:test";
import { AgentRun } from "./helpers/node-agent.js";
import { nodeBinaries } from "./helpers/node-versions.js";
import { edit, programDir } from "./helpers/node-programs.js";

/**
 * TypeScript parameter properties (NestJS/Angular style) run instrumented and are patched: the
 * modifiers are blanked and `this.x = x;` inserted after the constructor's `{` (after `super(…)`
 * in a derived class), so every line stays where it is (typescript.ts).
 */

const SERVICE = `import { createInterface } from "node:readline";
class Repo {
  find(id: number): string {
    return "user" + id;
  }
}
class Base {
  constructor(protected readonly label: string) {}
}
class UserService extends Base {
  constructor(
    private readonly repo: Repo,
    public prefix: string = ">",
  ) {
    super("users");
  }
  describe(id: number): string {
    return this.prefix + this.label + ":" + this.repo.find(id);
  }
  where(): string {
    return new Error("here").stack?.split("\\n")[1] ?? "";
  }
}
const service = new UserService(new Repo());
createInterface({ input: process.stdin }).on("line", (line: string) =>
  console.log(\`\${line}=\${JSON.stringify(line === "where" ? service.where() : service.describe(7))}\`),
);
console.log("ready");
`;

for (const { version, path, skip } of nodeBinaries()) {
  describe(`node ${version}: TypeScript parameter properties`, { skip }, () => {
    test("a class with parameter properties runs as TypeScript's output does, and its methods are patched", async () => {
      const file = join(programDir("ts", { "app.ts": SERVICE }), "app.ts");
      const run = await AgentRun.start(file, { node: path });
      try {
        await run.output("ready\n");
        assert.deepEqual(
          run.messages.filter((m) => m.type === "warning"),
          [],
        );
        assert.equal(await run.ask("describe"), ">users:user7");
        // Lines are exact: the stack frame of where() names its own line of the .ts file.
        assert.match(
          String(await run.ask("where")),
          new RegExp(
            `app\\.ts:${SERVICE.split("\n").findIndex((l) => l.includes('new Error("here")')) + 1}:`,
          ),
        );
        const result = await edit(run, file, [
          ['return this.prefix + this.label + ":"', 'return this.prefix + this.label + "/"'],
        ]);
        assert.equal(result.outcome, "applied", JSON.stringify(result));
        assert.deepEqual(
          result.functions.map((f) => `${f.qualname} ${f.status}`),
          ["UserService.describe updated"],
        );
        assert.equal(await run.ask("describe"), ">users/user7");
      } finally {
        run.kill();
      }
    });
  });
}
