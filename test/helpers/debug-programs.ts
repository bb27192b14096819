/** The Python program the debugger tests (terminal and DAP) drive: compute() is called in a loop
 * in main(); `calls` is state outside compute(). */
export const PYTHON_APP = `import sys

calls = []


class Order:
    def __init__(self, n):
        self.n = n
        self.lines = list(range(n))

    def __repr__(self):
        return "<Order %d>" % self.n


def compute(order):
    total = 0
    for line in order.lines:
        total += line
    return total


def main():
    results = []
    for i in range(1, 5):
        calls.append(i)
        results.append(compute(Order(i)))
        print("iteration", i, results[-1], flush=True)
    print("results", results, "calls", calls, flush=True)


main()
`;

/** The new compute(): a new first line (it prints "computing N"), and another result. */
export const PYTHON_APP_EDITED = PYTHON_APP.replace(
  "    total = 0\n",
  '    print("computing", order.n, flush=True)\n    total = 1000\n',
);

/** PYTHON_APP in JavaScript (CommonJS), with each statement the scenarios stop at on its own
 * line; `typed`: in TypeScript, at the same lines. */
export function nodeApp(typed = false): string {
  const t = (type: string) => (typed ? `: ${type}` : "");
  return `const calls${t("number[]")} = [];

class Order {
  ${typed ? "n: number;\n  lines: number[];\n  " : ""}constructor(n${t("number")}) {
    this.n = n;
    this.lines = Array.from({ length: n }, (_, i) => i);
  }
}

function compute(order${t("Order")})${t("number")} {
  let total = 0;
  for (const line of order.lines) {
    total += line;
  }
  return total;
}

function main() {
  const results${t("number[]")} = [];
  for (let i = 1; i < 5; i++) {
    calls.push(i);
    results.push(compute(new Order(i)));
    console.log("iteration", i, results.at(-1));
  }
  console.log("results", JSON.stringify(results), "calls", JSON.stringify(calls));
}

main();
`;
}

export const NODE_APP = nodeApp();

/** A nodeApp's new compute(), as PYTHON_APP_EDITED: a new first line, and another result. */
export const editNodeCompute = (source: string) =>
  source.replace("  let total = 0;\n", '  console.log("computing", order.n);\n  let total = 1000;\n');

export const NODE_APP_EDITED = editNodeCompute(NODE_APP);
