// What the extension runs for a debug session: pure functions (no `vscode`), so the tests run them.
"use strict";
const { existsSync } = require("node:fs");
const { isAbsolute, join } = require("node:path");

/**
 * The hotframe command: the `hotframe.path` setting (relative to the workspace folder), else the
 * workspace's own node_modules/.bin/hotframe (the version that runs the project's programs), else
 * `hotframe` on the PATH. Returns [command, ...arguments before hotframe's own]: a .js file runs
 * with node.
 * @param {string} setting @param {string[]} folders @param {(path: string) => boolean} exists
 * @returns {string[]}
 */
function hotframeCommand(setting, folders, exists = existsSync) {
  const configured = setting.trim();
  if (configured !== "") {
    const path = isAbsolute(configured) || folders.length === 0 ? configured : join(folders[0], configured);
    return /\.[cm]?js$/.test(path) ? ["node", path] : [path];
  }
  for (const folder of folders) {
    const local = join(folder, "node_modules", ".bin", "hotframe");
    if (exists(local)) return [local];
  }
  return ["hotframe"];
}

/**
 * The adapter for one configuration: `hotframe dap` for a launch; for an attach, `hotframe attach`,
 * which joins its stdin/stdout to the program's own adapter (the token goes in the environment,
 * not on a command line others can read). A configuration that cannot be served: { error }.
 * @param {Record<string, unknown>} config @param {string[]} hotframe
 * @returns {{ command: string, args: string[], env?: Record<string, string> } | { error: string }}
 */
function adapterCommand(config, hotframe) {
  const [command, ...prefix] = hotframe;
  if (config.request === "launch") return { command, args: [...prefix, "dap"] };
  if (config.request !== "attach") return { error: `hotframe: unknown request '${String(config.request)}'` };
  if (config.processId !== undefined && config.processId !== "") {
    if (!/^\d+$/.test(String(config.processId)))
      return { error: `hotframe: processId must be a pid, not '${String(config.processId)}'` };
    return { command, args: [...prefix, "attach", "--pid", String(config.processId)] };
  }
  if (typeof config.address === "string") {
    if (typeof config.token !== "string" || config.token === "")
      return { error: "hotframe: attaching to an address needs the token hotframe run --listen printed" };
    return {
      command,
      args: [...prefix, "attach", "--address", config.address],
      env: { HOTFRAME_TOKEN: config.token },
    };
  }
  return { error: "hotframe: an attach configuration needs processId or address" };
}

/**
 * A configuration to start from when there is none (F5 without launch.json): the current file.
 * @param {string | undefined} languageId
 */
function defaultConfiguration(languageId) {
  const runs = ["python", "javascript", "typescript"].includes(languageId ?? "");
  return runs
    ? { type: "hotframe", request: "launch", name: "hotframe: current file", program: "${file}" }
    : undefined;
}

module.exports = { hotframeCommand, adapterCommand, defaultConfiguration };
