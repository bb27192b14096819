/** Node start-up: a program loading 1,000 modules, `node` vs `hotframe run` (first and second start), and RSS. */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { type BenchConfig, count } from "../lib/config.js";
import { perProcessEnvSet, withoutPerProcessEnv } from "../lib/machine.js";
import { nodeBinaries } from "../../test/helpers/node-versions.js";
import { hotframeArgs, runToExit } from "../lib/process.js";
import { type Goal, goal, ratioGoal, rssRow, type Section, timeRow } from "../lib/report.js";
import { median, ms } from "../lib/stats.js";
import { clearCaches, freshDir, writeFile } from "../lib/work.js";
import { startupMain, startupModule } from "./generate.js";

const MODULES = 1000;
/** The newest Node installed (`npm run setup:nodes`): its hooks run in the program's thread (module.registerHooks). */
const NEWEST_NODE = nodeBinaries()
  .filter((n) => n.path !== undefined)
  .sort((a, b) => Number(b.version) - Number(a.version))[0]?.path;
/** Issue 9's start-up goals: a one-module program, and a second start (modules cached). */
const ONE_MODULE_GOAL_MS = 100;
const SECOND_START_GOAL = 1.5;
/**
 * A program that does nothing and is no node: `hotframe run --node /bin/true` times hotframe's
 * controller alone (its start, the spawn, the program's exit), the part of a one-module start that
 * is not the program's process.
 */
const NO_PROGRAM = "/bin/true";

export async function nodeStartup(config: BenchConfig): Promise<Section> {
  const dir = freshDir("node-startup");
  for (let i = 0; i < MODULES; i++)
    writeFile(dir, `mods/m${String(i).padStart(4, "0")}.mjs`, startupModule(i));
  writeFile(dir, "main.mjs", startupMain(MODULES));
  writeFile(dir, "hello.mjs", startupMain(0));
  const nodes = [config.node];
  if (NEWEST_NODE && majorOf(nodeVersion(NEWEST_NODE)) !== majorOf(nodeVersion(config.node)))
    nodes.push(NEWEST_NODE);
  const rows: string[][] = [];
  const goals: Goal[] = [];
  const notes: string[] = [];
  for (const node of nodes) {
    const measured = await measure(config, node, dir);
    rows.push(...measured.rows);
    goals.push(...measured.goals);
    notes.push(...measured.failures.slice(0, 3));
  }
  const set = perProcessEnvSet();
  if (set.length > 0)
    notes.push(
      `This machine sets ${set.join(", ")}: the goal rows go without it, as on most machines; the row "with this ` +
        `machine's ${set.join(", ")}" runs the one-module program with it (Node 20 loads those certificates as each ` +
        "process starts: plain node once, hotframe twice, its own process and the program's).",
    );
  const n = count(config, 6, 2);
  return {
    title: `Node: start-up, a program loading ${MODULES} ES modules (wall time to exit), and memory`,
    method:
      `Per Node version (the one running the bench, and the newest installed), ${n} rounds, each: plain node once, ` +
      "then clear hotframe's transform cache and run `hotframe run` twice (first start: nothing cached; second start: " +
      "transformed modules cached; TMPDIR, where hotframe keeps that cache, is a private folder of the bench), then a " +
      "one-module program plainly and under hotframe (the controller and the program on the same node), and hotframe's " +
      `controller alone (\`--node ${NO_PROGRAM}\`: its start, the spawn and the program's exit, no program process). RSS is the ` +
      "program's own at exit (process.memoryUsage().rss); hotframe's controller process is listed separately. " +
      "The goal rows go without NODE_EXTRA_CA_CERTS (Node 20 reads those certificates as each process starts, " +
      "before any of hotframe's code runs); a machine that sets it gets a row with it.",
    headers: ["", "node", "hotframe run", "ratio (paired runs)", "difference"],
    rows,
    goals,
    notes,
  };
}

function nodeVersion(node: string): string {
  try {
    return execFileSync(node, ["--version"], { encoding: "utf8" }).trim();
  } catch {
    return "";
  }
}

const majorOf = (version: string) => version.replace(/^v/, "").split(".")[0];

async function measure(
  config: BenchConfig,
  node: string,
  dir: string,
): Promise<{ rows: string[][]; goals: Goal[]; failures: string[] }> {
  const version = nodeVersion(node);
  const major = `Node ${majorOf(version)}`;
  // hotframe caches instrumented modules under the temporary folder: a private one, outside the
  // watched root, that a first start can clear without touching anyone else's cache.
  const tmpName = `node-startup-tmp-${major.replace(" ", "")}`;
  const asSet: NodeJS.ProcessEnv = { ...process.env, TMPDIR: freshDir(tmpName) };
  const env = withoutPerProcessEnv(asSet);
  const perProcessSet = perProcessEnvSet().length > 0;
  const plain = () => runToExit(node, ["main.mjs"], { cwd: dir, env });
  const hot = () => runToExit(node, hotframeArgs({ watch: dir }, ["main.mjs"]), { cwd: dir, env });
  const t = {
    plain: [] as number[],
    hotFirst: [] as number[],
    hotSecond: [] as number[],
    helloPlain: [] as number[],
    helloHot: [] as number[],
    helloPlainAsSet: [] as number[],
    helloHotAsSet: [] as number[],
    controllerAlone: [] as number[],
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
        `${major}: exit ${r.exit.code ?? r.exit.signal}: ${r.stderr.trim().split("\n").slice(-1)[0] ?? ""}`,
      );
      return;
    }
    into.push(r.wallMs);
    const [, , , own, controller] = done.split(" ").map(Number);
    rssInto?.push((own ?? 0) / 1024);
    if (rssInto === rss.hot && controller) rss.controller.push(controller / 1024);
  };
  const n = count(config, 6, 2);
  config.log(`node start-up (${version}): ${n} rounds`);
  for (let i = 0; i < n; i++) {
    record(await plain(), t.plain, rss.plain);
    clearCaches(dir, [".hotframe-cache", ".cache"]);
    freshDir(tmpName);
    record(await hot(), t.hotFirst);
    record(await hot(), t.hotSecond, rss.hot);
    record(await runToExit(node, ["hello.mjs"], { cwd: dir, env }), t.helloPlain);
    record(await runToExit(node, hotframeArgs({ watch: dir }, ["hello.mjs"]), { cwd: dir, env }), t.helloHot);
    if (perProcessSet) {
      record(await runToExit(node, ["hello.mjs"], { cwd: dir, env: asSet }), t.helloPlainAsSet);
      const hello = hotframeArgs({ watch: dir }, ["hello.mjs"]);
      record(await runToExit(node, hello, { cwd: dir, env: asSet }), t.helloHotAsSet);
    }
    if (existsSync(NO_PROGRAM)) {
      const alone = hotframeArgs({ watch: dir, extra: ["--node", NO_PROGRAM] }, ["hello.mjs"]);
      const r = await runToExit(node, alone, { cwd: dir, env });
      if (r.exit.code === 0) t.controllerAlone.push(r.wallMs);
      else failures.push(`${major}: hotframe run --node ${NO_PROGRAM}: exit ${r.exit.code ?? r.exit.signal}`);
    }
  }
  const secondPairs = t.hotSecond.map((h, i) => h / (t.plain[i] as number));
  const helloDifference = median(t.helloHot) - median(t.helloPlain);
  return {
    rows: [
      timeRow(`${major}: a one-module program`, t.helloPlain, t.helloHot),
      ...(t.helloHotAsSet.length > 0
        ? [
            timeRow(
              `${major}: a one-module program, with this machine's ${perProcessEnvSet().join(", ")}`,
              t.helloPlainAsSet,
              t.helloHotAsSet,
            ),
          ]
        : []),
      ...(t.controllerAlone.length > 0
        ? [
            timeRow(
              `${major}: of which hotframe's controller alone (program: ${NO_PROGRAM})`,
              t.helloPlain,
              t.controllerAlone,
            ),
          ]
        : []),
      timeRow(`${major}: first start (no cache)`, t.plain, t.hotFirst),
      timeRow(`${major}: second start (cache)`, t.plain, t.hotSecond),
      rssRow(`${major}: program RSS at exit`, rss.plain, rss.hot),
      [`${major}: hotframe controller RSS`, "–", `${median(rss.controller).toFixed(1)} MB`, "", ""],
    ],
    goals: [
      goal(
        `${major}: start-up overhead of a one-module program`,
        `≤ +${ONE_MODULE_GOAL_MS} ms`,
        `+${ms(helloDifference)}`,
        Number.isFinite(helloDifference) ? helloDifference <= ONE_MODULE_GOAL_MS : undefined,
      ),
      ratioGoal(`${major}: second start of ${MODULES} modules (cache)`, SECOND_START_GOAL, secondPairs),
    ],
    failures,
  };
}
