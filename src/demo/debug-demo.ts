import { spawn } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { stripVTControlCharacters } from "node:util";
import { packagePath } from "../paths.js";
import type { DebugDemoScript } from "./debug-scripts.js";

/**
 * Runs the example under the real `hotframe debug` (commands through its stdin, as a pipe
 * gives them), takes each step when hotframe shows what the step waits for, and checks that
 * every step was taken and that the program then ended normally with the expected output.
 */
export async function runDebugDemo(script: DebugDemoScript, color: boolean): Promise<boolean> {
  const bold = (text: string) => (color ? `\x1b[1m${text}\x1b[0m` : text);
  const say = (text: string) => process.stdout.write(`${text}\n`);
  const work = mkdtempSync(join(tmpdir(), `hotframe-demo-debug-${script.runtime}-`));
  cpSync(packagePath("examples", script.runtime), work, { recursive: true });
  const source = join(work, script.entry);
  say(bold(`\n── hotframe demo: ${script.title}`));
  say(`   debugging ${script.entry}; the commands below are typed, the edits saved to ${source}\n`);
  const child = spawn(
    process.execPath,
    [packagePath("dist", "src", "cli", "main.js"), "debug", "--no-color", script.entry],
    { cwd: work, stdio: ["pipe", "pipe", "pipe"], env: { ...process.env, FORCE_COLOR: "0" } },
  );
  const output: string[] = [];
  let next = 0;
  let ok = true;
  createInterface({ input: child.stdout }).on("line", (line) => {
    output.push(line);
    say(`   program  │ ${line}`);
  });
  createInterface({ input: child.stderr }).on("line", (line) => {
    say(`   hotframe │ ${line}`);
    const step = script.steps[next];
    if (!step || !step.when.test(stripVTControlCharacters(line))) return;
    next++;
    for (const command of step.type ?? []) child.stdin.write(`${command}\n`);
    if (step.edit) {
      say(bold(`\n   ✎ edit: ${step.edit.title}`));
      const before = readFileSync(source, "utf8");
      if (!before.includes(step.edit.from)) {
        say(`   ✗ demo script out of date: '${step.edit.from.trim()}' not in ${script.entry}`);
        ok = false;
      }
      writeFileSync(source, before.replace(step.edit.from, step.edit.to));
    }
  });
  const code = await new Promise<number | null>((resolve) => child.on("exit", (c) => resolve(c)));
  say("");
  if (next < script.steps.length) {
    say(`   ✗ hotframe never showed ${String(script.steps[next]?.when)}`);
    ok = false;
  }
  if (code !== 0 || output.join("\n") !== script.expectedOutput.join("\n")) {
    say(
      `   ✗ expected the program to print ${JSON.stringify(script.expectedOutput)} and exit 0 (it exited ${code})`,
    );
    ok = false;
  }
  if (ok) say("   fixed in place: paused, edited, restarted and finished normally, in one process");
  rmSync(work, { recursive: true, force: true });
  return ok;
}
