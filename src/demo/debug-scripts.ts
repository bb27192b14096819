/** The scripted debugging session `hotframe demo` shows: commands typed and edits saved at
 * given moments, as a user would, and what the program must have printed at the end. */
export interface DebugDemoStep {
  /** What hotframe's stderr shows (color stripped) before this step is taken. */
  when: RegExp;
  /** Commands typed, in order. */
  type?: string[];
  /** An edit of the program's source saved (after the commands). */
  edit?: { title: string; from: string; to: string };
}

export interface DebugDemoScript {
  runtime: "python";
  title: string;
  /** Entry point inside examples/<runtime>/. */
  entry: string;
  steps: DebugDemoStep[];
  /** The program's whole output once it ended (exit 0): the edits took effect in place. */
  expectedOutput: string[];
}

export const DEBUG_DEMOS: DebugDemoScript[] = [
  {
    runtime: "python",
    title: "Python debugger — pause, edit the paused function, fix a crash in place",
    entry: "invoices.py",
    steps: [
      { when: /^■ paused .* before the program's first line/, type: ["break total", "continue"] },
      {
        when: /^■ paused at invoices\.py:\d+ in total\(.*breakpoint 1/,
        type: ["p order"],
      },
      {
        when: /^\[\('apple', 2\)\]$/,
        edit: {
          title: "20% off: total() is edited while paused in it",
          from: "    return amount\n",
          to: "    return round(amount * 0.8, 2)\n",
        },
      },
      { when: /^↻ invoices\.py {2}total\(\) restarted/, type: ["clear 1", "continue"] },
      {
        when: /^ {2}KeyError: 'plum' \(uncaught: nothing will catch it\)$/,
        edit: {
          title: "the crash (a plum has no price): price() gets a default, while paused on the KeyError",
          from: "    return PRICES[item] * quantity\n",
          to: "    return PRICES.get(item, 1.0) * quantity\n",
        },
      },
      { when: /^↻ invoices\.py {2}price\(\) restarted/, type: ["continue"] },
    ],
    expectedOutput: ["order 1: 0.80", "order 2: 2.80", "order 3: 2.40", "order 4: 0.60", "all orders priced"],
  },
];
