import { createRequire } from "node:module";
import type { blankSourceFile } from "ts-blank-space";
import type * as TypeScript from "typescript";
import type * as ModelModule from "./model.js";
import { type DecoratorOptions, NO_DECORATOR_OPTIONS } from "./typescript-decorators.js";
import { rewriteRuntimeSyntax, startOf } from "./typescript-rewrite.js";

const requireHere = createRequire(import.meta.url);

/** Loaded on the first TypeScript file: it pulls in the TypeScript compiler (~0.5 s to load). */
let compiler: { ts: typeof TypeScript; blank: typeof blankSourceFile } | undefined;
function load(): NonNullable<typeof compiler> {
  compiler ??= {
    ts: requireHere("typescript") as typeof TypeScript,
    blank: (requireHere("ts-blank-space") as { blankSourceFile: typeof blankSourceFile }).blankSourceFile,
  };
  return compiler;
}

/** Whether this thread has loaded TypeScript (typescript-thread.ts strips here then). */
export function typeScriptLoaded(): boolean {
  return compiler !== undefined;
}

/** TypeScript that parses but cannot be run by blanking its types out. */
export class TypeScriptError extends Error {
  constructor(
    message: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(message);
  }
}

function parse(ts: typeof TypeScript, source: string): TypeScript.SourceFile {
  return ts.createSourceFile(
    "input.ts",
    source,
    {
      languageVersion: ts.ScriptTarget.ESNext,
      impliedNodeFormat: ts.ModuleKind.ESNext,
      jsDocParsingMode: ts.JSDocParsingMode.ParseNone,
    },
    false,
    ts.ScriptKind.TS,
  );
}

/** What typescript-rewrite.ts leaves as it is, and so what runs through the TypeScript compiler. */
const NOT_ERASABLE =
  "an enum member that is not a constant, a namespace that exports a let or var or has an `import x =` alias, a namespace or enum merged with another declaration of its name, an enum or namespace inside a function, a TS 5 standard decorator (a legacy one without tsconfig.json's experimentalDecorators), or a parameter property that is destructured or in a derived constructor without a leading super(…) call";

/** 1-based line and column of an offset. */
function position(source: string, offset: number): { line: number; column: number } {
  const before = source.slice(0, offset);
  return { line: before.split("\n").length, column: offset - before.lastIndexOf("\n") };
}

/**
 * Type stripping that keeps positions: every type annotation becomes spaces, so each line and
 * column of the .ts file is the same in the JavaScript that runs (stack traces, breakpoints and
 * per-function diffs need no source map). TypeScript's parser recovers from syntax errors (it
 * would blank a broken annotation out and run the rest): its own diagnostics of the same parse
 * make them errors, thrown as the agent's ParseError (a syntax error, like one acorn finds).
 * Parameter properties, enums and namespaces are rewritten first into JavaScript of the same line
 * layout (typescript-rewrite.ts); what is left that cannot be blanked out is refused with its
 * position (TypeScriptError).
 */
export function stripTypes(typed: string, decorators: DecoratorOptions = NO_DECORATOR_OPTIONS): string {
  const { ts, blank } = load();
  let source = typed;
  let sourceFile = parse(ts, source);
  const diagnostic = (sourceFile as unknown as { parseDiagnostics: TypeScript.DiagnosticWithLocation[] })
    .parseDiagnostics[0];
  if (diagnostic) {
    const { line, column } = position(source, diagnostic.start);
    // The parser loads here only for broken TypeScript: model.ts pulls in acorn.
    const { ParseError } = requireHere("./model.js") as typeof ModelModule;
    throw new ParseError(ts.flattenDiagnosticMessageText(diagnostic.messageText, " "), line, column);
  }
  let unsupported: { start: number; text: string } | undefined;
  const refuse = (node: TypeScript.Node) => {
    const start = startOf(sourceFile, node);
    unsupported ??= { start, text: source.slice(start, node.end).split("\n")[0] ?? "" };
  };
  const rewritten = rewriteRuntimeSyntax(ts, sourceFile, decorators);
  if (rewritten.refused) refuse(rewritten.refused);
  else if (rewritten.text !== source) {
    source = rewritten.text;
    sourceFile = parse(ts, source);
  }
  const js = blank(sourceFile, refuse);
  if (unsupported) {
    const { line, column } = position(source, unsupported.start);
    throw new TypeScriptError(
      `TypeScript syntax that cannot be run by stripping types: \`${unsupported.text.slice(0, 60)}\` (${NOT_ERASABLE}: restart to apply a change, or build the file with tsc and run the JavaScript)`,
      line,
      column,
    );
  }
  return js;
}
