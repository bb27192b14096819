/** Python start-up: a program importing 200 generated modules, `python3` vs `hotframe run`, wall time to exit. */
import { type BenchConfig, count } from "../lib/config.js";
import { hotframeArgs, runToExit } from "../lib/process.js";
import { rssRow, type Section, timeRow } from "../lib/report.js";
import { median, pairedRatio } from "../lib/stats.js";
import { clearCaches, copyFixture, freshDir, writeFile } from "../lib/work.js";
import { startupModule } from "./generate.js";

const MODULES = 200;

export async function pythonStartup(config: BenchConfig): Promise<Section> {
  const dir = freshDir("py-startup");
  copyFixture("python/startup_main.py", dir);
  writeFile(dir, "mods/__init__.py", "");
  for (let i = 0; i < MODULES; i++)
    writeFile(dir, `mods/m${String(i).padStart(4, "0")}.py`, startupModule(i));
  // Bytecode caches on, as for most users (this machine sets PYTHONDONTWRITEBYTECODE=1).
  // A private temporary folder (outside the watched root), cleared with the other caches.
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    TMPDIR: freshDir("py-startup-tmp"),
  };
  delete env.PYTHONDONTWRITEBYTECODE;
  const plain = () => runToExit(config.python, ["startup_main.py"], { cwd: dir, env });
  const hot = () =>
    runToExit(
      config.node,
      hotframeArgs({ watch: dir, extra: ["--python", config.python] }, ["startup_main.py"]),
      {
        cwd: dir,
        env,
      },
    );
  const hello = {
    plain: () => runToExit(config.python, ["startup_main.py", "0"], { cwd: dir, env }),
    hot: () =>
      runToExit(
        config.node,
        hotframeArgs({ watch: dir, extra: ["--python", config.python] }, ["startup_main.py", "0"]),
        { cwd: dir, env },
      ),
  };
  const helloTimes = { plain: [] as number[], hot: [] as number[] };
  const times = {
    plainCold: [] as number[],
    plainWarm: [] as number[],
    hotCold: [] as number[],
    hotWarm: [] as number[],
  };
  const rss = {
    plain: [] as number[],
    hot: [] as number[],
    controller: [] as number[],
  };
  const failures: string[] = [];
  const n = count(config, 7, 2);
  config.log(`python start-up: ${n} rounds`);
  const record = (r: Awaited<ReturnType<typeof runToExit>>, into: number[], rssInto: number[]) => {
    const done = r.lines.find((l) => l.startsWith("done "));
    if (r.exit.code !== 0 || !done) {
      failures.push(
        `exit ${r.exit.code ?? r.exit.signal}: ${r.stderr.trim().split("\n").slice(-1)[0] ?? ""}`,
      );
      return;
    }
    into.push(r.wallMs);
    rssInto.push(Number(done.split(" ")[3]) / 1024);
    const controller = Number(done.split(" ")[4]);
    if (rssInto === rss.hot && controller > 0) rss.controller.push(controller / 1024);
  };
  for (let i = 0; i < n; i++) {
    clearCaches(dir);
    freshDir("py-startup-tmp");
    record(await plain(), times.plainCold, []);
    record(await plain(), times.plainWarm, rss.plain);
    clearCaches(dir);
    freshDir("py-startup-tmp");
    record(await hot(), times.hotCold, []);
    record(await hot(), times.hotWarm, rss.hot);
    record(await hello.plain(), helloTimes.plain, []);
    record(await hello.hot(), helloTimes.hot, []);
  }
  const cold = pairedRatio(times.hotCold, times.plainCold);
  const warm = pairedRatio(times.hotWarm, times.plainWarm);
  return {
    title: `Python: start-up, a program importing ${MODULES} modules (wall time to exit)`,
    method:
      `${n} rounds, each: clear bytecode/hotframe caches, run python3 twice (cold, warm), clear again, run ` +
      "`hotframe run` twice (cold, warm). Bytecode writing enabled (PYTHONDONTWRITEBYTECODE unset). RSS is the " +
      "program's own peak (ru_maxrss), without hotframe's controller process.",
    headers: ["", "python3", "hotframe run", "ratio (paired runs)", "difference"],
    rows: [
      timeRow(
        "a one-module program",
        helloTimes.plain,
        helloTimes.hot,
        pairedRatio(helloTimes.hot, helloTimes.plain),
      ),
      timeRow("cold (no caches)", times.plainCold, times.hotCold, cold),
      timeRow("warm (second start)", times.plainWarm, times.hotWarm, warm),
      rssRow("program peak RSS", rss.plain, rss.hot),
      ["hotframe controller RSS (node)", "–", `${median(rss.controller).toFixed(1)} MB`, "", ""],
    ],
    goals: [],
    notes: failures.slice(0, 3),
  };
}
