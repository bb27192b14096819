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
