import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The other Node majors the tests and the bench run on (package.json "config.extraNodes"), which
 * `npm run setup:nodes` (scripts/setup-nodes.mjs) installs for this platform into
 * .nodes/<major>/. The one place that knows where they are.
 */

const repo = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");

/** The command that installs the extra Node majors. */
const SETUP_NODES = "npm run setup:nodes";

export interface NodeBinary {
  /** The major version: "22". */
  version: string;
  /** The node binary; undefined when that version is not installed. */
  path: string | undefined;
  /** For node:test's `skip`: false, or why the tests of this version do not run and what to do. */
  skip: string | false;
}

/** The extra majors, as package.json lists them. */
function extraNodeMajors(): string[] {
  const pkg = JSON.parse(readFileSync(join(repo, "package.json"), "utf8")) as {
    config: { extraNodes: string };
  };
  return pkg.config.extraNodes.split(" ");
}

/** The installed binary of an extra major, or undefined. */
function extraNode(major: string): string | undefined {
  const path = join(repo, ".nodes", major, "node_modules", ".bin", "node");
  return existsSync(path) ? path : undefined;
}

/** The Node versions the end-to-end tests run on: the one running the tests, then the extra majors. */
export function nodeBinaries(): NodeBinary[] {
  const own: NodeBinary = {
    version: process.versions.node.split(".")[0] ?? "",
    path: process.execPath,
    skip: false,
  };
  return [
    own,
    ...extraNodeMajors().map((version): NodeBinary => {
      const path = extraNode(version);
      const skip = path ? false : `Node ${version} is not installed: run \`${SETUP_NODES}\` to test on it`;
      return { version, path, skip };
    }),
  ];
}
