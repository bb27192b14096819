// DebugClient spawns `runtime executable` with exactly one argument: this file is
// `node dist/src/cli/main.js dap`, run in this same process on the client's stdin and stdout.
process.argv.splice(2, 0, "dap");
await import("../../src/cli/main.js");
