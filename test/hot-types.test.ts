import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import type { HotContext } from "../hot.js";
import { HotApi } from "../src/runtimes/node/agent/hot-api.js";
import { makeProject, REPO } from "./helpers/hotframe.js";

// Checked when this file compiles: the declared API is the agent's, and misuse is an error.
const agentApi: HotContext = new HotApi();
export function misuse(): void {
  // @ts-expect-error: undefined when the program runs without hotframe
  import.meta.hot.accept();
  // @ts-expect-error: accept takes a callback
  import.meta.hot?.accept(42);
  // @ts-expect-error: data is mutated, never reassigned
  if (import.meta.hot) import.meta.hot.data = {};
}

const ESM = `
const hot = import.meta.hot;
const data = (hot?.data ?? {}) as { count?: number };
data.count ??= 0;
hot?.dispose((kept) => {
  kept.count = data.count;
});
hot?.accept((module) => void module);
export const count = (): number | undefined => data.count;
`;
const CJS = `
module.hot?.accept();
module.hot?.dispose((data) => void data);
export const ready: boolean = module.hot !== undefined;
`;

/** A user's project with hotframe installed (a link to this repository), checked by its own tsc. */
function userTsc(compilerOptions: Record<string, unknown>, files: Record<string, string>) {
  const dir = makeProject({
    ...files,
    "tsconfig.json": JSON.stringify({ compilerOptions: { strict: true, noEmit: true, ...compilerOptions } }),
  });
  mkdirSync(join(dir, "node_modules", "@types"), { recursive: true });
  symlinkSync(REPO, join(dir, "node_modules", "hotframe"));
  symlinkSync(join(REPO, "node_modules", "@types", "node"), join(dir, "node_modules", "@types", "node"));
  const tsc = join(REPO, "node_modules", "typescript", "bin", "tsc");
  const result = spawnSync(process.execPath, [tsc, "-p", dir], { cwd: dir, encoding: "utf8" });
  return { code: result.status, output: result.stdout + result.stderr };
}

test("a user's tsc accepts import.meta.hot and module.hot with types: ['hotframe/hot']", () => {
  assert.equal(typeof agentApi.accept, "function");
  const result = userTsc(
    { module: "nodenext", moduleResolution: "nodenext", types: ["hotframe/hot", "node"] },
    { "counter.mts": ESM, "legacy.cts": CJS },
  );
  assert.equal(result.code, 0, result.output);
});

test("the types also resolve without package exports (moduleResolution node10)", () => {
  const result = userTsc(
    { module: "esnext", moduleResolution: "node10", types: ["hotframe/hot"] },
    { "counter.ts": ESM },
  );
  assert.equal(result.code, 0, result.output);
});
