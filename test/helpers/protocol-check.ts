import { readFileSync } from "node:fs";
import { Ajv, type ValidateFunction } from "ajv";
import { join } from "node:path";
import { REPO } from "./python-paths.js";

/**
 * Holds what an agent sends to the protocol's JSON Schema (docs/protocol.schema.json, generated
 * from src/protocol/messages.ts). The agent helpers check every message they read, so every agent
 * test also checks shapes; validation lives in the tests only, the agents stay dependency-free.
 */

export const SCHEMA_FILE = join(REPO, "docs", "protocol.schema.json");

let validators: { message: ValidateFunction; result: ValidateFunction } | undefined;

function compiled(): { message: ValidateFunction; result: ValidateFunction } {
  if (!validators) {
    const ajv = new Ajv({ allErrors: true, strict: true });
    ajv.addSchema(JSON.parse(readFileSync(SCHEMA_FILE, "utf8")) as object, "protocol");
    validators = {
      message: ajv.compile({ $ref: "protocol#/definitions/AgentMessage" }),
      result: ajv.compile({ $ref: "protocol#/definitions/PatchResult" }),
    };
  }
  return validators;
}

/** What is wrong with `value`, one line per fault; [] when it is right. */
function faults(validate: ValidateFunction, value: unknown): string[] {
  if (validate(value)) return [];
  // A discriminated union is an if/then per member: the member's own faults are the ones to read.
  return (validate.errors ?? [])
    .filter((e) => e.keyword !== "if")
    .map((e) => `${e.instancePath || "/"} ${e.message ?? "is invalid"}`);
}

/** The faults of a message as the agent sent it. */
function messageFaults(message: unknown): string[] {
  return faults(compiled().message, message);
}

/** The faults of a patch result (one built by the controller, or an agent's). */
export function resultFaults(result: unknown): string[] {
  return faults(compiled().result, result);
}

/**
 * Watches what one agent sends: every message is kept (so the test still sees the answer), and
 * `check()`, called by the helpers whenever a test gets something from the agent, throws naming
 * each message that broke the schema since the last check (so one fault fails one wait).
 */
export class ShapeCheck {
  private faults: string[] = [];

  constructor(private readonly agent: string) {}

  observe(message: unknown): void {
    const found = messageFaults(message);
    if (found.length > 0)
      this.faults.push(`${found.join("; ")}\n    in ${JSON.stringify(message).slice(0, 2000)}`);
  }

  check(): void {
    if (this.faults.length === 0) return;
    const faults = this.faults;
    this.faults = [];
    throw new Error(
      `the ${this.agent} agent sent messages outside the protocol (docs/protocol.schema.json):\n  ${faults.join("\n  ")}`,
    );
  }
}
