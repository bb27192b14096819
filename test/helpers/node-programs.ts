import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { PatchResult } from "../../src/protocol/messages.js";
import type { AgentRun } from "./node-agent.js";

/** The module formats every patch case runs in. */
export type Format = "cjs" | "esm" | "ts";

export const FORMATS: Format[] = ["cjs", "esm", "ts"];

/** A fresh directory holding one program; TypeScript programs are ES modules (package type). */
export function programDir(format: Format, files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), `hf-${format}-`));
  writeFileSync(
    join(dir, "package.json"),
    JSON.stringify({ type: format === "cjs" ? "commonjs" : "module" }),
  );
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

export function entryName(format: Format, base = "app"): string {
  return `${base}.${format === "ts" ? "ts" : format === "esm" ? "mjs" : "cjs"}`;
}

/** Type annotations only in the TypeScript variant (blanked to spaces when it runs). */
export const typed = (format: Format) => (annotation: string) => (format === "ts" ? annotation : "");

export function imports(format: Format, names: Record<string, string>): string {
  return Object.entries(names)
    .map(([module, list]) =>
      format === "cjs" ? `const { ${list} } = require("${module}");` : `import { ${list} } from "${module}";`,
    )
    .join("\n");
}

/** The command loop every program ends with: one `name=<json>` line per command on stdin. */
export function commandLoop(format: Format): string {
  return `
createInterface({ input: process.stdin }).on("line", async (line${typed(format)(": string")}) => {
  const command = commands[line];
  try {
    console.log(\`\${line}=\${JSON.stringify(command ? await command() : "unknown")}\`);
  } catch (error) {
    console.log(\`\${line}!\${JSON.stringify(String(error))}\`);
  }
});
console.log("ready");
`;
}

/** Edit the file on disk (each replacement must match) and send the new text as a patch. */
export async function edit(
  run: AgentRun,
  file: string,
  replacements: [string, string][],
): Promise<PatchResult> {
  let text = readFileSync(file, "utf8");
  for (const [from, to] of replacements) {
    if (!text.includes(from)) throw new Error(`edit: ${JSON.stringify(from)} not in ${file}`);
    text = text.replace(from, to);
  }
  writeFileSync(file, text);
  return run.patch(file, readFileSync(file, "utf8"));
}

/** How a test names an entry: a function or class by its qualified name, a statement by its name. */
export function label(entry: PatchResult["functions"][number]): string {
  return entry.kind === "statement" ? entry.name : entry.qualname;
}

/** status of one entry of a result, by its label. */
export function statusOf(result: PatchResult, name: string): string | undefined {
  return result.functions.find((f) => label(f) === name)?.status;
}

/** Each entry of a result as `label status code`, the way a test compares them. */
export function entryLines(result: PatchResult): string[] {
  return result.functions.map((f) => `${label(f)} ${f.status}${f.code ? ` ${f.code}` : ""}`);
}
