import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { PROTOCOL_VERSION } from "../src/protocol/messages.js";
import { AgentRun } from "./helpers/node-agent.js";
import { commandLoop, edit, entryName, imports, label, programDir } from "./helpers/node-programs.js";
import { nodeBinaries } from "./helpers/node-versions.js";

/**
 * The Node agent keeps the rules of docs/protocol.md ("PatchResult", "The rules every agent
 * keeps") on a real program over the real pipe: protocol version, empty and unknown files, a
 * kind and a code on every entry that needs one, statements named by what they bind or by their
 * first line.
 */

const PROGRAM = `${imports("esm", { "node:readline": "createInterface" })}
const RATE = 2;
let hits = 0;
function total(n) {
  return n * RATE;
}
class Cart {
  size() {
    return "size v1";
  }
}
const cart = new Cart();
globalThis.routes = ["/health"];
const commands = {
  total: () => total(10),
  size: () => cart.size(),
  hits: () => hits,
};
${commandLoop("esm")}`;

function start(options: { node?: string; protocol?: string } = {}) {
  const dir = programDir("esm", { [entryName("esm")]: PROGRAM, "never.mjs": "export const x = 1;\n" });
  const file = join(dir, entryName("esm"));
  return { dir, file, run: AgentRun.start(file, options) };
}

describe("the Node agent keeps the protocol's rules", () => {
  for (const { version, path, skip } of nodeBinaries()) {
    test(
      `node ${version}: another protocol version stops the program before its code runs`,
      { skip },
      async () => {
        const other = String(PROTOCOL_VERSION + 1);
        const run = await start({ node: path, protocol: other }).run;
        const exit = await run.exited;
        assert.equal(exit.code, 2);
        assert.equal(
          run.stderr,
          `hotframe: this agent speaks protocol ${PROTOCOL_VERSION}, hotframe speaks ${other}: reinstall hotframe\n`,
        );
        assert.equal(run.stdout, "", "no user code ran");
      },
    );
  }

  test("an empty file, an unknown file; kinds, codes and names of the entries", async () => {
    const { dir, file, run: starting } = start();
    const run = await starting;
    try {
      await run.output("ready");

      for (const text of ["", " \n\t\n"]) {
        const result = await run.patch(file, text);
        assert.deepEqual(result, {
          outcome: "rejected",
          functions: [],
          error: {
            kind: "refused",
            code: "empty-file",
            message:
              "the file is empty: an edit that removes everything is not applied (restart the program for that)",
          },
        });
      }
      assert.equal(await run.ask("total"), 20, "the program runs on as it was");

      const never = join(dir, "never.mjs");
      const unknown = await run.patch(never, "export const x = 2;\n");
      assert.equal(unknown.outcome, "rejected");
      assert.equal(unknown.error?.kind, "refused");
      assert.equal(unknown.error?.code, "unknown-file");
      assert.match(unknown.error?.message ?? "", /is not a loaded module of the program/);

      const syntax = await edit(run, file, [["return n * RATE;", "return n * ;"]]);
      assert.equal(syntax.error?.kind, "syntax");
      assert.equal(syntax.error?.code, "syntax");
      writeFileSync(file, PROGRAM);

      const result = await run.patch(
        file,
        PROGRAM.replace("const RATE = 2;", "const RATE = 3;")
          .replace("let hits = 0;", "let hits = 5;")
          .replace('"size v1"', '"size v2"')
          .replace('["/health"]', '["/health", "/users"]'),
      );
      assert.equal(result.outcome, "partial", JSON.stringify(result));
      const byLabel = new Map(result.functions.map((f) => [label(f), f]));
      assert.deepEqual(byLabel.get("RATE"), {
        kind: "statement",
        name: "RATE",
        qualname: "<module>",
        status: "updated",
        code: "constant-readers",
        reason: "applied to 1 function(s) that read it: total",
        line: 2,
      });
      assert.equal(byLabel.get("hits")?.kind, "statement");
      assert.equal(byLabel.get("hits")?.status, "refused");
      assert.equal(byLabel.get("hits")?.code, "variable-keeps-value");
      const route = byLabel.get('globalThis.routes = ["/health", "/users"];');
      assert.equal(route?.qualname, "<module>");
      assert.equal(
        route?.code,
        "reassigned-statement",
        "an assignment runs again: it sets what a fresh start sets",
      );
      assert.deepEqual(
        { kind: byLabel.get("Cart.size")?.kind, name: byLabel.get("Cart.size")?.name },
        { kind: "function", name: "size" },
      );
      for (const entry of result.functions) {
        assert.ok(entry.kind, JSON.stringify(entry));
        if (entry.status === "refused" || entry.status === "running-old") assert.ok(entry.code);
      }
      assert.equal(await run.ask("total"), 30);
      assert.equal(await run.ask("size"), "size v2");
      assert.equal(await run.ask("hits"), 0);
    } finally {
      run.kill();
    }
  });
});
