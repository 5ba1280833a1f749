import type { ResolvedWorkerRequest } from "../schema/request.js";
import type { JudgedVerdict } from "../schema/verdict.js";
import type { WorkerRecord } from "../schema/worker-record.js";
import { frozenCopy } from "./frozen-copy.js";
import { type CandidateSource, initialVerdict, type PoolHooks, type ReuseContext } from "./hooks.js";
import { guardCanReuse, normalize, startRun } from "./tap-guard.js";

/**
 * Asks the policies (`canReuse` taps) about one candidate, and ranks the candidates they allow. The
 * taps are guarded (tap-guard.ts): composition, verdict shape and time bounds are enforced here, not
 * left to each policy.
 */
export class ReuseJudge {
  readonly #hooks: PoolHooks;
  readonly #policyTimeoutMs: number;
  /** One frozen copy per request, shared by every candidate it is judged against. */
  readonly #frozenRequests = new WeakMap<ResolvedWorkerRequest, ResolvedWorkerRequest>();
  /** Records are replaced, never changed in place, so one frozen copy per record object serves every judgement. */
  readonly #frozenRecords = new WeakMap<WorkerRecord, WorkerRecord>();

  constructor(hooks: PoolHooks, policyTimeoutMs: number) {
    this.#hooks = hooks;
    this.#policyTimeoutMs = policyTimeoutMs;
    guardCanReuse(hooks.canReuse);
  }

  /** The waterfall's verdict on `candidate` for `request`, bounded by `signal` and the policy timeout. */
  async judge(
    request: ResolvedWorkerRequest,
    candidate: WorkerRecord,
    source: CandidateSource,
    signal: AbortSignal | undefined,
  ): Promise<JudgedVerdict> {
    const start = initialVerdict();
    if (!this.#hooks.canReuse.isUsed()) return normalize(start);
    const context: ReuseContext = Object.freeze({
      request: this.#frozen(request),
      candidate: this.#frozenRecord(candidate),
      source,
    });
    startRun(start, context, { signal, timeoutMs: this.#policyTimeoutMs });
    return normalize(await this.#hooks.canReuse.promise(start, context));
  }

  #frozenRecord(record: WorkerRecord): WorkerRecord {
    let frozen = this.#frozenRecords.get(record);
    if (!frozen) {
      frozen = frozenCopy(record);
      this.#frozenRecords.set(record, frozen);
    }
    return frozen;
  }

  #frozen(request: ResolvedWorkerRequest): ResolvedWorkerRequest {
    let frozen = this.#frozenRequests.get(request);
    if (!frozen) {
      // A copy of the plain parts (a parsed request is small and flat); the AbortSignal is shared, not
      // frozen: freezing it would break its own abort(), and a tap may listen to it.
      const { signal, fingerprint, ...rest } = request;
      const attributes = fingerprint.attributes ? Object.freeze({ ...fingerprint.attributes }) : undefined;
      frozen = Object.freeze({
        ...rest,
        fingerprint: Object.freeze({ ...fingerprint, ...(attributes ? { attributes } : {}) }),
        ...(signal ? { signal } : {}),
      });
      this.#frozenRequests.set(request, frozen);
    }
    return frozen;
  }
}

/** Highest `rank` first, then the most recently updated worker. */
export function byRank<T extends { candidate: WorkerRecord; verdict: JudgedVerdict }>(a: T, b: T): number {
  return (b.verdict.rank ?? 0) - (a.verdict.rank ?? 0) || b.candidate.updatedAt - a.candidate.updatedAt;
}
