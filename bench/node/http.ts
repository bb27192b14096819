/** Node realistic overhead: a node:http server, plain node vs `hotframe run`, taking turns. */
import { type BenchConfig, count } from "../lib/config.js";
import { hotframeArgs, LineProcess, runToExit } from "../lib/process.js";
import { ratioGoal, type Section } from "../lib/report.js";
import { median, ratio } from "../lib/stats.js";
import { copyFixture, freshDir } from "../lib/work.js";

const CONNECTIONS = 16;

interface Window {
  requests: number;
  ms: number;
  cpuMs: number;
  errors: number;
}

async function listen(config: BenchConfig, dir: string, hot: boolean) {
  const args = hot ? hotframeArgs({ watch: dir }, ["http_server.mjs"]) : ["http_server.mjs"];
  const server = new LineProcess(config.node, args, { cwd: dir });
  const line = await server
    .waitForLine((l) => l.startsWith("listening "), 60_000)
    .catch(async (error) => {
      await server.stop();
      throw error;
    });
  return { server, port: line.split(" ")[1] ?? "" };
}

export async function nodeHttp(config: BenchConfig): Promise<Section> {
  const dir = freshDir("node-http");
  for (const f of ["http_routes.mjs", "http_server.mjs", "http_load.mjs"]) copyFixture(`node/${f}`, dir);
  const pairs = count(config, 4, 1);
  const warmMs = count(config, 1500, 800);
  const windowMs = count(config, 500, 400);
  const windows = count(config, 8, 4);
  const cpuRatios: number[] = [];
  const rpsRatios: number[] = [];
  const plainCpu: number[] = [];
  const hotCpu: number[] = [];
  const notes: string[] = [];
  config.log(
    `node http: ${pairs} pairs of servers, ${windows} alternating ${windowMs} ms windows, ${CONNECTIONS} keep-alive connections`,
  );
  const perRequest = (w: Window) => (w.cpuMs * 1000) / w.requests;
  for (let i = 0; i < pairs; i++) {
    const servers: LineProcess[] = [];
    try {
      const plain = await listen(config, dir, false);
      servers.push(plain.server);
      const hot = await listen(config, dir, true);
      servers.push(hot.server);
      const load = await runToExit(
        config.node,
        ["http_load.mjs", plain.port, hot.port, ...[warmMs, windowMs, windows, CONNECTIONS].map(String)],
        { cwd: dir, timeoutMs: 2 * warmMs + 2 * windows * windowMs + 60_000 },
      );
      const line = load.lines.find((l) => l.startsWith("result "));
      if (!line) throw new Error(`the load generator failed: ${load.stderr.trim().split("\n").slice(-1)[0]}`);
      const { a, b } = JSON.parse(line.slice("result ".length)) as { a: Window[]; b: Window[] };
      const errors = [...a, ...b].reduce((n, w) => n + w.errors, 0);
      if (errors) notes.push(`${errors} failed requests`);
      cpuRatios.push(median(a.map((w, j) => perRequest(b[j] as Window) / perRequest(w))));
      rpsRatios.push(
        median(a.map((w, j) => w.requests / w.ms / ((b[j] as Window).requests / (b[j] as Window).ms))),
      );
      plainCpu.push(median(a.map(perRequest)));
      hotCpu.push(median(b.map(perRequest)));
    } catch (error) {
      notes.push((error as Error).message.split("\n")[0] ?? "");
      if (notes.length > 2) break;
    } finally {
      await Promise.all(servers.map((s) => s.stop()));
    }
  }
  const range = (rs: number[]) => (rs.length ? `${ratio(Math.min(...rs))} – ${ratio(Math.max(...rs))}` : "–");
  const us = (v: number) => (Number.isFinite(v) ? `${v.toFixed(0)} µs` : "–");
  return {
    title: "Node: HTTP server (realistic overhead)",
    method:
      "http_server.mjs (node:http, JSON route handlers in http_routes.mjs) on 127.0.0.1; a plain server and a " +
      `\`hotframe run\` server are both up and take turns under a plain-node load generator (${CONNECTIONS} ` +
      `keep-alive connections; ${warmMs} ms warm-up each, then ${windows} windows of ${windowMs} ms each, the ` +
      "order swapped every window). Around each window the generator reads the server's CPU time (GET /cpu, " +
      "process.cpuUsage()). Overhead = hotframe / plain server CPU time per request of adjacent windows, median " +
      `over windows, then over ${pairs} pairs of servers; throughput (plain req/s ÷ hotframe req/s) for ` +
      "comparison: client and servers share the 2 cores, so it is the noisier figure.",
    headers: ["", "node", "hotframe run", "overhead", "range over pairs"],
    rows: [
      [
        "server CPU per request",
        us(median(plainCpu)),
        us(median(hotCpu)),
        ratio(median(cpuRatios)),
        range(cpuRatios),
      ],
      ["throughput", "", "", ratio(median(rpsRatios)), range(rpsRatios)],
    ],
    goals: [ratioGoal("Node overhead: HTTP server, CPU per request (realistic)", 1.03, cpuRatios)],
    notes,
  };
}
