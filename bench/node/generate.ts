/** Generated JavaScript sources (ES modules): a module of a given size with probe() in its middle, and start-up modules. */

/**
 * About 22 lines of ordinary code: a function, a class with a constructor, a method and a getter;
 * with `typed`, as TypeScript (annotations blanked out when it runs).
 */
function block(i: number, typed: boolean): string {
  const t = (annotation: string) => (typed ? annotation : "");
  return `export function compute${i}(items${t(": number[]")}, scale${t(": number")} = 2)${t(": number")} {
  let total = 0;
  for (const item of items) {
    if (item % 3 === ${i % 3}) total += item * scale;
  }
  return total;
}

export class Model${i} {
${typed ? "  value: number;\n" : ""}  constructor(value${t(": number")}) {
    this.value = value;
  }
  update(delta${t(": number")})${t(": number")} {
    this.value += delta;
    return this.value;
  }
  get doubled()${t(": number")} {
    return this.value * 2;
  }
}

`;
}

/**
 * A module of about `lines` lines whose probe() returns `value`; probe() sits in the middle and
 * starts with `added` comment lines (an edit that adds lines moves every function below it). With
 * `typed`, TypeScript.
 */
export function nodeModule(lines: number, value: number, added = 0, typed = false): string {
  const blocks = Math.max(1, Math.round(lines / 22));
  const parts = ["// Generated for hotframe's patch-latency benchmark.\nlet counter = 0;\n\n"];
  for (let i = 0; i < blocks; i++) {
    if (i === Math.floor(blocks / 2))
      parts.push(
        `export function probe() {\n${"  // added\n".repeat(added)}  counter++;\n  return ${value};\n}\n\n`,
      );
    parts.push(block(i, typed));
  }
  parts.push("export const calls = () => counter;\n");
  return parts.join("");
}

/** Module number i of the start-up program. */
export function startupModule(i: number): string {
  return `// Generated module ${i} for hotframe's start-up benchmark.
const TABLE = Array.from({ length: 20 }, (_, n) => n * ${i});

function helperA(x) {
  return x + ${i};
}

export function helperB(x, y = 3) {
  let total = 0;
  for (let n = 0; n < y; n++) total += helperA(x) * n;
  return total;
}

const pick = (values) => [...values].sort((a, b) => b - a).slice(0, 3);

export class Thing${i} {
  static kind = "thing";
  #size;
  constructor(size) {
    this.#size = size;
  }
  area() {
    return Math.PI * this.#size * this.#size;
  }
  static build(n) {
    return Array.from({ length: n }, (_, k) => new Thing${i}(k));
  }
  get label() {
    return \`\${Thing${i}.kind}-\${this.#size}\`;
  }
}

export function entry(x) {
  return helperB(x) + pick(TABLE).length + Thing${i}.build(2).length;
}
`;
}

export function startupMain(modules: number): string {
  const lines = [
    "// Generated: imports every start-up module, then reports its own and its parent's memory.",
  ];
  lines.push('import { readFileSync } from "node:fs";');
  for (let i = 0; i < modules; i++)
    lines.push(`import { entry as e${i} } from "./mods/m${String(i).padStart(4, "0")}.mjs";`);
  lines.push(`const entries = [${Array.from({ length: modules }, (_, i) => `e${i}`).join(", ")}];`);
  lines.push(`let total = 0;
for (const entry of entries) total += entry(1);
function controllerRss() {
  try {
    if (!readFileSync(\`/proc/\${process.ppid}/cmdline\`, "utf8").includes("cli/main.js")) return 0;
    const status = readFileSync(\`/proc/\${process.ppid}/status\`, "utf8");
    return Number(/VmRSS:\\s+(\\d+)/.exec(status)?.[1] ?? 0);
  } catch {
    return 0;
  }
}
const rssKB = Math.round(process.memoryUsage().rss / 1024);
console.log(\`done \${entries.length} \${total} \${rssKB} \${controllerRss()}\`);
`);
  return lines.join("\n");
}
