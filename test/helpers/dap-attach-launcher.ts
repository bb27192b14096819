// DebugClient spawns `runtime executable` with exactly one argument: this file is
// `node dist/src/cli/main.js attach --pid $HOTFRAME_TEST_ATTACH_PID` (the bridge an editor runs
// for an attach configuration), run in this same process on the client's stdin and stdout.
process.argv.splice(2, 0, "attach", "--pid", process.env.HOTFRAME_TEST_ATTACH_PID ?? "");
await import("../../src/cli/main.js");
