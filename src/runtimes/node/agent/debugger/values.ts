import type { DebugCommands, Scope, Variable } from "../../../../protocol/messages.js";
import { reason } from "../reasons.js";
import type { CallFrame, Inspector, RemoteObject, V8Scope } from "./inspector.js";
import { isInstrumentationName } from "../names.js";
import { Refusal } from "./refusal.js";
import { SUPPORT_KEY } from "./support.js";

/** The page of children `variables` sends when it is not told how many (as the Python agent does). */
const PAGE = 100;
/** Frame arguments are cut to this many characters (`order=Order { n: 3, … }`). */
const ARGUMENT_WIDTH = 60;

const SUPPORT = `globalThis[Symbol.for(${JSON.stringify(SUPPORT_KEY)})]`;

/** What a variablesReference stands for during one pause. */
type Reference =
  | { kind: "value"; objectId: string; length?: number }
  | {
      kind: "scope";
      objectId: string;
      frame: CallFrame;
      scopeNumber: number;
      /** The restart guard's try block (the function body's own let/const), shown with the function's locals. */
      body?: { objectId: string; scopeNumber: number };
    };

interface Property {
  name: string;
  value?: RemoteObject;
}

/**
 * Values of the paused program, through the inspector: scopes, variables a page at a time (a list
 * of a million items is never sent whole), evaluation in a frame (side effects allowed, as in pdb)
 * and assignment. References are valid during one pause.
 */
export class Values {
  private references = new Map<number, Reference>();
  private next = 1;

  constructor(private readonly inspector: Inspector) {}

  reset(): void {
    this.references.clear();
  }

  /** The frame's scopes; `isGuardBlock` tells the restart guard's try block (restart-guard.ts), shown as part of the locals. */
  async scopes(frame: CallFrame, isGuardBlock: (scope: V8Scope) => boolean): Promise<Scope[]> {
    let body: { objectId: string; scopeNumber: number } | undefined;
    return frame.scopeChain.flatMap((scope: V8Scope, scopeNumber) => {
      const objectId = scope.object.objectId;
      if (!objectId) return [];
      if (scope.type === "block" && isGuardBlock(scope)) {
        body = { objectId, scopeNumber };
        return [];
      }
      const ref = this.remember({
        kind: "scope",
        objectId,
        frame,
        scopeNumber,
        ...(scope.type === "local" && body ? { body } : {}),
      });
      return [{ name: scopeName(scope), variablesReference: ref, expensive: scope.type === "global" }];
    });
  }

  async variables(args: DebugCommands["variables"]["arguments"]): Promise<Variable[]> {
    const target = this.reference(args.variablesReference);
    const start = args.start ?? 0;
    const count = args.count ?? PAGE;
    let properties: Property[];
    if (target.kind === "value" && target.length !== undefined) {
      const page = await this.inspector.post<{ result: RemoteObject }>("Runtime.callFunctionOn", {
        objectId: target.objectId,
        functionDeclaration:
          "function(s,c){const o={};const e=Math.min(this.length,s+c);for(let i=s;i<e;i++)o[i]=this[i];return o}",
        arguments: [{ value: start }, { value: count }],
        silent: true,
      });
      properties = await this.properties(page.result.objectId as string);
    } else {
      const body = target.kind === "scope" && target.body ? await this.properties(target.body.objectId) : [];
      properties = [...body, ...(await this.properties(target.objectId))]
        // (hotframe's own names: the restart mark, slots, which are globals, counters, …)
        .filter((p) => !isInstrumentationName(p.name))
        .slice(start, start + count);
    }
    return properties.flatMap((p) => (p.value ? [this.variable(p.name, p.value)] : []));
  }

  async evaluate(
    frame: CallFrame,
    expression: string,
    pretty: boolean,
  ): Promise<DebugCommands["evaluate"]["body"]> {
    const value = await this.evaluateIn(frame, expression);
    const variable = this.variable("", value);
    return {
      result: await this.show(value, pretty),
      ...(variable.type ? { type: variable.type } : {}),
      variablesReference: variable.variablesReference,
      ...(variable.indexedVariables !== undefined ? { indexedVariables: variable.indexedVariables } : {}),
    };
  }

  /** `a=1, order=Order {…}`: the frame's parameters now, short. */
  async argumentsOf(frame: CallFrame, params: string[]): Promise<string | undefined> {
    const answer = await this.inspector.post<{ result: RemoteObject; exceptionDetails?: unknown }>(
      "Debugger.evaluateOnCallFrame",
      {
        callFrameId: frame.callFrameId,
        expression: `[${params.join(",")}].map((v) => ${SUPPORT}.show(v, false))`,
        returnByValue: true,
        silent: true,
      },
    );
    if (answer.exceptionDetails || !Array.isArray(answer.result.value)) return undefined;
    return (answer.result.value as string[])
      .map((v, i) => `${params[i]}=${v.length > ARGUMENT_WIDTH ? `${v.slice(0, ARGUMENT_WIDTH - 1)}…` : v}`)
      .join(", ");
  }

  async setVariable(args: DebugCommands["setVariable"]["arguments"], top: CallFrame): Promise<Variable> {
    const target = this.reference(args.variablesReference);
    const value = await this.evaluateIn(target.kind === "scope" ? target.frame : top, args.value);
    const argument = value.objectId
      ? { objectId: value.objectId }
      : value.unserializableValue !== undefined
        ? { unserializableValue: value.unserializableValue }
        : { value: value.value };
    if (target.kind === "scope") {
      const inBody =
        target.body !== undefined &&
        (await this.properties(target.body.objectId)).some((p) => p.name === args.name);
      await this.inspector.post("Debugger.setVariableValue", {
        scopeNumber: inBody ? (target.body as { scopeNumber: number }).scopeNumber : target.scopeNumber,
        variableName: args.name,
        newValue: argument,
        callFrameId: target.frame.callFrameId,
      });
    } else {
      await this.inspector.post("Runtime.callFunctionOn", {
        objectId: target.objectId,
        functionDeclaration: "function(k,v){this[k]=v}",
        arguments: [{ value: args.name }, argument],
        silent: true,
      });
    }
    return this.variable(args.name, value);
  }

  /** An expression's value in a frame; what it throws refuses the request (`raised`). */
  async evaluateIn(frame: CallFrame, expression: string): Promise<RemoteObject> {
    const answer = await this.inspector.post<{
      result: RemoteObject;
      exceptionDetails?: { text: string; exception?: RemoteObject };
    }>("Debugger.evaluateOnCallFrame", { callFrameId: frame.callFrameId, expression, silent: true });
    if (answer.exceptionDetails) {
      const thrown = answer.exceptionDetails.exception;
      const text = thrown?.description ?? String(thrown?.value ?? answer.exceptionDetails.text);
      throw new Refusal(reason("raised", text.split("\n")[0] ?? text));
    }
    return answer.result;
  }

  /** A value as `print` shows it: util.inspect in the program (a string in quotes). */
  async show(value: RemoteObject, pretty: boolean): Promise<string> {
    if (!value.objectId) return primitive(value);
    const shown = await this.inspector.post<{ result: RemoteObject }>("Runtime.callFunctionOn", {
      objectId: value.objectId,
      functionDeclaration: `function(p){return ${SUPPORT}.show(this,p)}`,
      arguments: [{ value: pretty }],
      returnByValue: true,
      silent: true,
    });
    return typeof shown.result.value === "string" ? shown.result.value : (value.description ?? "?");
  }

  private variable(name: string, value: RemoteObject): Variable {
    const type = value.subtype === "null" ? "null" : (value.className ?? value.type);
    if (!value.objectId || value.type === "function")
      return { name, value: primitive(value), type, variablesReference: 0 };
    const length = value.subtype === "array" || value.subtype === "typedarray" ? lengthOf(value) : undefined;
    const ref = this.remember({
      kind: "value",
      objectId: value.objectId,
      ...(length !== undefined ? { length } : {}),
    });
    return {
      name,
      value: value.description ?? type,
      type,
      variablesReference: ref,
      ...(length !== undefined ? { indexedVariables: length } : {}),
    };
  }

  private async properties(objectId: string): Promise<Property[]> {
    const answer = await this.inspector.post<{ result: Property[] }>("Runtime.getProperties", {
      objectId,
      ownProperties: true,
    });
    return answer.result.filter((p) => p.name !== "__proto__");
  }

  private remember(reference: Reference): number {
    const id = this.next++;
    this.references.set(id, reference);
    return id;
  }

  private reference(id: number): Reference {
    const found = this.references.get(id);
    if (!found) throw new Refusal(reason("invalid-reference", `variablesReference ${id}`));
    return found;
  }
}

function scopeName(scope: V8Scope): string {
  const names: Record<string, string> = {
    local: "Locals",
    closure: "Closure",
    block: "Block",
    module: "Module",
    script: "Script",
    global: "Globals",
    catch: "Catch",
  };
  return scope.name
    ? `${names[scope.type] ?? scope.type} (${scope.name})`
    : (names[scope.type] ?? scope.type);
}

function primitive(value: RemoteObject): string {
  if (value.type === "string") return JSON.stringify(value.value);
  if (value.type === "undefined") return "undefined";
  if (value.subtype === "null") return "null";
  if (value.unserializableValue !== undefined) return value.unserializableValue;
  if (value.type === "function")
    return `[Function: ${(value.description ?? "").match(/^(?:async\s+)?(?:function\s*\*?\s*)?([\w$]*)/)?.[1] || "(anonymous)"}]`;
  if (value.description !== undefined && value.value === undefined) return value.description;
  return String(value.value);
}

function lengthOf(value: RemoteObject): number | undefined {
  const match = /\((\d+)\)/.exec(value.description ?? "");
  return match ? Number(match[1]) : undefined;
}
