import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { CLI, makeProject, REPO } from "./helpers/hotframe.js";

/**
 * An edit-and-continue session in a real editor's DAP client: Emacs's dap-mode, in batch mode
 * (test/editors/dap-mode-session.el drives it as a user would: a breakpoint, launch, edit the
 * buffer and save it at the stop, the frame restarts, remove the breakpoint, continue). Runs where
 * Emacs and dap-mode are installed (Debian: `apt install emacs-nox elpa-dap-mode`), else skipped.
 */

const SESSION = join(REPO, "test", "editors", "dap-mode-session.el");

const found = spawnSync("emacs", ["--batch", "--eval", "(progn (package-initialize) (require 'dap-mode))"], {
  stdio: "ignore",
});
const skip = found.status === 0 ? false : "needs Emacs with dap-mode (apt install emacs-nox elpa-dap-mode)";

const PROGRAMS = {
  "app.py": `def compute(n):
    total = n * 2
    return total


results = []
for i in range(3):
    results.append(compute(i))
print("results", results)
`,
  "app.js": `function compute(n) {
  const total = n * 2;
  return total;
}

const results = [];
for (let i = 0; i < 3; i++) results.push(compute(i));
console.log("results", results.join(","));
`,
  "app.ts": `function compute(n: number): number {
  const total: number = n * 2;
  return total;
}

const results: number[] = [];
for (let i = 0; i < 3; i++) results.push(compute(i));
console.log("results", results.join(","));
`,
};

const OUTPUT = { "app.py": "results [0, 10, 20]", "app.js": "results 0,10,20", "app.ts": "results 0,10,20" };

for (const [file, source] of Object.entries(PROGRAMS) as [keyof typeof PROGRAMS, string][]) {
  test(
    `dap-mode (Emacs): ${file} stops at a breakpoint; the buffer edited and saved restarts compute() with the new code, dap-restart-frame restarts it again; the program ends with its result`,
    { skip },
    async () => {
      const dir = makeProject({ [file]: source });
      const emacs = spawn(
        "emacs",
        ["--batch", "-l", SESSION, `${process.execPath} ${CLI} dap`, join(dir, file), "2", "n * 2", "n * 10"],
        { cwd: dir, stdio: ["ignore", "pipe", "pipe"] },
      );
      let stdout = "";
      let stderr = "";
      emacs.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
      emacs.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
      const code = await new Promise<number | null>((resolve) => emacs.on("exit", resolve));
      assert.equal(code, 0, `${stdout}\n${stderr.slice(-2000)}`);
      assert.deepEqual(
        stdout.split("\n").filter((line) => /^(step|output): /.test(line)),
        [
          "step: stopped (breakpoint) at line 2",
          "step: hotframe/edit applied",
          "step: stopped (restart) at line 2",
          "step: restartFrame stopped (restart) at line 2",
          "step: exited with 0",
          `output: ${OUTPUT[file]}`,
        ],
      );
      assert.match(readFileSync(join(dir, file), "utf8"), /n \* 10/); // the editor's save
    },
  );
}
