import { median, ms, pairedRatio, ratio } from "./stats.js";

/** What every benchmark hands back: a table, the goals it checked, and notes. */

export type GoalStatus = "met" | "missed" | "inconclusive" | "not measured";

export interface Goal {
  what: string;
  goal: string;
  measured: string;
  status: GoalStatus;
}

export interface Section {
  title: string;
  /** What was measured and how, in a sentence or two. */
  method: string;
  headers: string[];
  rows: string[][];
  goals: Goal[];
  notes: string[];
}

export function goal(what: string, goalText: string, measured: string, met: boolean | undefined): Goal {
  return {
    what,
    goal: goalText,
    measured,
    status: met === undefined ? "not measured" : met ? "met" : "missed",
  };
}

/** A section for a benchmark that could not run: says why instead of faking numbers. */
/**
 * A goal checked from ratios of interleaved pairs: inconclusive when the pairs disagree so much
 * (largest / smallest > 1.5) that the machine's noise, not hotframe, decides the verdict.
 */
export function ratioGoal(what: string, limit: number, pairRatios: number[]): Goal {
  const sorted = [...pairRatios].sort((a, b) => a - b);
  const lo = sorted[0] ?? Number.NaN;
  const hi = sorted[sorted.length - 1] ?? Number.NaN;
  const mid = median(sorted);
  const text = `${mid.toFixed(2)}× (pairs ${lo.toFixed(2)}–${hi.toFixed(2)}×)`;
  if (!Number.isFinite(mid))
    return {
      what,
      goal: `≤ ${limit.toFixed(2)}×`,
      measured: "–",
      status: "not measured",
    };
  const status = hi / lo > 1.5 ? "inconclusive" : mid <= limit ? "met" : "missed";
  return { what, goal: `≤ ${limit.toFixed(2)}×`, measured: text, status };
}

export function notMeasured(
  title: string,
  method: string,
  why: string,
  goals: Omit<Goal, "status">[],
): Section {
  return {
    title,
    method,
    headers: ["measurement", "result"],
    rows: [["all", `not measured: ${why}`]],
    goals: goals.map((g) => ({
      ...g,
      measured: `not measured: ${why}`,
      status: "not measured",
    })),
    notes: [],
  };
}

export function markdownTable(headers: string[], rows: string[][]): string {
  const esc = (cell: string) => cell.replace(/\|/g, "\\|").replace(/\n/g, " ");
  const lines = [`| ${headers.map(esc).join(" | ")} |`, `|${headers.map(() => "---").join("|")}|`];
  for (const row of rows) lines.push(`| ${row.map(esc).join(" | ")} |`);
  return lines.join("\n");
}

/** A plain-text rendering for the terminal. */
function textTable(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join("  ");
  return [line(headers), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}

export function renderSectionText(section: Section): string {
  const parts = [`== ${section.title}`, textTable(section.headers, section.rows)];
  for (const g of section.goals)
    parts.push(`goal ${g.status.toUpperCase()}: ${g.what}: goal ${g.goal}, measured ${g.measured}`);
  for (const n of section.notes) parts.push(`note: ${n}`);
  return parts.join("\n");
}

/** A start-up table row: label, plain and hotframe medians, the ratio of paired runs, the difference. */
export function timeRow(label: string, plain: number[], hot: number[]): string[] {
  return [
    label,
    ms(median(plain)),
    ms(median(hot)),
    ratio(pairedRatio(hot, plain)),
    ms(median(hot) - median(plain)),
  ];
}

/** A memory table row (values in MB): label, plain and hotframe medians, ratio, difference. */
export function rssRow(label: string, plain: number[], hot: number[]): string[] {
  const [p, h] = [median(plain), median(hot)];
  return [label, `${p.toFixed(1)} MB`, `${h.toFixed(1)} MB`, ratio(h / p), `${(h - p).toFixed(1)} MB`];
}
