import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { createGenerator } from "ts-json-schema-generator";
import { SCHEMA_FILE } from "./protocol-check.js";
import { REPO } from "./python-paths.js";

/**
 * The JSON Schema of the protocol, generated from the TypeScript types of src/protocol/messages.ts
 * (the one source of truth) and checked in as docs/protocol.schema.json, for agent authors and for
 * the tests, which hold every message the agents send to it (protocol-check.ts).
 * test/protocol-schema.test.ts fails when the checked-in file is not what the types give; then run
 * `node dist/test/helpers/protocol-schema.js` to write it again.
 */

export function generateProtocolSchema(): string {
  const schema = createGenerator({
    path: join(REPO, "src", "protocol", "messages.ts"),
    tsconfig: join(REPO, "tsconfig.json"),
    type: "*",
    expose: "export",
    topRef: true,
    sortProps: true,
    skipTypeCheck: true, // tsc checks the types; the generator only reads them
  }).createSchema("*");
  return `${JSON.stringify(schema, null, 2)}\n`;
}

export function checkedInSchema(): string {
  return readFileSync(SCHEMA_FILE, "utf8");
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  writeFileSync(SCHEMA_FILE, generateProtocolSchema());
  console.log(`wrote ${SCHEMA_FILE}`);
}
