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

/** Times `fn` `runs` times (after `warmup` untimed runs); `before` runs untimed before each. */
export async function sample(
  runs: number,
  fn: () => Promise<unknown>,
  options: { warmup?: number; before?: () => Promise<unknown> } = {},
): Promise<number[]> {
  for (let i = 0; i < (options.warmup ?? 3); i++) {
    await options.before?.();
    await fn();
  }
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    await options.before?.();
    const started = performance.now();
    await fn();
    samples.push(performance.now() - started);
  }
  return samples;
}
