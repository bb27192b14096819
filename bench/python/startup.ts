/** Python start-up: a program importing 200 generated modules, `python3` vs `hotframe run`, wall time to exit. */
import { type BenchConfig, count } from "../lib/config.js";
import { perProcessEnvSet, withoutPerProcessEnv } from "../lib/machine.js";
import { hotframeArgs, runToExit } from "../lib/process.js";
import { goal, ratioGoal, rssRow, type Section, timeRow } from "../lib/report.js";
import { median, ms } from "../lib/stats.js";
import { clearCaches, copyFixture, freshDir, writeFile } from "../lib/work.js";
import { startupModule } from "./generate.js";

const MODULES = 200;

type Times = { plainCold: number[]; plainWarm: number[]; hotCold: number[]; hotWarm: number[] };

/** hotframe / python3 of each round. */
const pairs = (hot: number[], plain: number[]) =>
  hot.slice(0, plain.length).map((h, i) => h / (plain[i] as number));

export async function pythonStartup(config: BenchConfig): Promise<Section> {
  const dir = freshDir("py-startup");
  copyFixture("python/startup_main.py", dir);
  writeFile(dir, "mods/__init__.py", "");
  for (let i = 0; i < MODULES; i++)
    writeFile(dir, `mods/m${String(i).padStart(4, "0")}.py`, startupModule(i));
  // A private temporary folder and user cache folder (hotframe's own code cache, used when
  // bytecode writing is off), outside the watched root, cleared with the other caches.
  const asSet: NodeJS.ProcessEnv = {
    ...process.env,
    TMPDIR: freshDir("py-startup-tmp"),
    XDG_CACHE_HOME: freshDir("py-startup-cache"),
  };
  delete asSet.PYTHONDONTWRITEBYTECODE;
  // The goal rows go without what Node 20 reads at each process start (bench/lib/machine.ts);
  // a machine that sets it gets the one-module row with it too.
  const base = withoutPerProcessEnv(asSet);
  const perProcessSet = perProcessEnvSet();
  // Bytecode writing on, as for most users, and off (this machine sets PYTHONDONTWRITEBYTECODE=1).
  const writing: NodeJS.ProcessEnv = { ...base };
  const notWriting: NodeJS.ProcessEnv = { ...base, PYTHONDONTWRITEBYTECODE: "1" };
  const plain = (env: NodeJS.ProcessEnv, args: string[] = []) =>
    runToExit(config.python, ["startup_main.py", ...args], { cwd: dir, env });
  const hot = (env: NodeJS.ProcessEnv, args: string[] = []) =>
    runToExit(
      config.node,
      hotframeArgs({ watch: dir, extra: ["--python", config.python] }, ["startup_main.py", ...args]),
      { cwd: dir, env },
    );
  const fresh = () => {
    clearCaches(dir);
    freshDir("py-startup-tmp");
    freshDir("py-startup-cache");
  };
  const helloTimes = { plain: [] as number[], hot: [] as number[] };
  const helloAsSet = { plain: [] as number[], hot: [] as number[] };
  const times: Times = { plainCold: [], plainWarm: [], hotCold: [], hotWarm: [] };
  const offTimes: Times = { plainCold: [], plainWarm: [], hotCold: [], hotWarm: [] };
  const rss = {
    plain: [] as number[],
    hot: [] as number[],
    controller: [] as number[],
  };
  const failures: string[] = [];
  const n = count(config, 7, 2);
  config.log(`python start-up: ${n} rounds`);
  const record = (r: Awaited<ReturnType<typeof runToExit>>, into: number[], rssInto: number[] = []) => {
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
    for (const [env, into] of [
      [writing, times],
      [notWriting, offTimes],
    ] as const) {
      fresh();
      record(await plain(env), into.plainCold);
      record(await plain(env), into.plainWarm, env === writing ? rss.plain : []);
      fresh();
      record(await hot(env), into.hotCold);
      record(await hot(env), into.hotWarm, env === writing ? rss.hot : []);
    }
    record(await plain(writing, ["0"]), helloTimes.plain);
    record(await hot(writing, ["0"]), helloTimes.hot);
    if (perProcessSet.length > 0) {
      record(await plain(asSet, ["0"]), helloAsSet.plain);
      record(await hot(asSet, ["0"]), helloAsSet.hot);
    }
  }
  const hello = median(helloTimes.hot) - median(helloTimes.plain);
  return {
    title: `Python: start-up, a program importing ${MODULES} modules (wall time to exit)`,
    method:
      `${n} rounds, each, with bytecode writing on (PYTHONDONTWRITEBYTECODE unset) and then off (=1): clear ` +
      "bytecode and hotframe caches, run python3 twice (cold, warm), clear again, run `hotframe run` twice (cold, " +
      "warm). With writing off, python3 compiles every module on every start, and hotframe keeps its instrumented " +
      "code in its own cache folder ($XDG_CACHE_HOME/hotframe). RSS is the program's own peak (ru_maxrss), without " +
      "hotframe's controller process. The runs go without NODE_EXTRA_CA_CERTS, as on most machines (Node 20 reads " +
      "those certificates as each process starts, before any of hotframe's code runs: python3 does not pay it, " +
      "hotframe's node does); a machine that sets it gets the one-module row with it too.",
    headers: ["", "python3", "hotframe run", "ratio (paired runs)", "difference"],
    rows: [
      timeRow("a one-module program", helloTimes.plain, helloTimes.hot),
      ...(helloAsSet.hot.length > 0
        ? [
            timeRow(
              `a one-module program, with this machine's ${perProcessSet.join(", ")}`,
              helloAsSet.plain,
              helloAsSet.hot,
            ),
          ]
        : []),
      timeRow("cold (no caches)", times.plainCold, times.hotCold),
      timeRow("warm (second start)", times.plainWarm, times.hotWarm),
      timeRow("PYTHONDONTWRITEBYTECODE=1, cold", offTimes.plainCold, offTimes.hotCold),
      timeRow("PYTHONDONTWRITEBYTECODE=1, second start", offTimes.plainWarm, offTimes.hotWarm),
      rssRow("program peak RSS", rss.plain, rss.hot),
      ["hotframe controller RSS (node)", "–", `${median(rss.controller).toFixed(1)} MB`, "", ""],
    ],
    goals: [
      ratioGoal(
        `Python start-up of ${MODULES} modules, second start`,
        1.2,
        pairs(times.hotWarm, times.plainWarm),
      ),
      ratioGoal(
        `Python start-up of ${MODULES} modules, second start, PYTHONDONTWRITEBYTECODE=1`,
        1.2,
        pairs(offTimes.hotWarm, offTimes.plainWarm),
      ),
      goal(
        "Python start-up of a one-module program",
        "≤ +60 ms",
        `+${ms(hello)}`,
        Number.isFinite(hello) ? hello <= 60 : undefined,
      ),
    ],
    notes: [
      ...failures.slice(0, 3),
      ...(perProcessSet.length > 0
        ? [
            `This machine sets ${perProcessSet.join(", ")}: the goal rows go without it; the row "with this ` +
              `machine's ${perProcessSet.join(", ")}" shows what it adds to hotframe's own node process.`,
          ]
        : []),
    ],
  };
}
