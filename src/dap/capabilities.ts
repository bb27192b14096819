import type { DebugProtocol } from "@vscode/debugprotocol";

/** The exception filters: the agent's `setExceptionBreakpoints` filters, with the client's labels. */
export const EXCEPTION_FILTERS: DebugProtocol.ExceptionBreakpointsFilter[] = [
  {
    filter: "uncaught",
    label: "Uncaught Exceptions",
    description:
      "Pause where an exception nothing catches was raised: fix the code, save, and the frame restarts",
    default: true,
  },
  { filter: "raised", label: "Raised Exceptions", description: "Pause at every raise", default: false },
];

/**
 * What `hotframe dap` answers `initialize` with. Every capability stated here works (test/dap-*.test.ts);
 * what is absent is refused with an error response (the adapter's request table, adapter.ts).
 * Not offered: stepBack, goto, data/instruction breakpoints, memory, modules, setExpression, the
 * `restart` request (a new launch, not edit and continue).
 */
export const CAPABILITIES: DebugProtocol.Capabilities = {
  supportsConfigurationDoneRequest: true,
  supportsConditionalBreakpoints: true,
  supportsHitConditionalBreakpoints: true,
  supportsLogPoints: true,
  supportsFunctionBreakpoints: true,
  exceptionBreakpointFilters: EXCEPTION_FILTERS,
  supportsExceptionInfoRequest: true,
  supportsEvaluateForHovers: true,
  supportsCompletionsRequest: true,
  completionTriggerCharacters: [],
  supportsSetVariable: true,
  supportsRestartFrame: true,
  supportsLoadedSourcesRequest: true,
  supportsTerminateRequest: true,
  supportTerminateDebuggee: true,
  supportsDelayedStackTraceLoading: true,
  supportsBreakpointLocationsRequest: true,
  supportsStepBack: false,
  supportsRestartRequest: false,
};

/** The requests the adapter answers (adapter.ts has one handler for each). */
export const REQUESTS = [
  "launch",
  "attach",
  "configurationDone",
  "setBreakpoints",
  "breakpointLocations",
  "setFunctionBreakpoints",
  "setExceptionBreakpoints",
  "threads",
  "continue",
  "next",
  "stepIn",
  "stepOut",
  "pause",
  "stackTrace",
  "scopes",
  "variables",
  "evaluate",
  "completions",
  "setVariable",
  "restartFrame",
  "exceptionInfo",
  "loadedSources",
  "source",
  "terminate",
  "disconnect",
] as const;

export type Request = (typeof REQUESTS)[number];
