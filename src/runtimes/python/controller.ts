import { existsSync } from "node:fs";
import { join } from "node:path";
import { packagePath } from "../../paths.js";
import type { LaunchSpec } from "../agent-process.js";
import type { ProgramSpec, RuntimeController } from "../runtime.js";

/** The stdlib-only agent shipped inside the npm package (source, not compiled). */
const PYTHON_AGENT_DIR = packagePath("src", "runtimes", "python", "agent");
const BOOT_SCRIPT = join(PYTHON_AGENT_DIR, "hotframe_boot.py");

/** The interpreter `python3 app.py` would use here: the active virtualenv's, else python3. */
function defaultPython(): string {
  const venv = process.env.VIRTUAL_ENV;
  if (venv) {
    const candidate = join(venv, "bin", "python");
    if (existsSync(candidate)) return candidate;
  }
  return "python3";
}

export const pythonController: RuntimeController = {
  name: "python",
  sourceExtensions: [".py"],
  rootMarkers: ["pyproject.toml", "setup.py", "setup.cfg", ".git"],
  entryKinds: ["file", "module"],
  binaryOption: {
    flag: "--python",
    value: "<path>",
    help: "Python interpreter (default: the active virtualenv's python, else python3)",
  },
  debugs: true,
  async launch(program: ProgramSpec): Promise<LaunchSpec> {
    // The boot script checks the interpreter's version itself (one process start, not two) and
    // then runs the program exactly as `python3 app.py` / `python3 -m mod` would.
    const entry = program.entry.kind === "file" ? [program.entry.path] : ["-m", program.entry.name];
    return {
      command: program.runtimeBinary ?? defaultPython(),
      args: [...program.runtimeOptions, BOOT_SCRIPT, ...entry, ...program.args],
      env: {},
      cwd: program.cwd,
      root: program.root,
      instrumentDeps: program.instrumentDeps,
    };
  },
};
