import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { ATTACH_ARGUMENTS, LAUNCH_ARGUMENTS } from "../../src/editor/debug-arguments.js";
import { REPO } from "./python-paths.js";

/**
 * extension/package.json's `configurationAttributes` are generated from src/editor/debug-arguments.ts
 * (the one definition of the launch and attach arguments). test/extension.test.ts fails when the
 * checked-in manifest is not what that module gives; then run
 * `node dist/test/helpers/extension-manifest.js` to write it again.
 */
export const MANIFEST_FILE = join(REPO, "extension", "package.json");

export interface Manifest {
  name: string;
  version: string;
  main: string;
  activationEvents: string[];
  contributes: {
    debuggers: {
      type: string;
      languages: string[];
      configurationAttributes: Record<"launch" | "attach", { properties: Record<string, unknown> }>;
      initialConfigurations: Record<string, unknown>[];
      configurationSnippets: { label: string; body: Record<string, unknown> }[];
    }[];
  };
}

export function checkedInManifest(): string {
  return readFileSync(MANIFEST_FILE, "utf8");
}

/** The checked-in manifest with its configuration attributes as the module defines them. */
export function generateManifest(): string {
  const manifest = JSON.parse(checkedInManifest()) as Manifest;
  for (const debug of manifest.contributes.debuggers) {
    debug.configurationAttributes = {
      launch: { properties: { ...LAUNCH_ARGUMENTS } },
      attach: { properties: { ...ATTACH_ARGUMENTS } },
    };
  }
  return `${JSON.stringify(manifest, null, 2)}\n`;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  writeFileSync(MANIFEST_FILE, generateManifest());
  console.log(`wrote ${MANIFEST_FILE}`);
}
