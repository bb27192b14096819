import type { FunctionOutcome, PatchError, PatchResult } from "../../../../protocol/messages.js";
import type { ClassModel, FunctionModel, StatementModel } from "../model.js";
import { patternNames } from "../model/ast.js";
import type { Reason } from "../reasons.js";

/** The entries and results a patch answers with, named as docs/protocol.md says. */

type Status = FunctionOutcome["status"];

/** An entry with its reason: a refused or running-old one always has one (docs/protocol.md). */
function entry(
  fields: Omit<FunctionOutcome, "status" | "code" | "reason">,
  status: Status,
  why?: Reason,
): FunctionOutcome {
  if (status === "refused" || status === "running-old") {
    if (!why) throw new Error(`hotframe bug: a ${status} entry for ${fields.qualname} without a reason`);
    return { ...fields, status, code: why.code, reason: why.text };
  }
  return { ...fields, status, ...(why ? { code: why.code, reason: why.text } : {}) };
}

export function functionEntry(fn: FunctionModel, status: Status, why?: Reason): FunctionOutcome {
  return entry({ kind: "function", name: fn.name, qualname: fn.qualname, line: fn.line }, status, why);
}

export function classEntry(cls: ClassModel, status: Status, why?: Reason): FunctionOutcome {
  return entry({ kind: "class", name: cls.name, qualname: cls.qualname, line: cls.line }, status, why);
}

/** A top-level statement (or constant, or variable) of `source`. */
export function statementEntry(
  source: string,
  statement: Pick<StatementModel, "name" | "node" | "line">,
  status: Status,
  why?: Reason,
): FunctionOutcome {
  const name = statementName(source, statement);
  return entry({ kind: "statement", name, qualname: "<module>", line: statement.line }, status, why);
}

/** Longest name of a statement named by its text. */
const NAME_LENGTH = 60;

/**
 * What a statement binds (names joined by ", "), or for one that binds nothing its first line,
 * white space folded, cut to 60 characters with "…".
 */
function statementName(source: string, statement: Pick<StatementModel, "name" | "node">): string {
  if (statement.name) return statement.name;
  const node = statement.node;
  const bound = new Set<string>();
  if (node.type === "VariableDeclarator") patternNames(node.id, bound);
  else if (node.type === "ImportDeclaration") for (const s of node.specifiers) bound.add(s.local.name);
  if (bound.size > 0) return [...bound].join(", ");
  const line = (source.slice(node.start, node.end).split("\n")[0] ?? "").replace(/\s+/g, " ").trim();
  return line.length > NAME_LENGTH ? `${line.slice(0, NAME_LENGTH - 1)}…` : line;
}

/** Nothing changed: `error` says why; the entries listed are those refused on their own account. */
export function rejected(
  kind: PatchError["kind"],
  why: Reason,
  functions: FunctionOutcome[] = [],
  details: Pick<PatchError, "line" | "column" | "traceback"> = {},
): PatchResult {
  return {
    outcome: "rejected",
    functions: functions.filter((o) => o.status === "refused"),
    error: { kind, code: why.code, message: why.text, ...details },
  };
}

/** The message and stack of something thrown (by the program's code, or by a bug). */
export function thrown(error: unknown): { message: string; traceback: string | undefined } {
  return { message: String((error as Error)?.message ?? error), traceback: (error as Error)?.stack };
}
