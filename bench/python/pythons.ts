/** The interpreters the Python benches measure: the one asked for, and the newest other one pyenv has. */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import type { BenchConfig } from "../lib/config.js";

export interface Python {
  path: string;
  version: string;
}

export function pythonsToMeasure(config: BenchConfig): Python[] {
  const version = (path: string) =>
    spawnSync(path, ["-c", "import platform; print(platform.python_version())"], {
      encoding: "utf8",
    }).stdout?.trim();
  const found = [{ path: config.python, version: version(config.python) ?? "?" }];
  const root = process.env.PYENV_ROOT ?? join(process.env.HOME ?? "/root", ".pyenv");
  const newest = spawnSync(
    "bash",
    ["-c", `ls -d ${root}/versions/3.1[2-9]* 2>/dev/null | sort -V | tail -1`],
    {
      encoding: "utf8",
    },
  ).stdout.trim();
  if (newest) {
    const path = join(newest, "bin", "python3");
    const v = version(path);
    if (v && v !== found[0]?.version) found.push({ path, version: v });
  }
  return found;
}
