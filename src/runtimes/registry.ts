import type { RuntimeName } from "../protocol/messages.js";
import { nodeController } from "./node/controller.js";
import { pythonController } from "./python/controller.js";
import type { RuntimeController } from "./runtime.js";

const CONTROLLERS: readonly RuntimeController[] = [pythonController, nodeController];

/** The controller for a runtime name, or for a source file extension (".py", ".ts"). */
export function controllerFor(nameOrExtension: RuntimeName): RuntimeController;
export function controllerFor(nameOrExtension: string): RuntimeController | undefined;
export function controllerFor(nameOrExtension: string): RuntimeController | undefined {
  return CONTROLLERS.find((c) => c.name === nameOrExtension || c.sourceExtensions.includes(nameOrExtension));
}
