/** Node realistic overhead: a node:http server's throughput, plain node vs `hotframe run`, interleaved. */
import { type BenchConfig, count } from "../lib/config.js";
import { hotframeArgs, LineProcess, runToExit } from "../lib/process.js";
import { ratioGoal, type Section } from "../lib/report.js";
import { median, ratio } from "../lib/stats.js";
import { copyFixture, freshDir } from "../lib/work.js";

const CONNECTIONS = 16;

async function serve(config: BenchConfig, dir: string, hot: boolean, warmMs: number, measureMs: number) {
  const args = hot ? hotframeArgs({ watch: dir }, ["http_server.mjs"]) : ["http_server.mjs"];
  const server = new LineProcess(config.node, args, { cwd: dir });
  try {
    const line = await server.waitForLine((l) => l.startsWith("listening "), 60_000);
    const port = line.split(" ")[1] ?? "";
    const load = await runToExit(
      config.node,
      ["http_load.mjs", port, String(warmMs), String(measureMs), String(CONNECTIONS)],
      { cwd: dir, timeoutMs: warmMs + measureMs + 30_000 },
    );
    const result = load.lines.find((l) => l.startsWith("result "));
    if (!result) throw new Error(`the load generator failed: ${load.stderr.trim().split("\n").slice(-1)[0]}`);
    return JSON.parse(result.slice("result ".length)) as {
      rps: number;
      errors: number;
    };
  } finally {
    await server.stop();
  }
}

export async function nodeHttp(config: BenchConfig): Promise<Section> {
  const dir = freshDir("node-http");
  for (const f of ["http_routes.mjs", "http_server.mjs", "http_load.mjs"]) copyFixture(`node/${f}`, dir);
  const pairs = count(config, 4, 1);
  const warmMs = count(config, 1500, 800);
  const measureMs = count(config, 3000, 1500);
  const plain: number[] = [];
  const hot: number[] = [];
  const ratios: number[] = [];
  const notes: string[] = [];
  config.log(`node http: ${pairs} pairs of ${measureMs} ms runs, ${CONNECTIONS} keep-alive connections`);
  for (let i = 0; i < pairs; i++) {
    try {
      const order = i % 2 === 0 ? [false, true] : [true, false];
      const got: Record<string, number> = {};
      for (const h of order) {
        const r = await serve(config, dir, h, warmMs, measureMs);
        if (r.errors) notes.push(`${r.errors} failed requests (${h ? "hotframe" : "plain"})`);
        got[String(h)] = r.rps;
      }
      const p = got.false as number;
      const q = got.true as number;
      plain.push(p);
      hot.push(q);
      ratios.push(p / q);
    } catch (error) {
      notes.push((error as Error).message.split("\n")[0] ?? "");
      if (notes.length > 2) break;
    }
  }
  const r = median(ratios);
  const rps = (v: number) => (Number.isFinite(v) ? `${Math.round(v).toLocaleString("en")} req/s` : "–");
  return {
    title: "Node: HTTP server throughput (realistic overhead)",
    method:
      "http_server.mjs (node:http, JSON route handlers in http_routes.mjs) on 127.0.0.1; a separate plain-node " +
      `load generator keeps ${CONNECTIONS} keep-alive connections busy (${warmMs} ms warm-up, ${measureMs} ms ` +
      `measured). ${pairs} plain/hotframe server pairs, interleaved. Overhead = plain req/s ÷ hotframe req/s ` +
      "(median over pairs). Client and server share the 2 cores, so this is the noisiest number here.",
    headers: ["", "node", "hotframe run", "overhead", "range of pair ratios"],
    rows: [
      [
        "throughput",
        rps(median(plain)),
        rps(median(hot)),
        ratio(r),
        ratios.length ? `${ratio(Math.min(...ratios))} – ${ratio(Math.max(...ratios))}` : "–",
      ],
    ],
    goals: [ratioGoal("Node overhead: HTTP server throughput (realistic)", 1.03, ratios)],
    notes,
  };
}
