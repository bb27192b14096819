import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, test } from "node:test";
import { DebugRun, lineOf } from "./helpers/debug-run.js";
import { makeProject } from "./helpers/hotframe.js";
import { AgentRun } from "./helpers/node-agent.js";
import { nodeBinaries } from "./helpers/node-versions.js";
import { edit, entryLines, programDir } from "./helpers/node-programs.js";

/**
 * TypeScript enums and namespaces run as JavaScript of the same line layout (typescript-rewrite.ts):
 * the file is instrumented like any other, every function in it is patched, an enum's edit
 * (a new member, a changed value) is run again as the assignment it became, and a namespace's own
 * top-level code, which ran once, is refused with its reason (`ran-once`). Stack traces and
 * breakpoints name the lines of the .ts file.
 */

const STATUS = `export enum Status {
  Active = 1,
  Inactive,
}
`;

const APP = `import { createInterface } from "node:readline";
import { Status } from "./status.js";
export enum Level {
  Low = "low",
  High = "high",
}
export namespace Util {
  const factor: number = 2;
  export function scale(x: number): number {
    return x * factor;
  }
  export function where(): string {
    return new Error("here").stack?.split("\\n")[1] ?? "";
  }
}
class Repo {
  constructor(private readonly prefix: string) {}
  status(s: Status): string {
    return this.prefix + Status[s];
  }
  where(): string {
    return new Error("here").stack?.split("\\n")[1] ?? "";
  }
}
const repo = new Repo(">");
const commands: Record<string, () => unknown> = {
  status: () => repo.status(Status.Inactive),
  statuses: () => Status,
  level: () => Level,
  scale: () => Util.scale(3),
  where: () => repo.where(),
  whereNs: () => Util.where(),
};
createInterface({ input: process.stdin }).on("line", (l: string) =>
  console.log(l + "=" + JSON.stringify(commands[l]!())),
);
console.log("ready");
`;

/** The stack frames of Util.where() and Repo.where() name their `new Error` lines of `source`. */
async function stackLines(run: AgentRun, source: string): Promise<void> {
  const [inNamespace, inClass] = [...source.matchAll(/new Error\("here"\)/g)].map(
    (m) => source.slice(0, m.index).split("\n").length,
  );
  assert.match(String(await run.ask("whereNs")), new RegExp(`app\\.ts:${inNamespace}:`));
  assert.match(String(await run.ask("where")), new RegExp(`app\\.ts:${inClass}:`));
}

for (const { version, path, skip } of nodeBinaries()) {
  describe(`node ${version}: TypeScript enums and namespaces`, { skip }, () => {
    test("run instrumented: methods, namespace functions and enums are patched; lines are the .ts file's", async () => {
      const dir = programDir("ts", { "app.ts": APP, "status.ts": STATUS });
      const file = join(dir, "app.ts");
      const status = join(dir, "status.ts");
      const run = await AgentRun.start(file, { node: path });
      try {
        await run.output("ready\n");
        assert.deepEqual(
          run.messages.filter((m) => m.type === "warning"),
          [],
        );
        assert.equal(await run.ask("status"), ">Inactive");
        assert.deepEqual(await run.ask("level"), { Low: "low", High: "high" });
        await stackLines(run, APP);

        const method = await edit(run, file, [["this.prefix + Status[s]", 'this.prefix + "/" + Status[s]']]);
        assert.deepEqual(entryLines(method), ["Repo.status updated"]);
        assert.equal(await run.ask("status"), ">/Inactive");

        const inNamespace = await edit(run, file, [["x * factor", "x * factor * 10"]]);
        assert.deepEqual(entryLines(inNamespace), ["Util.scale updated"]);
        assert.equal(await run.ask("scale"), 60);

        // An enum edit runs again as the assignment it is: a fresh start's object, seen by importers.
        const member = await edit(run, status, [["  Inactive,\n", "  Inactive,\n  Archived = 10,\n"]]);
        assert.deepEqual(entryLines(member), ["Status = { updated reassigned-statement"]);
        assert.deepEqual(await run.ask("statuses"), {
          1: "Active",
          2: "Inactive",
          10: "Archived",
          Active: 1,
          Inactive: 2,
          Archived: 10,
        });
        const value = await edit(run, status, [["Active = 1", "Active = 5"]]);
        assert.equal(value.outcome, "applied", JSON.stringify(value));
        assert.equal(await run.ask("status"), ">/Inactive");
        assert.deepEqual(Object.keys((await run.ask("statuses")) as object), [
          "5",
          "6",
          "10",
          "Active",
          "Inactive",
          "Archived",
        ]);
        const level = await edit(run, file, [['High = "high"', 'High = "HIGH"']]);
        assert.deepEqual(entryLines(level), ["Level = { updated reassigned-statement"]);
        assert.deepEqual(await run.ask("level"), { Low: "low", High: "HIGH" });

        // The namespace's own code ran once: a change of it is refused, and said again.
        const body = await edit(run, file, [["const factor: number = 2", "const factor: number = 3"]]);
        assert.equal(body.outcome, "rejected", JSON.stringify(body));
        assert.deepEqual(entryLines(body), ["Util refused ran-once"]);
        assert.equal(await run.ask("scale"), 60);
        const added = await edit(run, file, [
          [
            "  export function where",
            "  export function twice(x: number) {\n    return 2 * x;\n  }\n  export function where",
          ],
        ]);
        assert.deepEqual(entryLines(added), ["Util refused ran-once", "Util.twice refused ran-once"]);

        // Lines moved by the edits above: the stack still names each function's own .ts line.
        const moved = await edit(run, file, [
          ["const factor: number = 3", "const factor: number = 2"],
          ["  export function twice(x: number) {\n    return 2 * x;\n  }\n", ""],
          ["class Repo {\n", "// the repository\nclass Repo {\n"],
        ]);
        assert.equal(moved.outcome, "applied", JSON.stringify(moved));
        await stackLines(run, APP.replace("class Repo {\n", "// the repository\nclass Repo {\n"));
      } finally {
        run.kill();
      }
    });
  });
}

test("a breakpoint in a namespace function of a .ts file stops at its line", async () => {
  const source = `export enum Kind {
  A,
  B,
}
export namespace Calc {
  export function total(values: number[]): number {
    let sum = 0;
    for (const v of values) sum += v;
    return sum;
  }
}
console.log("total", Calc.total([1, 2, Kind.B]));
`;
  const dir = makeProject({ "package.json": '{ "type": "module" }\n', "app.ts": source });
  const run = new DebugRun(dir, ["--node", process.execPath, "app.ts"]);
  assert.equal((await run.paused(0)).reason, "entry");
  const line = lineOf(source, "let sum = 0");
  run.send(`break app.ts:${line}`);
  const paused = await run.pausedAfter("continue");
  assert.deepEqual(paused.frames.map((f) => [f.function, f.line]).slice(0, 1), [["Calc.total", line]]);
  run.send("continue");
  await run.stdoutLine(/^total 4$/);
  assert.equal((await run.ended()).code, 0);
});
