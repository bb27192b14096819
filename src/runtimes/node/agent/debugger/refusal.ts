import type { Reason } from "../reasons.js";

/** A debug request refused: its code and text go back in the response; nothing changed. */
export class Refusal extends Error {
  constructor(readonly why: Reason) {
    super(why.text);
  }
}
