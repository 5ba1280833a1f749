import { performance } from "node:perf_hooks";
import { type ProbeResult, ProbeResultSchema, type WorkerBackend } from "../backend/worker-backend.js";
import type { ModelFingerprint } from "../schema/fingerprint.js";
import { PARSE_CONTEXT } from "../schema/parse-or-throw.js";
import type { WorkerRecord } from "../schema/worker-record.js";
import { timeoutSignal } from "../timers/timeout-signal.js";
import { abortable } from "./abortable.js";

/** A probe's answer; `asked`: whether the worker was really asked (no probe, or a recent healthy one, skips it). */
export type ProbeOutcome = ProbeResult & { readonly asked: boolean };

/** A healthy answer remembered, with the model the worker said it runs (if it said). */
type HealthyAnswer = { readonly at: number; readonly fingerprint: ModelFingerprint | undefined };

/**
 * Asks the backend whether a worker is healthy and which model it really runs, bounded by
 * `probeTimeoutMs`, and remembers a healthy answer for `healthyForMs` — the live model with it, so the
 * next judgement within that time is made against what the worker said, not what the registry remembers.
 */
export class HealthProber {
  readonly #backend: WorkerBackend;
  readonly #probeTimeoutMs: number;
  readonly #healthyForMs: number;
  /** Keyed by record id; times are monotonic (`performance.now()`), so a clock step changes nothing. */
  readonly #healthy = new Map<string, HealthyAnswer>();

  constructor(backend: WorkerBackend, options: { probeTimeoutMs: number; healthyForMs: number }) {
    this.#backend = backend;
    this.#probeTimeoutMs = options.probeTimeoutMs;
    this.#healthyForMs = options.healthyForMs;
  }

  /** The model the worker itself reported in a recent healthy probe, if any. */
  liveFingerprint(id: string): ModelFingerprint | undefined {
    return this.#fresh(id)?.fingerprint;
  }

  /** A worker just started by this pool is healthy (and runs what it was started with). */
  remember(id: string, fingerprint: ModelFingerprint | undefined): void {
    this.#healthy.set(id, { at: performance.now(), fingerprint });
  }

  forget(id: string): void {
    this.#healthy.delete(id);
  }

  /**
   * `context`: the request's, handed to the backend's probe. A healthy answer is remembered whatever the
   * context was (healthyForMs: 0 asks every time, for a probe whose answer depends on it).
   */
  async probe(candidate: WorkerRecord, signal: AbortSignal | undefined, context?: unknown): Promise<ProbeOutcome> {
    const probe = this.#backend.probe?.bind(this.#backend);
    if (!probe) return { healthy: true, asked: false };
    const fresh = this.#fresh(candidate.id);
    if (fresh) return { healthy: true, asked: false, ...(fresh.fingerprint ? { fingerprint: fresh.fingerprint } : {}) };
    const timeout = timeoutSignal(this.#probeTimeoutMs, signal);
    const bounded = timeout.signal;
    let result: ProbeResult;
    try {
      // Raced against the signal so a backend that ignores it still cannot hold the request.
      const raw = await abortable(
        probe(candidate, { signal: bounded, ...(context !== undefined ? { context } : {}) }),
        bounded,
      );
      const parsed = ProbeResultSchema.safeParse(raw, PARSE_CONTEXT);
      result = parsed.success
        ? parsed.data
        : { healthy: false, reason: `backend ${this.#backend.name} returned an invalid probe result` };
    } catch (error) {
      signal?.throwIfAborted();
      result = timeout.timedOut
        ? { healthy: false, reason: `no answer within ${this.#probeTimeoutMs} ms` }
        : { healthy: false, reason: error instanceof Error ? error.message : String(error) };
    } finally {
      timeout.clear();
    }
    if (result.healthy) this.#healthy.set(candidate.id, { at: performance.now(), fingerprint: result.fingerprint });
    else this.#healthy.delete(candidate.id);
    return { ...result, asked: true };
  }

  #fresh(id: string): HealthyAnswer | undefined {
    const answer = this.#healthy.get(id);
    if (answer && performance.now() - answer.at < this.#healthyForMs) return answer;
    return undefined;
  }
}
