import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** Where the Python agent and its test fixtures live (dist/test/helpers → the repository root). */
export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
export const AGENT_DIR = join(REPO, "src", "runtimes", "python", "agent");
export const BOOT = join(AGENT_DIR, "hotframe_boot.py");
export const FIXTURES = join(REPO, "test", "fixtures", "python");
