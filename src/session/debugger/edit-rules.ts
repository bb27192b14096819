import type { StackFrame } from "../../protocol/messages.js";

/** What an edit while paused does to the paused stack (`--restart-on-edit`):
 * top: restart the top frame when it was edited; deepest: restart the deepest edited frame that
 * can restart (the frames above it go with it); never: restart nothing (`restart N` does). */
export type RestartOnEdit = "top" | "deepest" | "never";

export const RESTART_ON_EDIT: readonly RestartOnEdit[] = ["top", "deepest", "never"];

/** The decision, as data: which frame restarts (its index, 0 = top), and which edited frames keep
 * running their old code, each with why. */
export interface RestartPlan {
  restart?: number;
  stillOld: { index: number; why: "not-restarted" | "cannot-restart" }[];
}

export function planRestart(frames: readonly StackFrame[], policy: RestartOnEdit): RestartPlan {
  const edited = frames.flatMap((frame, index) => (frame.runningOld ? [index] : []));
  const restartable = edited.filter((index) => frames[index]?.canRestart);
  let restart: number | undefined;
  if (policy === "top" && restartable[0] === 0) restart = 0;
  if (policy === "deepest") restart = restartable.at(-1);
  const stillOld = edited
    .filter((index) => restart === undefined || index > restart)
    .map((index) => ({
      index,
      why: frames[index]?.canRestart ? ("not-restarted" as const) : ("cannot-restart" as const),
    }));
  return restart === undefined ? { stillOld } : { restart, stillOld };
}
