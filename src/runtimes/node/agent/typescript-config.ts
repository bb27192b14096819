import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { type DecoratorOptions, NO_DECORATOR_OPTIONS } from "./typescript-decorators.js";

/**
 * What a .ts file's tsconfig.json says about decorators (`experimentalDecorators`,
 * `emitDecoratorMetadata`): the nearest tsconfig.json above the file, with the files it
 * `extends` by a relative path (a package's preset sets neither). Read without the TypeScript
 * compiler (it is JSON with comments and trailing commas); looked up once per folder.
 */

const byFolder = new Map<string, DecoratorOptions>();

export function decoratorOptions(file: string): DecoratorOptions {
  const folder = dirname(file);
  let options = byFolder.get(folder);
  if (!options) {
    options = nearest(folder);
    byFolder.set(folder, options);
  }
  return options;
}

function nearest(folder: string): DecoratorOptions {
  for (let dir = folder; ; dir = dirname(dir)) {
    const options = read(join(dir, "tsconfig.json"), 0);
    if (options)
      return {
        legacy: options.experimentalDecorators === true,
        metadata: options.emitDecoratorMetadata === true,
      };
    if (dirname(dir) === dir) return NO_DECORATOR_OPTIONS;
  }
}

interface CompilerOptions {
  experimentalDecorators?: unknown;
  emitDecoratorMetadata?: unknown;
}

/** The compiler options of a tsconfig file and those it extends (undefined: no such file). */
function read(file: string, depth: number): CompilerOptions | undefined {
  let config: { extends?: unknown; compilerOptions?: CompilerOptions };
  try {
    config = JSON.parse(withoutComments(readFileSync(file, "utf8")));
  } catch {
    return undefined;
  }
  const bases = (Array.isArray(config.extends) ? config.extends : [config.extends]).filter(
    (e): e is string => typeof e === "string" && e.startsWith("."),
  );
  const inherited = depth < 8 ? bases.map((b) => read(resolve(dirname(file), b), depth + 1) ?? {}) : [];
  return Object.assign({}, ...inherited, config.compilerOptions);
}

/** JSON with comments and trailing commas as JSON (strings are kept as they are). */
function withoutComments(text: string): string {
  return text
    .replace(
      /("(?:\\.|[^"\\])*")|\/\/[^\n]*|\/\*[\s\S]*?\*\//g,
      (_match, string: string | undefined) => string ?? "",
    )
    .replace(/,(\s*[}\]])/g, "$1");
}
