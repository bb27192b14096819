/** Generated Python sources: a module of a given size with probe() in its middle, and a package of modules. */

/** About 20 lines of ordinary code: functions, a class with methods, a property, a decorator. */
function block(i: number): string {
  return `def compute_${i}(items, scale=2):
    total = 0
    for item in items:
        if item % 3 == ${i % 3}:
            total += item * scale
    return total


class Model${i}:
    def __init__(self, value):
        self.value = value

    def update(self, delta):
        self.value += delta
        return self.value

    @property
    def doubled(self):
        return self.value * 2


`;
}

/** A module of about `lines` lines whose probe() returns `value`; probe() sits in the middle. */
export function pythonModule(lines: number, value: number): string {
  const blocks = Math.max(1, Math.round(lines / 21));
  const parts = ['"""Generated for hotframe\'s patch-latency benchmark."""\n\nCOUNTER = [0]\n\n\n'];
  for (let i = 0; i < blocks; i++) {
    if (i === Math.floor(blocks / 2)) parts.push(probe(value));
    parts.push(block(i));
  }
  return parts.join("");
}

function probe(value: number): string {
  return `def probe():
    COUNTER[0] += 1
    return ${value}


`;
}

/** Module number i of the start-up package: a few functions and a class, entry() calls into them. */
export function startupModule(i: number): string {
  return `"""Generated module ${i} for hotframe's start-up benchmark."""
import math

TABLE = {n: n * ${i} for n in range(20)}


def helper_a(x):
    return x + ${i}


def helper_b(x, y=3):
    total = 0
    for n in range(y):
        total += helper_a(x) * n
    return total


def helper_c(values):
    return sorted(values, key=lambda v: -v)[:3]


class Thing${i}:
    kind = "thing"

    def __init__(self, size):
        self.size = size

    def area(self):
        return math.pi * self.size * self.size

    @staticmethod
    def build(n):
        return [Thing${i}(k) for k in range(n)]

    @property
    def label(self):
        return f"{self.kind}-{self.size}"


def entry(x):
    return helper_b(x) + len(helper_c(list(TABLE.values()))) + len(Thing${i}.build(2))
`;
}
