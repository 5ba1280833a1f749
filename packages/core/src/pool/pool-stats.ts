import type { Decision, DecisionOutcome } from "./hooks.js";

export type StopCause = "superseded" | "idle" | "capacity" | "manual";

export type PoolStatsSnapshot = {
  readonly decisions: Readonly<Record<DecisionOutcome, number>>;
  /** Reused ÷ (reused + spawned): how often a request found a worker it could use. Forced requests do not count. */
  readonly reuseHitRate: number;
  /**
   * Denials of candidates, counted by who denied (`by`) and the verdict's `code` — bounded keys, fit for
   * metric labels (the free-text reason, with model names and pids inside, is in each decision instead).
   * Past 256 distinct pairs, further ones are counted under `by: "(other)"`.
   */
  readonly denials: readonly { readonly by: string; readonly code: string; readonly count: number }[];
  readonly spawns: { readonly succeeded: number; readonly failed: number };
  readonly stops: Readonly<Record<StopCause, number>>;
  /** Of the last 1,000 successful spawns, in milliseconds. */
  readonly spawnLatencyMs: {
    readonly count: number;
    readonly p50: number;
    readonly p95: number;
    readonly p99: number;
    readonly max: number;
  };
};

const LATENCY_WINDOW = 1_000;
/** Distinct (by, code) pairs counted before the rest go under "(other)": a policy inventing codes cannot grow this. */
const MAX_DENIAL_KEYS = 256;

/** Counters behind `pool.stats()`. Dry runs (`explain`) are not counted. */
export class PoolStats {
  readonly #decisions: Record<DecisionOutcome, number> = { reused: 0, spawned: 0, forced: 0 };
  readonly #denials = new Map<string, { by: string; code: string; count: number }>();
  readonly #stops: Record<StopCause, number> = { superseded: 0, idle: 0, capacity: 0, manual: 0 };
  readonly #latencies: number[] = [];
  #spawned = 0;
  #spawnFailures = 0;

  recordDecision(decision: Decision): void {
    if (decision.dryRun) return;
    this.#decisions[decision.outcome]++;
    for (const { verdict } of decision.considered) {
      if (verdict.reuse) continue;
      this.#countDenial(verdict.by ?? "(unsigned)", verdict.code);
    }
  }

  #countDenial(by: string, code: string): void {
    let key = `${by}\u0000${code}`;
    let entry = this.#denials.get(key);
    if (!entry && this.#denials.size >= MAX_DENIAL_KEYS) {
      key = "(other)\u0000(other)";
      entry = this.#denials.get(key) ?? { by: "(other)", code: "(other)", count: 0 };
    }
    entry ??= { by, code, count: 0 };
    entry.count++;
    this.#denials.set(key, entry);
  }

  recordSpawn(latencyMs: number | undefined): void {
    if (latencyMs === undefined) {
      this.#spawnFailures++;
      return;
    }
    this.#spawned++;
    this.#latencies.push(latencyMs);
    if (this.#latencies.length > LATENCY_WINDOW) this.#latencies.shift();
  }

  recordStop(cause: StopCause): void {
    this.#stops[cause]++;
  }

  snapshot(): PoolStatsSnapshot {
    const { reused, spawned } = this.#decisions;
    const sorted = [...this.#latencies].sort((a, b) => a - b);
    const at = (q: number) =>
      sorted.length ? (sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number) : 0;
    return {
      decisions: { ...this.#decisions },
      reuseHitRate: reused + spawned === 0 ? 0 : reused / (reused + spawned),
      denials: [...this.#denials.values()].map((entry) => ({ ...entry })).sort((a, b) => b.count - a.count),
      spawns: { succeeded: this.#spawned, failed: this.#spawnFailures },
      stops: { ...this.#stops },
      spawnLatencyMs: { count: sorted.length, p50: at(0.5), p95: at(0.95), p99: at(0.99), max: sorted.at(-1) ?? 0 },
    };
  }
}
