import { reason } from "../reasons.js";
import type { Inspector } from "./inspector.js";
import { Refusal } from "./refusal.js";

/**
 * Restarting a plain function's frame while paused on an exception. V8's restartFrame unwinds the
 * frames above the restarted one with a termination, and checks that what it unwinds with is
 * one: paused on an exception, the exception is what is being thrown, and the check fails (a
 * fatal error: measured on Node 20, 22, 24 and 26). Runtime.terminateExecution, asked while
 * paused on it, makes V8 throw a termination instead of the exception when the thread resumes
 * (Debug::OnThrow), and restartFrame's unwinding stops that termination at the restarted frame:
 * the program goes on from there, its microtasks and timers too (measured on the same four).
 *
 * V8 reports a termination done (and answers terminateExecution) only when the program's
 * current task ends, and refuses another one until then ("There is current termination request
 * in progress"); so the second in one task (the restarted call threw again) first ends the
 * previous one's report, with an evaluation that times out: V8 reports a termination when an
 * evaluation ends terminated.
 */
export class ExceptionTermination {
  /** A terminateExecution V8 has not reported done yet. */
  private unreported: Promise<void> | undefined;

  constructor(private readonly inspector: Inspector) {}

  /** When the paused thread resumes, the exception being thrown becomes a termination. */
  async replaceException(callFrameId: string): Promise<void> {
    if (this.unreported) await this.cancel(callFrameId);
    let refused: Error | undefined;
    const request: Promise<void> = this.inspector
      .post("Runtime.terminateExecution", {}, { answeredLate: true })
      .then(
        () => undefined,
        (error: Error) => void (refused = error),
      )
      .finally(() => {
        if (this.unreported === request) this.unreported = undefined;
      });
    this.unreported = request;
    // Answered after terminateExecution is (a refusal comes at once): restartFrame without the
    // termination would end the program.
    await this.inspector.post("Runtime.evaluate", { expression: "0", silent: true });
    if (refused)
      throw new Refusal(reason("internal", `V8 refused to replace the exception: ${refused.message}`));
  }

  /** No termination when the thread resumes (a restart that failed), and none left to report. */
  async cancel(callFrameId: string): Promise<void> {
    await this.inspector
      .post("Debugger.evaluateOnCallFrame", { callFrameId, expression: "for(;;);", timeout: 1, silent: true })
      .catch(() => undefined); // "Execution was terminated": what it is for
  }
}
