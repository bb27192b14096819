import type { ClassModel, FunctionModel, ModuleModel, Region } from "../model.js";
import type { AnyNode } from "./ast.js";
import type { KeyCounter, KeyUse } from "./naming.js";
import { declaredNames } from "./parse.js";

/**
 * The incremental cache: what each top-level statement contributed to the last model built with
 * it (its piece), by statement node. reparse.ts hands the nodes of untouched statements to the
 * next parse, so a statement an edit did not touch keeps its piece and is not analysed again: a
 * patch costs in proportion to the edit, not to the module. This module knows nothing of how a
 * statement is analysed: it gets that as `Analyse`.
 */

/** What one top-level statement adds to a model. */
export interface Contribution extends Region {
  moduleNames: Set<string>;
}

/** The analysis of one statement, counting its key names on the `KeyCounter` given with it. */
export type Analyse = (statement: AnyNode) => Contribution;

/** The lists of a model, in source order; `splice` when made by `splice`. */
export interface ModelParts {
  functions: FunctionModel[];
  classList: ClassModel[];
  statements: ModuleModel["statements"];
  moduleNames: Set<string>;
  splice?: ModuleModel["splice"];
}

/**
 * A statement's piece. Its model depends only on its own text and on how many earlier functions
 * share a key name (`keys`), so it is reused when those counts come out the same. A piece knows
 * where its statement was, so it is moved along if the statement moved since.
 */
interface Piece extends Region {
  /** Position of the statement when the piece was made. */
  start: number;
  line: number;
  moduleNames: string[];
  /** Each key name the statement asked for, with the number it got. */
  keys: KeyUse[];
}

const pieceOf = new WeakMap<AnyNode, Piece>();

/** The model's lists, statement by statement: each one's piece if it can be reused, else analysed. */
export function piecewise(program: AnyNode, keys: KeyCounter, analyse: Analyse): ModelParts {
  const parts: ModelParts = {
    functions: [],
    classList: [],
    statements: [],
    moduleNames: new Set(),
  };
  for (const statement of program.body) {
    const piece = reuse(statement, keys) ?? record(statement, keys, analyse);
    for (const fn of piece.functions) parts.functions.push(fn);
    for (const cls of piece.classes) parts.classList.push(cls);
    for (const s of piece.statements) parts.statements.push(s);
    for (const name of piece.moduleNames) parts.moduleNames.add(name);
  }
  return parts;
}

/** A statement's piece from the previous build, if its keys come out the same (moved along). */
function reuse(statement: AnyNode, keys: KeyCounter): Piece | undefined {
  const piece = pieceOf.get(statement);
  if (!piece || !keys.replay(piece.keys)) return undefined;
  const moved = movePiece(piece, statement.start - piece.start, statement.loc.start.line - piece.line);
  pieceOf.set(statement, moved);
  return moved;
}

/** Analyse a statement and keep what it contributes as its piece. */
function record(statement: AnyNode, keys: KeyCounter, analyse: Analyse): Piece {
  const mark = keys.log.length;
  const found = analyse(statement);
  const piece: Piece = {
    start: statement.start,
    line: statement.loc.start.line,
    functions: found.functions,
    classes: found.classes,
    statements: found.statements,
    moduleNames: [...found.moduleNames],
    keys: keys.log.slice(mark),
  };
  pieceOf.set(statement, piece);
  return piece;
}

/**
 * The common edit, inside a function or two: the statements before and after the re-parsed ones
 * are the same nodes at the same places, and the re-parsed ones ask for the same keys and declare
 * the same names as before. Then the previous model is copied with only those statements
 * replaced: no work per function of the whole module (at 50,000 lines, the per-statement path
 * costs tens of milliseconds, mostly in filling maps and collecting them). Undefined when the
 * edit is not of that kind (`keys` is then spent: count again with a new one).
 */
export function splice(
  program: AnyNode,
  previous: ModuleModel,
  esm: boolean,
  keys: KeyCounter,
  analyse: Analyse,
): ModelParts | undefined {
  const oldBody: AnyNode[] = previous.program.body;
  const body: AnyNode[] = program.body;
  let head = 0;
  while (head < body.length && head < oldBody.length && body[head] === oldBody[head]) head++;
  let tail = 0;
  while (
    tail < body.length - head &&
    tail < oldBody.length - head &&
    body[body.length - 1 - tail] === oldBody[oldBody.length - 1 - tail]
  )
    tail++;
  const piecesOf = (statements: AnyNode[]) => statements.map((s) => pieceOf.get(s));
  const oldStatements = oldBody.slice(head, oldBody.length - tail);
  const removed = piecesOf(oldStatements);
  const before = piecesOf(oldBody.slice(0, head));
  if (head + tail === 0 || [...removed, ...before].some((p) => !p)) return undefined;
  const removedPieces = removed as Piece[];
  // Where the replaced statements' part of each list of the previous model is.
  const range = (of: (p: Piece) => unknown[]) => {
    const start = (before as Piece[]).reduce((n, p) => n + of(p).length, 0);
    return [start, removedPieces.reduce((n, p) => n + of(p).length, start)] as const;
  };
  const ranges = {
    functions: range((p) => p.functions),
    classes: range((p) => p.classes),
    statements: range((p) => p.statements),
  };
  const old: Region = {
    functions: previous.functions.slice(...ranges.functions),
    classes: previous.classList.slice(...ranges.classes),
    statements: previous.statements.slice(...ranges.statements),
  };
  const oldKeys = removedPieces.flatMap((p) => p.keys);
  const same = (a: unknown[], b: unknown[]) => JSON.stringify(a) === JSON.stringify(b);
  // A piece is what its statement contributed to the last model built with it: make sure that
  // was `previous` (a patch that was not applied may have built another one since).
  const keysOf = (r: { functions: { key: string }[]; classes: { key: string }[] }) =>
    [...r.functions, ...r.classes].map((x) => x.key).sort();
  const removedRegion = {
    functions: removedPieces.flatMap((p) => p.functions),
    classes: removedPieces.flatMap((p) => p.classes),
  };
  if (!same(keysOf(old), keysOf(removedRegion))) return undefined;
  // The re-parsed statements continue the counts of the key names before them.
  keys.continueFrom(oldKeys);
  const statements = body.slice(head, body.length - tail);
  const added = statements.map((statement) => record(statement, keys, analyse));
  if (
    keys.unknown ||
    !same(keys.log, oldKeys) ||
    !same(
      added.map((p) => p.moduleNames),
      removedPieces.map((p) => p.moduleNames),
    ) ||
    !same(declaredNames(statements, esm), declaredNames(oldStatements, esm))
  ) {
    for (const statement of statements) pieceOf.delete(statement);
    return undefined;
  }
  const region: Region = {
    functions: added.flatMap((p) => p.functions),
    classes: added.flatMap((p) => p.classes),
    statements: added.flatMap((p) => p.statements),
  };
  const splicedIn = <T>(all: T[], [start, end]: readonly [number, number], replacement: T[]): T[] =>
    all.slice(0, start).concat(replacement, all.slice(end));
  return {
    functions: splicedIn(previous.functions, ranges.functions, region.functions),
    classList: splicedIn(previous.classList, ranges.classes, region.classes),
    statements: splicedIn(previous.statements, ranges.statements, region.statements),
    // The statements declare the same names as before: the sets are the previous ones.
    moduleNames: previous.moduleNames,
    splice: { previous, removed: old, added: region },
  };
}

/**
 * A piece whose statement moved by `delta` characters and `lines` lines (reparse.ts moves the
 * nodes themselves, whole lines only: columns stay). The previous model keeps its own objects.
 */
function movePiece(piece: Piece, delta: number, lines: number): Piece {
  if (delta === 0 && lines === 0) return piece;
  const classes = new Map<ClassModel, ClassModel>();
  for (const cls of piece.classes) classes.set(cls, { ...cls, line: cls.line + lines });
  const functions = new Map<FunctionModel, FunctionModel>();
  for (const fn of piece.functions)
    functions.set(fn, {
      ...fn,
      line: fn.line + lines,
      endLine: fn.endLine + lines,
      headerStart: fn.headerStart + delta,
    });
  const cls = (c: ClassModel | undefined) => (c ? classes.get(c) : undefined);
  for (const fn of functions.values()) {
    fn.parent = fn.parent ? functions.get(fn.parent) : undefined;
    if ([...fn.free.values()].some((origin) => typeof origin === "object"))
      fn.free = new Map(
        [...fn.free].map(([name, origin]) => [
          name,
          typeof origin === "object" ? (functions.get(origin) as FunctionModel) : origin,
        ]),
      );
    fn.memberOf = cls(fn.memberOf);
    fn.withinClass = cls(fn.withinClass);
    fn.children = fn.children.map((child) => functions.get(child) as FunctionModel);
  }
  return {
    ...piece,
    start: piece.start + delta,
    line: piece.line + lines,
    functions: [...functions.values()],
    classes: [...classes.values()],
    statements: piece.statements.map((s) => ({ ...s, line: s.line + lines })),
  };
}
