/** Small statistics helpers: benchmarks report medians (and p90), never means of noisy samples. */

export function median(values: readonly number[]): number {
  return percentile(values, 50);
}

/** Linear-interpolated percentile (p in 0..100); NaN for an empty list. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (p / 100) * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  const a = sorted[lo] as number;
  const b = sorted[hi] as number;
  return a + (b - a) * (rank - lo);
}

export function min(values: readonly number[]): number {
  return values.length === 0 ? Number.NaN : Math.min(...values);
}

/** Milliseconds with a precision that suits their size. */
export function ms(value: number): string {
  if (!Number.isFinite(value)) return "–";
  if (value < 10) return `${value.toFixed(2)} ms`;
  if (value < 100) return `${value.toFixed(1)} ms`;
  return `${Math.round(value)} ms`;
}

export function ratio(value: number): string {
  if (!Number.isFinite(value)) return "–";
  return `${value.toFixed(value < 10 ? 2 : 1)}×`;
}

/** The median of some ratios, with their range beside it when there are several: one process's
 * JIT can differ from the next one's, so the spread is part of the measurement. */
export function ratioWithRange(ratios: readonly number[]): string {
  if (ratios.length < 2) return ratio(median(ratios));
  return `${ratio(median(ratios))} (${ratio(min(ratios))} – ${ratio(Math.max(...ratios))})`;
}

/** Median of a[i] / b[i] over runs made side by side (the i-th of each in the same round). */
export function pairedRatio(a: readonly number[], b: readonly number[]): number {
  const n = Math.min(a.length, b.length);
  return median(Array.from({ length: n }, (_, i) => (a[i] as number) / (b[i] as number)));
}
