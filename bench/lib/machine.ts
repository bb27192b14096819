/** The machine a run was measured on: goes at the top of docs/benchmarks.md. */
import { execFileSync } from "node:child_process";
import { cpus, loadavg, totalmem } from "node:os";

export interface Machine {
  date: string;
  cores: number;
  cpu: string;
  memoryGB: number;
  node: string;
  python: string;
  os: string;
  loadAtStart: string;
}

export function describeMachine(python: string): Machine {
  let pythonVersion = "not found";
  try {
    pythonVersion = execFileSync(python, ["--version"], {
      encoding: "utf8",
    }).trim();
  } catch {}
  let os = `${process.platform} ${process.arch}`;
  try {
    os = execFileSync("uname", ["-sr"], { encoding: "utf8" }).trim();
  } catch {}
  const info = cpus();
  return {
    date: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
    cores: info.length,
    cpu: info[0]?.model.trim() ?? "unknown",
    memoryGB: Math.round(totalmem() / 1024 ** 3),
    node: process.version,
    python: pythonVersion,
    os,
    loadAtStart: loadavg()
      .map((l) => l.toFixed(2))
      .join(" / "),
  };
}

/**
 * Environment that Node 20 reads as each process starts, before any JavaScript runs: the
 * certificates of NODE_EXTRA_CA_CERTS (~75 ms of CPU each start here; Node 22+ loads them when
 * TLS first needs them). hotframe cannot avoid it in its own process, and most machines do not set
 * it: the start-up goals are measured without it, and a row with it says what this machine adds.
 */
const PER_PROCESS_ENV = ["NODE_EXTRA_CA_CERTS"];

/** `env` without the per-process variables. */
export function withoutPerProcessEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const copy = { ...env };
  for (const name of PER_PROCESS_ENV) delete copy[name];
  return copy;
}

/** The per-process variables this machine sets. */
export function perProcessEnvSet(): string[] {
  return PER_PROCESS_ENV.filter((name) => process.env[name] !== undefined);
}
