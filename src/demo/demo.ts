import { spawn } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { stripVTControlCharacters } from "node:util";
import { packagePath } from "../paths.js";
import { runDebugDemo } from "./debug-demo.js";
import { DEBUG_DEMOS } from "./debug-scripts.js";
import { DEMOS, type DemoScript } from "./scripts.js";

/** `hotframe demo [python|node]`: runs each demo, then the debugging sessions; 0 when every edit
 * did what it shows. */
export async function runDemo(which: "all" | "python" | "node", color: boolean): Promise<number> {
  const scripts = DEMOS.filter((d) => which === "all" || d.runtime === which);
  let failed = 0;
  for (const script of scripts) {
    if (!(await runOne(script, color))) failed++;
  }
  for (const script of DEBUG_DEMOS.filter((d) => which === "all" || d.runtime === which)) {
    if (!(await runDebugDemo(script, color))) failed++;
  }
  return failed === 0 ? 0 : 1;
}

/**
 * Runs the example under the real `hotframe run` (a child process, exactly as a user would), edits a
 * copy of its source the way a user would, and checks what the program did afterwards.
 */
async function runOne(script: DemoScript, color: boolean): Promise<boolean> {
  const bold = (text: string) => (color ? `\x1b[1m${text}\x1b[0m` : text);
  const say = (text: string) => process.stdout.write(`${text}\n`);
  const work = mkdtempSync(join(tmpdir(), `hotframe-demo-${script.runtime}-`));
  cpSync(packagePath("examples", script.runtime), work, { recursive: true });
  const source = join(work, script.entry);
  say(bold(`\n── hotframe demo: ${script.title}`));
  say(`   running ${script.entry} under hotframe; the edits below are made to ${source}\n`);

  const child = spawn(
    process.execPath,
    [
      packagePath("dist", "src", "cli", "main.js"),
      "run",
      ...(color ? [] : ["--no-color"]),
      script.entry,
      ...script.args,
    ],
    { cwd: work, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, FORCE_COLOR: color ? "1" : "0" } },
  );
  const programLines: string[] = [];
  const outcomes: string[] = [];
  let wake: (() => void) | undefined;
  const poke = () => wake?.();
  const until = (done: () => boolean) =>
    new Promise<void>((resolve) => {
      const check = () => {
        if (done() || child.exitCode !== null) {
          wake = undefined;
          resolve();
        }
      };
      wake = check;
      check();
    });
  createInterface({ input: child.stdout }).on("line", (line) => {
    programLines.push(line);
    say(`   program  │ ${line}`);
    poke();
  });
  createInterface({ input: child.stderr }).on("line", (line) => {
    say(`   hotframe │ ${line}`);
    const plain = stripVTControlCharacters(line);
    // One summary line per edit: "✓|⚠ file  …  (1.2 ms)" or "✗ file:line:col  … nothing changed …".
    const summary = plain.match(/^([✓⚠]) .*\(\d+\.\d ms\)$/) ?? plain.match(/^(✗) .*nothing changed/);
    if (summary?.[1]) outcomes.push(summary[1]);
    poke();
  });
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  child.on("exit", poke);

  let ok = true;
  await until(() => programLines.length >= script.linesBeforeEdits);
  for (const edit of script.edits) {
    say(bold(`\n   ✎ edit: ${edit.title}`));
    const before = readFileSync(source, "utf8");
    if (!before.includes(edit.from))
      throw new Error(`demo script out of date: '${edit.from}' not in ${script.entry}`);
    const expectedOutcomes = outcomes.length + 1;
    writeFileSync(source, before.replace(edit.from, edit.to));
    await until(() => outcomes.length >= expectedOutcomes);
    const got = outcomes[expectedOutcomes - 1];
    if (got !== edit.expect) {
      say(`   ✗ expected ${edit.expect} for this edit, hotframe said ${got ?? "nothing"}`);
      ok = false;
    }
    const linesNow = programLines.length;
    await until(() => programLines.length >= linesNow + script.linesAfterEach);
  }
  child.kill("SIGINT");
  const code = await exited;
  const counters = programLines.map((l) => script.counter.exec(l)?.[1]).filter((n) => n !== undefined);
  const continuous = counters.every((n, i) => i === 0 || Number(n) === Number(counters[i - 1]) + 1);
  say("");
  if (continuous && counters.length > 0) {
    say(
      `   state kept: ${script.counterName} ran ${counters[0]} → ${counters.at(-1)} in one process, never restarted`,
    );
  } else {
    say(`   ✗ the program's ${script.counterName} did not run on continuously: ${counters.join(", ")}`);
    ok = false;
  }
  if (code !== 0) {
    say(`   ✗ the program exited with ${code}`);
    ok = false;
  }
  rmSync(work, { recursive: true, force: true });
  return ok;
}
