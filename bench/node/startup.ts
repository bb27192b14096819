/** Node start-up: a program loading 1,000 modules, `node` vs `hotframe run` (first and second start), and RSS. */
import { type BenchConfig, count } from "../lib/config.js";
import { hotframeArgs, runToExit } from "../lib/process.js";
import { rssRow, type Section, timeRow } from "../lib/report.js";
import { median, pairedRatio } from "../lib/stats.js";
import { clearCaches, freshDir, writeFile } from "../lib/work.js";
import { startupMain, startupModule } from "./generate.js";

const MODULES = 1000;

export async function nodeStartup(config: BenchConfig): Promise<Section> {
  const dir = freshDir("node-startup");
  for (let i = 0; i < MODULES; i++)
    writeFile(dir, `mods/m${String(i).padStart(4, "0")}.mjs`, startupModule(i));
  writeFile(dir, "main.mjs", startupMain(MODULES));
  writeFile(dir, "hello.mjs", startupMain(0));
  // hotframe caches instrumented modules under the temporary folder: a private one, outside the
  // watched root, that a first start can clear without touching anyone else's cache.
  const tmp = freshDir("node-startup-tmp");
  const env = { ...process.env, TMPDIR: tmp };
  const plain = () => runToExit(config.node, ["main.mjs"], { cwd: dir, env });
  const hot = () =>
    runToExit(config.node, hotframeArgs({ watch: dir }, ["main.mjs"]), {
      cwd: dir,
      env,
    });
  const t = {
    plain: [] as number[],
    hotFirst: [] as number[],
    hotSecond: [] as number[],
    helloPlain: [] as number[],
    helloHot: [] as number[],
  };
  const rss = {
    plain: [] as number[],
    hot: [] as number[],
    controller: [] as number[],
  };
  const failures: string[] = [];
  const record = (r: Awaited<ReturnType<typeof runToExit>>, into: number[], rssInto?: number[]) => {
    const done = r.lines.find((l) => l.startsWith("done "));
    if (r.exit.code !== 0 || !done) {
      failures.push(
        `exit ${r.exit.code ?? r.exit.signal}: ${r.stderr.trim().split("\n").slice(-1)[0] ?? ""}`,
      );
      return;
    }
    into.push(r.wallMs);
    const [, , , own, controller] = done.split(" ").map(Number);
    rssInto?.push((own ?? 0) / 1024);
    if (rssInto === rss.hot && controller) rss.controller.push(controller / 1024);
  };
  const n = count(config, 6, 2);
  config.log(`node start-up: ${n} rounds`);
  for (let i = 0; i < n; i++) {
    record(await plain(), t.plain, rss.plain);
    clearCaches(dir, [".hotframe-cache", ".cache"]);
    freshDir("node-startup-tmp");
    record(await hot(), t.hotFirst);
    record(await hot(), t.hotSecond, rss.hot);
    record(await runToExit(config.node, ["hello.mjs"], { cwd: dir, env }), t.helloPlain);
    record(
      await runToExit(config.node, hotframeArgs({ watch: dir }, ["hello.mjs"]), { cwd: dir, env }),
      t.helloHot,
    );
  }
  const first = pairedRatio(t.hotFirst, t.plain);
  const second = pairedRatio(t.hotSecond, t.plain);
  return {
    title: `Node: start-up, a program loading ${MODULES} ES modules (wall time to exit), and memory`,
    method:
      `${n} rounds, each: plain node once, then clear hotframe's transform cache and run \`hotframe run\` twice ` +
      "(first start: nothing cached; second start: transformed modules cached; TMPDIR, where hotframe keeps that " +
      "cache, is a private folder of the bench), then a one-module program plainly and under hotframe. RSS is the program's own at exit " +
      "(process.memoryUsage().rss); hotframe's controller process is listed separately.",
    headers: ["", "node", "hotframe run", "ratio (paired runs)", "difference"],
    rows: [
      timeRow("a one-module program", t.helloPlain, t.helloHot, pairedRatio(t.helloHot, t.helloPlain)),
      timeRow("first start (no cache)", t.plain, t.hotFirst, first),
      timeRow("second start (cache)", t.plain, t.hotSecond, second),
      rssRow("program RSS at exit", rss.plain, rss.hot),
      ["hotframe controller RSS", "–", `${median(rss.controller).toFixed(1)} MB`, "", ""],
    ],
    goals: [],
    notes: failures.slice(0, 3),
  };
}
