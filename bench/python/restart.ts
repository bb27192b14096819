/** The alternative a user has today: restart the process (state rebuilt, state lost) vs a hotframe patch. */
import { join } from "node:path";
import { type BenchConfig, count } from "../lib/config.js";
import { editSeries, parseProtocolLine, waitReady } from "../lib/latency.js";
import { hotframeArgs, LineProcess, sleep, wallNow } from "../lib/process.js";
import { goal, type Section } from "../lib/report.js";
import { median, ms, ratio } from "../lib/stats.js";
import { copyFixture, freshDir, writeFile } from "../lib/work.js";

const DOCUMENTS = 50_000;

function logic(k: number): string {
  return `"""Edited by the restart benchmark."""\n\n\ndef probe():\n    return ${k}\n`;
}

/** Edit, stop the old process, start a new one: file written → the new process is ready again. */
async function restarts(config: BenchConfig, dir: string, documents: number, n: number) {
  writeFile(dir, "logic.py", logic(0));
  let proc = new LineProcess(config.python, ["restart_prog.py", String(documents)], { cwd: dir });
  await waitReady(proc, 60_000);
  const latencies: number[] = [];
  const builds: number[] = [];
  try {
    for (let k = 1; k <= n; k++) {
      const writtenAt = wallNow();
      writeFile(dir, "logic.py", logic(k));
      await proc.stop();
      proc = new LineProcess(config.python, ["restart_prog.py", String(documents)], { cwd: dir });
      const ready = parseProtocolLine(await proc.waitForLine((l) => l.startsWith(`ready ${k} `), 60_000));
      latencies.push(ready.wallMs - writtenAt);
      builds.push(Number(ready.rest[0]));
    }
  } finally {
    await proc.stop();
  }
  return { latencies, build: median(builds) };
}

export async function pythonRestart(config: BenchConfig): Promise<Section> {
  const dir = freshDir("py-restart");
  copyFixture("python/restart_prog.py", dir);
  const n = count(config, 5, 2);
  config.log("python restart: plain python3 restarts");
  const withState = await restarts(config, dir, DOCUMENTS, n);
  const noState = await restarts(config, dir, 0, n);

  config.log("python restart: hotframe patches on the same program");
  writeFile(dir, "logic.py", logic(0));
  const proc = new LineProcess(
    config.node,
    hotframeArgs(
      {
        watch: dir,
        events: join(dir, "events.jsonl"),
        extra: ["--python", config.python],
      },
      ["restart_prog.py", String(DOCUMENTS)],
    ),
    { cwd: dir },
  );
  let patch: number[] = [];
  let failures: string[] = [];
  try {
    await waitReady(proc, 120_000);
    await sleep(300);
    const source = logic;
    await editSeries({
      proc,
      file: join(dir, "logic.py"),
      source,
      edits: 1,
      first: 1,
      gapMs: 200,
      timeoutMs: 15_000,
    });
    const series = await editSeries({
      proc,
      file: join(dir, "logic.py"),
      source,
      edits: count(config, 10, 4),
      first: 2,
      gapMs: 150,
      timeoutMs: 15_000,
    });
    patch = series.latencies;
    failures = series.failures;
  } finally {
    await proc.stop();
  }
  const hot = median(patch);
  const restart = median(withState.latencies);
  return {
    title: "Python: hotframe patch vs restarting the process",
    method:
      `The same program (restart_prog.py: builds an inverted index over ${DOCUMENTS.toLocaleString("en")} generated ` +
      "documents, then serves from it) is edited. Restart = the bench writes the file, stops the process and starts " +
      "`python3` again at once (an instant human; no watcher delay), until the new process is ready with the new code. " +
      "hotframe = the same edit patched into the running program.",
    headers: ["approach", "edit → program back where it was (median)", "state", "vs hotframe"],
    rows: [
      ["hotframe patch", ms(hot), "kept", "1×"],
      [
        `restart, state rebuilt (build ${ms(withState.build)})`,
        ms(restart),
        "lost, rebuilt",
        ratio(restart / hot),
      ],
      [
        "restart, program with no state (floor)",
        ms(median(noState.latencies)),
        "none",
        ratio(median(noState.latencies) / hot),
      ],
    ],
    goals: [
      goal(
        "Python patch vs restart (the bench's own check)",
        "faster than restarting a program with no state at all",
        `${ms(hot)} vs ${ms(median(noState.latencies))}`,
        Number.isFinite(hot) ? hot < median(noState.latencies) : undefined,
      ),
    ],
    notes: failures.slice(0, 3),
  };
}
