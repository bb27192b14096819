// The hotframe debug type: VS Code runs the installed hotframe as the debug adapter.
"use strict";
const { execFile } = require("node:child_process");
const vscode = require("vscode");
const { adapterCommand, defaultConfiguration, hotframeCommand } = require("./adapter-command.js");

function hotframe() {
  const setting = vscode.workspace.getConfiguration("hotframe").get("path", "");
  const folders = (vscode.workspace.workspaceFolders ?? []).map((folder) => folder.uri.fsPath);
  return hotframeCommand(setting, folders);
}

/** @type {import("vscode").DebugAdapterDescriptorFactory} */
const adapters = {
  createDebugAdapterDescriptor(session) {
    const adapter = adapterCommand(session.configuration, hotframe());
    if ("error" in adapter) throw new Error(adapter.error);
    return new vscode.DebugAdapterExecutable(
      adapter.command,
      adapter.args,
      adapter.env ? { env: adapter.env } : {},
    );
  },
};

/** @type {import("vscode").DebugConfigurationProvider} */
const configurations = {
  resolveDebugConfiguration(_folder, config) {
    if (config.type || config.request) return config;
    const fallback = defaultConfiguration(vscode.window.activeTextEditor?.document.languageId);
    if (fallback) return fallback;
    void vscode.window.showErrorMessage(
      "hotframe debugs Python, JavaScript and TypeScript files: open one first",
    );
    return undefined;
  },
};

/** `${command:hotframe.pickProgram}`: the pid of a program started with `hotframe run --attachable`. */
function pickProgram() {
  const [command, ...prefix] = hotframe();
  return new Promise((resolve) => {
    execFile(command, [...prefix, "attach", "--list", "--json"], (error, stdout) => {
      if (error) {
        void vscode.window.showErrorMessage(`hotframe attach --list failed: ${error.message}`);
        return resolve(undefined);
      }
      const programs = JSON.parse(stdout);
      if (programs.length === 0) {
        void vscode.window.showErrorMessage(
          "No attachable programs: start one with hotframe run --attachable",
        );
        return resolve(undefined);
      }
      const items = programs.map((p) => ({
        label: `${p.pid}`,
        description: `${p.runtime}  ${p.program}`,
        detail: p.cwd,
      }));
      void vscode.window
        .showQuickPick(items, { placeHolder: "The program to attach to" })
        .then((item) => resolve(item?.label));
    });
  });
}

function activate(context) {
  context.subscriptions.push(
    vscode.debug.registerDebugAdapterDescriptorFactory("hotframe", adapters),
    vscode.debug.registerDebugConfigurationProvider("hotframe", configurations),
    vscode.commands.registerCommand("hotframe.pickProgram", pickProgram),
  );
}

function deactivate() {}

module.exports = { activate, deactivate };
