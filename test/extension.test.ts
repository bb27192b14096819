import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { test } from "node:test";
import { ATTACH_ARGUMENTS, LAUNCH_ARGUMENTS } from "../src/editor/debug-arguments.js";
import {
  checkedInManifest,
  generateManifest,
  type Manifest,
  MANIFEST_FILE,
} from "./helpers/extension-manifest.js";
import { REPO } from "./helpers/python-paths.js";

/** The VS Code extension (extension/): its manifest, what it runs, and the .vsix it packs into. */

type Adapter = { command: string; args: string[]; env?: Record<string, string> } | { error: string };
const extension = createRequire(import.meta.url)(join(REPO, "extension", "adapter-command.js")) as {
  hotframeCommand(setting: string, folders: string[], exists?: (path: string) => boolean): string[];
  adapterCommand(config: Record<string, unknown>, hotframe: string[]): Adapter;
  defaultConfiguration(languageId: string | undefined): Record<string, unknown> | undefined;
};

const manifest = JSON.parse(checkedInManifest()) as Manifest;
const debuggerType = manifest.contributes.debuggers[0];

test("the manifest's launch and attach attributes are generated from src/editor/debug-arguments.ts", () => {
  assert.equal(
    checkedInManifest(),
    generateManifest(),
    "stale: run `node dist/test/helpers/extension-manifest.js` after `npx tsc`",
  );
  assert.deepEqual(Object.keys(LAUNCH_ARGUMENTS), [
    "program",
    "module",
    "args",
    "cwd",
    "env",
    "runtime",
    "python",
    "node",
    "stopOnEntry",
    "restartOnEdit",
    "console",
    "instrumentDeps",
  ]);
  assert.deepEqual(Object.keys(ATTACH_ARGUMENTS), ["processId", "address", "token", "restartOnEdit"]);
  for (const [name, schema] of Object.entries({ ...LAUNCH_ARGUMENTS, ...ATTACH_ARGUMENTS })) {
    assert.ok(schema.description.length > 10, `${name} has a description`);
    if (schema.enum && schema.default !== undefined)
      assert.ok(schema.enum.includes(schema.default as string), name);
  }
});

test("the debug type, its activation, and configurations that use only its own attributes", () => {
  const root = JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")) as { version: string };
  assert.equal(manifest.version, root.version, "the extension is released with the hotframe it runs");
  assert.equal(manifest.main, "./extension.js");
  assert.ok(manifest.activationEvents.includes("onDebugResolve:hotframe"));
  assert.ok(debuggerType);
  assert.equal(debuggerType.type, "hotframe");
  assert.deepEqual(debuggerType.languages, ["python", "javascript", "typescript"]);
  const configurations = [
    ...debuggerType.initialConfigurations,
    ...debuggerType.configurationSnippets.map((s) => s.body),
  ];
  const labels = debuggerType.configurationSnippets.map((s) => s.label);
  for (const runtime of ["Python", "Node.js", "TypeScript"])
    assert.ok(
      labels.some((l) => l.includes(runtime)),
      runtime,
    );
  for (const configuration of configurations) {
    const { type, request, name, ...attributes } = configuration;
    assert.equal(type, "hotframe");
    assert.ok(typeof name === "string" && name !== "");
    const known = request === "launch" ? LAUNCH_ARGUMENTS : request === "attach" ? ATTACH_ARGUMENTS : {};
    for (const attribute of Object.keys(attributes))
      assert.ok(attribute in known, `${String(request)}: ${attribute}`);
    if (request === "launch") assert.ok("program" in attributes || "module" in attributes, String(name));
  }
});

test("a launch runs `hotframe dap`; an attach runs `hotframe attach` with the pid, or the address and its token", () => {
  const hotframe = ["/p/node_modules/.bin/hotframe"];
  assert.deepEqual(extension.adapterCommand({ request: "launch", program: "app.py" }, hotframe), {
    command: "/p/node_modules/.bin/hotframe",
    args: ["dap"],
  });
  assert.deepEqual(
    extension.adapterCommand({ request: "attach", processId: "4242" }, ["node", "/h/main.js"]),
    {
      command: "node",
      args: ["/h/main.js", "attach", "--pid", "4242"],
    },
  );
  assert.deepEqual(
    extension.adapterCommand({ request: "attach", address: "127.0.0.1:5678", token: "t0k" }, ["hotframe"]),
    { command: "hotframe", args: ["attach", "--address", "127.0.0.1:5678"], env: { HOTFRAME_TOKEN: "t0k" } },
  );
  assert.deepEqual(extension.adapterCommand({ request: "attach", processId: "${command:x}" }, hotframe), {
    error: "hotframe: processId must be a pid, not '${command:x}'",
  });
  assert.deepEqual(extension.adapterCommand({ request: "attach", address: "127.0.0.1:1" }, hotframe), {
    error: "hotframe: attaching to an address needs the token hotframe run --listen printed",
  });
  assert.deepEqual(extension.adapterCommand({ request: "attach" }, hotframe), {
    error: "hotframe: an attach configuration needs processId or address",
  });
});

test("the hotframe it runs: the setting, else the workspace's node_modules/.bin, else the PATH", () => {
  const none = () => false;
  assert.deepEqual(extension.hotframeCommand("/opt/hotframe", ["/w"], none), ["/opt/hotframe"]);
  assert.deepEqual(extension.hotframeCommand("tools/hotframe", ["/w"], none), ["/w/tools/hotframe"]);
  assert.deepEqual(extension.hotframeCommand(" /h/dist/src/cli/main.js ", [], none), [
    "node",
    "/h/dist/src/cli/main.js",
  ]);
  const inSecond = (path: string) => path === "/b/node_modules/.bin/hotframe";
  assert.deepEqual(extension.hotframeCommand("", ["/a", "/b"], inSecond), ["/b/node_modules/.bin/hotframe"]);
  assert.deepEqual(extension.hotframeCommand("", ["/a"], none), ["hotframe"]);
  assert.deepEqual(extension.defaultConfiguration("typescript"), {
    type: "hotframe",
    request: "launch",
    name: "hotframe: current file",
    program: "${file}",
  });
  assert.equal(extension.defaultConfiguration("markdown"), undefined);
});

test("npm run package:vscode packs the manifest and the entry point into extension/hotframe-<version>.vsix", () => {
  const vsix = join(REPO, "extension", `hotframe-${manifest.version}.vsix`);
  rmSync(vsix, { force: true });
  const npm = process.env.npm_execpath;
  const packed = npm
    ? spawnSync(process.execPath, [npm, "run", "package:vscode"], { cwd: REPO, encoding: "utf8" })
    : spawnSync("npm", ["run", "package:vscode"], { cwd: REPO, encoding: "utf8" });
  assert.equal(packed.status, 0, packed.stderr + packed.stdout);
  const listing = spawnSync(
    "python3",
    ["-c", "import sys, zipfile; print('\\n'.join(sorted(zipfile.ZipFile(sys.argv[1]).namelist())))", vsix],
    { encoding: "utf8" },
  );
  assert.deepEqual(listing.stdout.trim().split("\n"), [
    "[Content_Types].xml",
    "extension.vsixmanifest",
    "extension/adapter-command.js",
    "extension/extension.js",
    "extension/package.json",
    "extension/readme.md",
  ]);
  const packedManifest = spawnSync(
    "python3",
    [
      "-c",
      "import sys, zipfile; sys.stdout.write(zipfile.ZipFile(sys.argv[1]).read('extension/package.json').decode())",
      vsix,
    ],
    { encoding: "utf8" },
  );
  assert.deepEqual(JSON.parse(packedManifest.stdout), JSON.parse(readFileSync(MANIFEST_FILE, "utf8")));
  for (const file of ["extension.js", "adapter-command.js"]) {
    const check = spawnSync(process.execPath, ["--check", join(REPO, "extension", file)], {
      encoding: "utf8",
    });
    assert.equal(check.status, 0, check.stderr);
  }
  assert.equal(
    spawnSync("git", ["check-ignore", "-q", vsix], { cwd: REPO }).status,
    0,
    "the .vsix stays out of git",
  );
});
