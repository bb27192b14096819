import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, test } from "node:test";
import { AgentRun } from "./helpers/node-agent.js";
import { nodeBinaries } from "./helpers/node-versions.js";
import { edit, programDir } from "./helpers/node-programs.js";

/**
 * What a first save needs is prepared while the program is idle (prepare.ts): the patcher and
 * the parser load, TypeScript loads on hotframe's thread, the parser warms up, the running
 * models are built. Modules the program loads meanwhile must load and be patched as ever — a
 * CommonJS module imported from an ES module while the patcher's modules load is the case an
 * earlier preparation broke on Node 20 (`require()` of a module not yet fully loaded).
 */

const LIBRARIES = 16;

/** Imports lib<i>.cjs and lib<i>.ts one after the other, 120 ms apart: across the preparation. */
const APP = `import { createInterface } from "node:readline";
const loaded = [];
for (let i = 0; i < ${LIBRARIES}; i++) {
  await new Promise((resolve) => setTimeout(resolve, 120));
  loaded.push(await import(\`./lib\${i}.cjs\`), await import(\`./typed\${i}.ts\`));
}
createInterface({ input: process.stdin }).on("line", (line) =>
  console.log(line + "=" + JSON.stringify(loaded.map((m) => m.default?.value?.() ?? m.value()))),
);
console.log("ready");
`;

function files(): Record<string, string> {
  const out: Record<string, string> = { "app.mjs": APP };
  for (let i = 0; i < LIBRARIES; i++) {
    out[`lib${i}.cjs`] = `exports.value = function value() {\n  return "cjs${i}";\n};\n`;
    out[`typed${i}.ts`] = `export function value(): string {\n  return "ts${i}";\n}\n`;
  }
  return out;
}

for (const { version, path, skip } of nodeBinaries()) {
  describe(`node ${version}: modules loaded while the first save is prepared`, { skip }, () => {
    test("CommonJS and TypeScript imported from an ES module meanwhile load and are patched", async () => {
      const dir = programDir("esm", files());
      const run = await AgentRun.start(join(dir, "app.mjs"), { node: path });
      try {
        await run.output("ready\n");
        assert.deepEqual(
          run.messages.filter((m) => m.type === "warning"),
          [],
        );
        const expected = Array.from({ length: LIBRARIES }, (_, i) => [`cjs${i}`, `ts${i}`]).flat();
        assert.deepEqual(await run.ask("values"), expected);
        for (const i of [0, LIBRARIES / 2, LIBRARIES - 1]) {
          for (const [name, before] of [
            [`lib${i}.cjs`, `"cjs${i}"`],
            [`typed${i}.ts`, `"ts${i}"`],
          ] as const) {
            const result = await edit(run, join(dir, name), [[before, before.replace('"', '"new-')]]);
            assert.equal(result.outcome, "applied", `${name}: ${JSON.stringify(result)}`);
          }
          expected[2 * i] = `new-cjs${i}`;
          expected[2 * i + 1] = `new-ts${i}`;
        }
        assert.deepEqual(await run.ask("values"), expected);
      } finally {
        run.kill();
      }
    });
  });
}
