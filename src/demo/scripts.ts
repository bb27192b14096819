/** What each demo runs and the edits it makes, as a user would make them in an editor. */
export interface DemoScript {
  runtime: "python" | "node";
  title: string;
  /** Entry point inside examples/<runtime>/. */
  entry: string;
  args: string[];
  linesBeforeEdits: number;
  linesAfterEach: number;
  edits: { title: string; from: string; to: string; expect: "✓" | "✗" }[];
  /** Pulls the program's running counter out of an output line: it must never restart. */
  counter: RegExp;
  counterName: string;
}

export const DEMOS: DemoScript[] = [
  {
    runtime: "python",
    title: "Python — a shop that keeps its orders while its pricing is edited",
    entry: "orderbook.py",
    args: ["1000", "0.25"],
    linesBeforeEdits: 3,
    linesAfterEach: 3,
    edits: [
      {
        title: "10% off every order (price() changes)",
        from: "    return CATALOG[item] * quantity\n",
        to: "    return round(CATALOG[item] * quantity * 0.9, 2)\n",
        expect: "✓",
      },
      {
        title: "a typo: an unclosed parenthesis in describe()",
        from: "    return f\"{order['quantity']} x",
        to: "    return (f\"{order['quantity']} x",
        expect: "✗",
      },
      {
        title: "fix the typo, and label bulk orders with a new function",
        from: "    return (f\"{order['quantity']} x {order['item']} = {order['total']:.2f}\"\n",
        to: '    return f"{order[\'quantity\']} x {order[\'item\']} = {order[\'total\']:.2f} {label(order)}"\n\n\ndef label(order):\n    return "(bulk)" if order["quantity"] >= 3 else ""\n',
        expect: "✓",
      },
    ],
    counter: /^order\s+(\d+):/,
    counterName: "order numbers",
  },
  {
    runtime: "node",
    title: "Node.js + TypeScript — a game of life that keeps its board while its rules are edited",
    entry: "life.ts",
    args: ["250"],
    linesBeforeEdits: 3,
    linesAfterEach: 3,
    edits: [
      {
        title: "draw live cells as @ (render() changes)",
        from: '(alive ? "#" : ".")',
        to: '(alive ? "@" : "·")',
        expect: "✓",
      },
      {
        title: "a typo: an unclosed parenthesis in rules()",
        from: "  return neighbours === 3 || (alive && neighbours === 2);\n",
        to: "  return neighbours === 3 || (alive && neighbours === 2;\n",
        expect: "✗",
      },
      {
        title: "fix the typo, and switch to HighLife with a new born() rule",
        from: "  return neighbours === 3 || (alive && neighbours === 2;\n}\n",
        to: "  return born(neighbours) || (alive && neighbours === 2);\n}\n\nfunction born(neighbours: number): boolean {\n  return neighbours === 3 || neighbours === 6;\n}\n",
        expect: "✓",
      },
    ],
    counter: /^generation\s+(\d+):/,
    counterName: "generations",
  },
];
