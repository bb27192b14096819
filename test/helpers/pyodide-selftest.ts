import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { AGENT_DIR, FIXTURES, REPO } from "./python-paths.js";

/**
 * Child process of test/python-pyodide.test.ts: loads one Pyodide (one per process: two
 * versions in one process clash) and runs the in-process self-test of the agent in it.
 * Usage: node pyodide-selftest.js <npm package> <expected Python version>. Prints its output lines.
 */

interface Pyodide {
  FS: { mkdirTree(path: string): void; writeFile(path: string, data: string): void };
  runPython(code: string): unknown;
}
type LoadPyodide = (options: {
  indexURL: string;
  stdout: (line: string) => void;
  stderr: (line: string) => void;
}) => Promise<Pyodide>;

const [pkg = "", python = ""] = process.argv.slice(2);
const { loadPyodide } = (await import(pkg)) as { loadPyodide: LoadPyodide };
const pyodide = await loadPyodide({
  indexURL: join(REPO, "node_modules", pkg),
  stdout: (line) => console.log(line),
  stderr: (line) => console.log(`stderr: ${line}`),
});
const agent = "/hotframe/agent";
const tests = "/inprocess";
/** Copy the .py files of a folder of this machine into Pyodide's file system. */
function copyPython(from: string, to: string): void {
  pyodide.FS.mkdirTree(to);
  for (const name of readdirSync(from).filter((n) => n.endsWith(".py"))) {
    pyodide.FS.writeFile(`${to}/${name}`, readFileSync(join(from, name), "utf8"));
  }
}
copyPython(join(AGENT_DIR, "hotframe_agent"), `${agent}/hotframe_agent`);
copyPython(join(FIXTURES, "inprocess"), tests);
pyodide.FS.mkdirTree("/scratch");
pyodide.runPython(`
import sys, runpy
assert sys.version.startswith("${python}"), sys.version
sys.argv = ["${tests}/selftest.py", "${agent}", "/scratch"]
runpy.run_path("${tests}/selftest.py", run_name="__main__")
`);
