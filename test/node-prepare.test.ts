import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, test } from "node:test";
import { AgentRun } from "./helpers/node-agent.js";
import { nodeBinaries } from "./helpers/node-versions.js";
import { edit, programDir } from "./helpers/node-programs.js";

/**
 * What a patch needs is prepared while the program is idle (agent/prepare.ts): TypeScript loads
 * on hotframe's own thread (typescript-thread.ts), never in the program's, which it would block
 * for 0.5–4 s; the first save applies; the preparation never keeps a program alive.
 */

const IDLE = `import { createRequire } from "node:module";
import { createInterface } from "node:readline";
const require = createRequire(import.meta.url);
function price(n: number): number {
  return n * 2;
}
const commands: Record<string, () => unknown> = {
  typescriptHere: () => Object.keys(require.cache).some((file) => /[\\\\/]typescript[\\\\/]/.test(file)),
  idled: () => performance.now(),
  price: () => price(21),
};
createInterface({ input: process.stdin }).on("line", (line: string) =>
  console.log(\`\${line}=\${JSON.stringify(commands[line]?.())}\`),
);
console.log("ready");
`;

/** Stops its input on "stop" (and with it the last thing that keeps it alive). */
const STOPS = `import { createInterface } from "node:readline";
function price(n: number): number {
  return n * 2;
}
const input = createInterface({ input: process.stdin });
input.on("line", (line: string) => {
  if (line === "stop") input.close();
  else console.log(\`\${line}=\${JSON.stringify(line === "price" ? price(21) : performance.now())}\`);
});
input.on("close", () => process.stdin.destroy());
console.log("ready");
`;

/** Two functions and some state: what the patches rehearsed in idle time must leave alone. */
const REHEARSED = `import { createInterface } from "node:readline";
let calls = 0;
function price(n: number): number {
  calls++;
  return n * 2;
}
function label(): string {
  return "old";
}
const commands: Record<string, () => unknown> = {
  idled: () => performance.now(),
  state: () => [price(21), label(), calls],
};
createInterface({ input: process.stdin }).on("line", (line: string) =>
  console.log(\`\${line}=\${JSON.stringify(commands[line]?.())}\`),
);
console.log("ready");
`;

/** REHEARSED as JavaScript of `format`. */
function rehearsed(format: "ts" | "esm" | "cjs"): string {
  if (format === "ts") return REHEARSED;
  const js = REHEARSED.replace(/: (number|string|Record<string, \(\) => unknown>)/g, "");
  return format === "esm"
    ? js
    : js.replace(
        'import { createInterface } from "node:readline";',
        'const { createInterface } = require("node:readline");',
      );
}

const ENDS = `const started = Date.now();
setTimeout(() => console.log("done", Date.now() - started < 5000), 10);
`;

for (const { version, path, skip } of nodeBinaries()) {
  describe(`node ${version}: preparing in idle time`, { skip }, () => {
    test("an idle TypeScript program never loads TypeScript in its thread, and its first save applies", async () => {
      const file = join(programDir("ts", { "app.ts": IDLE }), "app.ts");
      // A first start fills the module cache: the second one type-strips nothing at start-up.
      const filling = await AgentRun.start(file, { node: path });
      await filling.output("ready\n");
      filling.kill();
      await filling.exited;
      const run = await AgentRun.start(file, { node: path });
      try {
        await run.output("ready\n");
        // Each answer is awaited: the program is asked until it has idled through the preparation's
        // first steps (TypeScript starts loading on its thread then; the save waits for it if need be).
        while (((await run.ask("idled")) as number) < 3000);
        const result = await edit(run, file, [["n * 2", "n * 3"]]);
        assert.equal(result.outcome, "applied", JSON.stringify(result));
        assert.equal(await run.ask("price"), 63);
        assert.equal(await run.ask("typescriptHere"), false);
        const broken = await edit(run, file, [["n * 3", "n * (3"]]);
        assert.equal(broken.error?.kind, "syntax", JSON.stringify(broken));
        assert.equal(await run.ask("price"), 63);
      } finally {
        run.kill();
      }
    });

    test("a program whose save was type-stripped on hotframe's thread still ends by itself", async () => {
      const file = join(programDir("ts", { "app.ts": STOPS }), "app.ts");
      const run = await AgentRun.start(file, { node: path });
      await run.output("ready\n");
      while (((await run.ask("idled")) as number) < 3000);
      const result = await edit(run, file, [["n * 2", "n * 3"]]);
      assert.equal(result.outcome, "applied", JSON.stringify(result));
      assert.equal(await run.ask("price"), 63);
      run.write("stop\n");
      const exit = await run.ended().finally(() => run.kill());
      assert.equal(exit.code, 0, run.stderr);
    });

    for (const format of ["ts", "esm", "cjs"] as const) {
      test(`the patches rehearsed in idle time (${format}) change nothing, and later saves change only what they edit`, async () => {
        const name = format === "ts" ? "app.ts" : format === "esm" ? "app.mjs" : "app.cjs";
        const file = join(programDir(format, { [name]: rehearsed(format) }), name);
        const run = await AgentRun.start(file, { node: path });
        try {
          await run.output("ready\n");
          // Long enough for the preparation's steps, the rehearsals last, on an idle program.
          while (((await run.ask("idled")) as number) < 5000);
          assert.deepEqual(await run.ask("state"), [42, "old", 1]);
          const first = await edit(run, file, [["n * 2", "n * 3"]]);
          assert.equal(first.outcome, "applied", JSON.stringify(first));
          assert.deepEqual(
            first.functions.map((f) => [f.qualname, f.status]),
            [["price", "updated"]],
          );
          const second = await edit(run, file, [['"old"', '"new"']]);
          assert.deepEqual(
            second.functions.map((f) => [f.qualname, f.status]),
            [["label", "updated"]],
          );
          assert.deepEqual(await run.ask("state"), [63, "new", 2]);
        } finally {
          run.kill();
        }
      });
    }

    test("a program that ends by itself ends as it would without hotframe", async () => {
      const file = join(programDir("ts", { "app.ts": ENDS }), "app.ts");
      const run = await AgentRun.start(file, { node: path });
      const exit = await run.exited;
      assert.equal(exit.code, 0, run.stderr);
      assert.equal(run.stdout, "done true\n");
    });
  });
}
