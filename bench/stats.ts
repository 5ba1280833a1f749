/** Median and 95th percentile of samples in milliseconds. */
export function summarize(samples: readonly number[]): { median: number; p95: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
  return { median: at(0.5), p95: at(0.95) };
}

/** `12.3 µs`, `4.15 ms`, `1.27 s`. */
export function formatDuration(ms: number): string {
  if (ms < 1) return `${(ms * 1000).toFixed(ms < 0.01 ? 2 : 1)} µs`;
  if (ms < 1000) return `${ms.toFixed(ms < 10 ? 2 : 1)} ms`;
  return `${(ms / 1000).toFixed(2)} s`;
}

export function ratio(slow: number, fast: number): string {
  return `${(slow / fast).toFixed(slow / fast < 10 ? 1 : 0)}x`;
}

/** Times `fn` `runs` times (after `warmup` untimed runs); `before` and `after` (the premise checks) run untimed around each. */
export async function sample(
  runs: number,
  fn: () => unknown,
  options: { warmup?: number; before?: () => unknown; after?: () => unknown } = {},
): Promise<number[]> {
  for (let i = 0; i < (options.warmup ?? 3); i++) {
    await options.before?.();
    await fn();
    await options.after?.();
  }
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    await options.before?.();
    const started = performance.now();
    await fn();
    samples.push(performance.now() - started);
    await options.after?.();
  }
  return samples;
}

/** `a–b` of a list of numbers formatted by `format`: the range over trials. */
export function range(values: readonly number[], format: (value: number) => string): string {
  const low = Math.min(...values);
  const high = Math.max(...values);
  return low === high ? format(low) : `${format(low)}–${format(high)}`;
}

/** `x` as a ratio to `base`: `2.4x`. Below 1 when `x` is the smaller. */
export function times(x: number, base: number): string {
  const r = x / base;
  return `${r.toFixed(r < 10 ? 2 : 0)}x`;
}
