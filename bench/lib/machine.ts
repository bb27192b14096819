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
