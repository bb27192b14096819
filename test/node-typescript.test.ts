import assert from "node:assert/strict";
import { mkdtempSync, realpathSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { AgentRun } from "./helpers/node-agent.js";
import { nodeBinaries } from "./helpers/node-versions.js";
import { edit } from "./helpers/node-programs.js";

/**
 * TypeScript that does not parse is an error, as it is for Node 26 itself: TypeScript's parser
 * recovers (it would blank the broken annotation out and run the rest), so its own diagnostics
 * decide. At load the program fails to start with file:line:col; a patch is rejected as a syntax
 * error at the TypeScript error's position, and the program keeps running the old code.
 */

const BROKEN = "function total(h: Array<number) {";
const GOOD = "function total(h: Array<number>) {";

function service(type: "module" | "commonjs", signature: string): string {
  const readline =
    type === "module"
      ? 'import { createInterface } from "node:readline";'
      : 'const { createInterface } = require("node:readline");';
  return `${readline}
const prices: number[] = [1, 2, 3];
${signature}
  return h.reduce((a: number, b: number) => a + b, 0);
}
createInterface({ input: process.stdin }).on("line", (line: string) => console.log(line + "=" + JSON.stringify(total(prices))));
console.log("ready");
`;
}

function project(type: "module" | "commonjs", text: string): string {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), "hf-ts-")));
  writeFileSync(join(dir, "package.json"), JSON.stringify({ type }));
  writeFileSync(join(dir, "app.ts"), text);
  return join(dir, "app.ts");
}

for (const { version, path, skip } of nodeBinaries()) {
  describe(`node ${version}: TypeScript syntax errors`, { skip }, () => {
    for (const type of ["module", "commonjs"] as const) {
      test(`${type}: a file that does not parse does not start, and says where`, async () => {
        const file = project(type, service(type, BROKEN));
        const run = await AgentRun.start(file, { node: path });
        const exit = await run.exited;
        assert.equal(exit.code, 1);
        assert.doesNotMatch(run.stdout, /ready/);
        const column = BROKEN.indexOf(")") + 1;
        assert.match(
          run.stderr,
          new RegExp(`^${file}:3\\n${BROKEN.replace(/[()[\]]/g, "\\$&")}\\n {${column - 1}}\\^\\n`, "m"),
        );
        assert.match(
          run.stderr,
          new RegExp(`^SyntaxError: '>' expected\\.\\n    at ${file}:3:${column}$`, "m"),
        );
        assert.doesNotMatch(run.stderr, /runtimes\/node\/agent/);
      });

      test(`${type}: a patch that does not parse is rejected at the error, the old code keeps running`, async () => {
        const file = project(type, service(type, GOOD));
        const run = await AgentRun.start(file, { node: path });
        try {
          await run.output("ready\n");
          assert.equal(await run.ask("total"), 6);
          const broken = await edit(run, file, [
            [GOOD, BROKEN],
            ["a + b, 0", "a + b, 100"],
          ]);
          assert.equal(broken.outcome, "rejected", JSON.stringify(broken));
          assert.equal(broken.error?.kind, "syntax");
          if (broken.error?.code !== undefined) assert.equal(broken.error.code, "syntax");
          assert.equal(broken.error?.message, "'>' expected.");
          assert.deepEqual([broken.error?.line, broken.error?.column], [3, BROKEN.indexOf(")") + 1]);
          assert.equal(await run.ask("total"), 6);
          const fixed = await edit(run, file, [[BROKEN, GOOD]]);
          assert.equal(fixed.outcome, "applied", JSON.stringify(fixed));
          assert.equal(await run.ask("total"), 106);
        } finally {
          run.kill();
        }
      });
    }
  });
}
