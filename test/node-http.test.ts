import assert from "node:assert/strict";
import { Agent, request } from "node:http";
import { join } from "node:path";
import { describe, test } from "node:test";
import { AgentRun } from "./helpers/node-agent.js";
import { nodeBinaries } from "./helpers/node-versions.js";
import { edit, entryName, FORMATS, imports, programDir } from "./helpers/node-programs.js";

/**
 * An HTTP server whose handler is edited while requests are in flight: no request fails, requests
 * already running finish as they started, and every request sent after the patch is answered by
 * the new code.
 */

function server(format: Parameters<typeof imports>[0]): string {
  const t = (a: string) => (format === "ts" ? a : "");
  return `${imports(format, { "node:http": "createServer, IncomingMessage, ServerResponse" })}
let served = 0;
const server = createServer(function handler(req${t(": IncomingMessage")}, res${t(": ServerResponse")}) {
  served++;
  setTimeout(() => {
    res.end("v1 " + served);
  }, 3);
});
server.listen(0, "127.0.0.1", () => {
  const address = server.address();
  console.log("port=" + (typeof address === "object" && address ? address.port : 0));
});
`.replace(
    "createServer, IncomingMessage, ServerResponse",
    format === "ts" ? "createServer, IncomingMessage, ServerResponse" : "createServer",
  );
}

function get(port: number, agent: Agent): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path: "/", agent }, (res) => {
      let body = "";
      res.setEncoding("utf8").on("data", (d: string) => {
        body += d;
      });
      res.on("end", () =>
        res.statusCode === 200 ? resolve(body) : reject(new Error(`status ${res.statusCode}`)),
      );
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end();
  });
}

for (const { version, path, skip } of nodeBinaries()) {
  describe(
    `node ${version}: HTTP server patched under load`,
    {
      skip,
    },
    () => {
      for (const format of FORMATS) {
        test(`${format}: no request fails; requests after the patch get the new handler`, async () => {
          const dir = programDir(format, { [entryName(format)]: server(format) });
          const file = join(dir, entryName(format));
          const run = await AgentRun.start(file, { node: path });
          const agent = new Agent({ keepAlive: true, maxSockets: 8 });
          let stop = false; // also when the test fails: the clients must not go on forever
          try {
            await run.output("port=");
            const port = Number(await run.until(() => run.stdout.match(/port=(\d+)\n/)?.[1], "port"));
            const bodies: string[] = [];
            const failures: unknown[] = [];
            let patchedAt = Number.POSITIVE_INFINITY;
            const after: string[] = [];
            const client = async () => {
              while (!stop) {
                const sent = bodies.length + after.length;
                const startedAfterPatch = Date.now() > patchedAt;
                try {
                  const body = await get(port, agent);
                  (startedAfterPatch ? after : bodies).push(body);
                } catch (error) {
                  failures.push(error);
                }
                run.wake();
                if (sent > 10_000) break;
              }
            };
            const clients = [client(), client(), client(), client()];
            await run.until(() => (bodies.length >= 40 ? true : undefined), "requests before the patch");
            const result = await edit(run, file, [['res.end("v1 " + served);', 'res.end("v2 " + served);']]);
            patchedAt = Date.now();
            assert.equal(result.outcome, "applied", JSON.stringify(result));
            await run.until(() => (after.length >= 40 ? true : undefined), "requests after the patch");
            stop = true;
            await Promise.all(clients);
            assert.deepEqual(failures, []);
            assert.ok(bodies.every((b) => /^v[12] \d+$/.test(b)));
            assert.ok(
              after.length > 0 && after.every((b) => b.startsWith("v2 ")),
              after.slice(0, 5).join(","),
            );
            const served = Number((after.at(-1) ?? "").split(" ")[1]);
            assert.ok(served >= bodies.length + after.length - 8, "state (the request count) was kept");
          } finally {
            stop = true;
            agent.destroy();
            run.kill();
          }
        });
      }
    },
  );
}
