import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { type EditEvent, HotframeRun, makeProject } from "./helpers/hotframe.js";
import { nodeBinaries } from "./helpers/node-versions.js";

/**
 * The names `hotframe run` prints after a save of a real program, as the user writes them: a
 * method `Greeter.wave()`, a route callback `app.get('/users') handler`, a timer callback
 * `setInterval callback`, an arrow by its const, a constant without parentheses, an arrow
 * returned by a factory by where it is; and ⚠, not ✓, while a function runs its old code.
 */

const PROGRAM = `const { createInterface } = require("node:readline");
const TAX_RATE = 0.2;
class Greeter {
  wave() { return "wave"; }
}
const app = { routes: {}, get(path, h) { this.routes[path] = h; } };
app.get('/users', () => "users");
let ticks = 0;
const timer = setInterval(() => { ticks += 1; }, 1000000);
const double = (x) => x * 2;
function makeCounter() { return () => 1; }
const counter = makeCounter();
let release;
async function waiter() { await new Promise((r) => { release = r; }); return "old"; }
waiter();
const commands = {
  state: () => [new Greeter().wave(), app.routes["/users"](), double(2), TAX_RATE, makeCounter()()],
};
const input = createInterface({ input: process.stdin });
input.on("line", (line) => console.log(line + "=" + JSON.stringify(commands[line]())));
input.on("close", () => clearInterval(timer));
console.log("ready");
`;

function save(run: HotframeRun, file: string, replacements: [string, string][]): Promise<EditEvent> {
  let text = readFileSync(file, "utf8");
  for (const [from, to] of replacements) {
    assert.ok(text.includes(from), from);
    text = text.replace(from, to);
  }
  const next = run.nextEdit();
  writeFileSync(file, text);
  return next;
}

for (const { version, path, skip } of nodeBinaries()) {
  describe(`node ${version}: names in the terminal`, { skip }, () => {
    test("a save names each definition as the user writes it; running-old is never ✓", async () => {
      const dir = makeProject({ "package.json": '{"type":"commonjs"}', "app.js": PROGRAM });
      const file = join(dir, "app.js");
      const run = new HotframeRun(dir, ["--node", path as string, "app.js"]);
      try {
        await run.stdoutLine(/^ready$/);
        const edited = await save(run, file, [
          ['return "wave"', 'return "wave!"'],
          ['() => "users"', '() => "users!"'],
          ["ticks += 1;", "ticks += 2;"],
          ["x * 2", "x * 3"],
          ["TAX_RATE = 0.2", "TAX_RATE = 0.25"],
          ["return () => 1;", "return () => 2;"],
        ]);
        assert.equal(edited.outcome, "applied", JSON.stringify(edited));
        const headline = await run.stderrLine(/^. app\.js {2}/);
        assert.equal(
          headline.replace(/ {2}\([\d.]+ ms\)$/, ""),
          "✓ app.js  Greeter.wave() updated, app.get('/users') handler updated, setInterval callback updated, " +
            "double() updated, arrow in makeCounter() updated, TAX_RATE updated",
        );
        run.write("state\n");
        assert.equal(await run.stdoutLine(/^state=/), 'state=["wave!","users!",6,0.25,2]');

        const from = run.stderr.length;
        const waiting = await save(run, file, [['return "old"', 'return "new"']]);
        assert.equal(waiting.functions[0]?.status, "running-old", JSON.stringify(waiting));
        const line = await run.stderrLine(/^. app\.js {2}waiter/, from);
        assert.match(line, /^⚠ app\.js {2}waiter\(\) running old code {2}\(/);
      } finally {
        run.child.stdin?.end();
        await run.ended();
      }
    });
  });
}
