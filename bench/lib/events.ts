/** Reads hotframe's --events file (JSON Lines, docs/events.md). */
import { existsSync, readFileSync } from "node:fs";

export interface EditEvent {
  type: "edit";
  file: string;
  outcome: string;
  durationMs?: number;
  functions?: {
    qualname?: string;
    name?: string;
    status?: string;
    reason?: string;
  }[];
  error?: { message?: string };
}

export function readEvents(file: string): { type: string; [key: string]: unknown }[] {
  if (!existsSync(file)) return [];
  const events = [];
  for (const line of readFileSync(file, "utf8").split("\n")) {
    if (line.trim() === "") continue;
    try {
      events.push(JSON.parse(line));
    } catch {}
  }
  return events;
}

export function editEvents(file: string): EditEvent[] {
  return readEvents(file).filter((e) => e.type === "edit") as unknown as EditEvent[];
}
