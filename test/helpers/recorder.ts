import { BOUND_MS } from "./observed-process.js";

/**
 * Things that happen in this process (events, lines, calls), in order, with bounded waits for one
 * to arrive: the in-process twin of ObservedProcess, for the unit tests.
 */
export class Recorder<T> {
  readonly items: T[] = [];
  private readonly waiters = new Set<() => void>();

  readonly push = (item: T): void => {
    this.items.push(item);
    for (const waiter of [...this.waiters]) waiter();
  };

  /** How many arrived so far: `next(match, mark())` waits for a later one. */
  mark(): number {
    return this.items.length;
  }

  /** Resolves with the first item (from index `from` on) that satisfies `match`. */
  next<S extends T>(match: (item: T) => item is S, from?: number): Promise<S>;
  next(match: (item: T) => boolean, from?: number): Promise<T>;
  next(match: (item: T) => boolean, from = 0): Promise<T> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`timed out; arrived so far:\n${JSON.stringify(this.items, null, 1)}`));
      }, BOUND_MS);
      const check = () => {
        const found = this.items.slice(from).find(match);
        if (found === undefined) return;
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve(found);
      };
      this.waiters.add(check);
      check();
    });
  }
}
