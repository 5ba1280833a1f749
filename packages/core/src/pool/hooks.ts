import { AsyncSeriesWaterfallHook, SyncHook } from "tapable";
import type { PoolEventName, PoolEventPayloads } from "../diagnostics/events.js";
import type { ResolvedWorkerRequest } from "../schema/request.js";
import { type JudgedVerdict, type ReuseVerdict, VerdictCode } from "../schema/verdict.js";
import type { WorkerRecord } from "../schema/worker-record.js";

export type { JudgedVerdict, ReuseVerdict } from "../schema/verdict.js";

/** Where a candidate came from: this pool's own workers, or the device registry (maybe another process's). */
export type CandidateSource = "memory" | "registry";

/** The second argument of every `canReuse` tap. */
export type ReuseContext = {
  readonly request: ResolvedWorkerRequest;
  /** The running worker under consideration; `fingerprint` is absent for legacy entries that never recorded one. */
  readonly candidate: WorkerRecord;
  readonly source: CandidateSource;
};

export type ConsideredCandidate = {
  readonly candidate: WorkerRecord;
  readonly source: CandidateSource;
  readonly verdict: JudgedVerdict;
};

export type DecisionOutcome = "reused" | "spawned" | "forced";

/** How long each stage of a decision took, in milliseconds (0 for a stage it did not go through). */
export type DecisionTimings = {
  /** Finding the candidates: this pool's workers and the registry's. */
  readonly candidatesMs: number;
  /** The `canReuse` taps, over every candidate. */
  readonly policiesMs: number;
  /** Health probes of the candidates the policies allowed (and the checks that follow them). */
  readonly probeMs: number;
  /** Spawning, or waiting for a spawn under way, up to the worker being ready. */
  readonly spawnMs: number;
};

/** Why a decision came out as it did, for machines. */
export const DecisionCode = Object.freeze({
  /** A running worker passed the gate and was leased. */
  REUSED: "REUSED",
  /** No worker with this workerId was running. */
  SPAWNED_NO_CANDIDATE: "SPAWNED_NO_CANDIDATE",
  /** Every running worker with this workerId failed the gate (see `considered`). */
  SPAWNED_ALL_REFUSED: "SPAWNED_ALL_REFUSED",
  /** Joined a spawn another request (here or in another process) had started. */
  SPAWN_SHARED: "SPAWN_SHARED",
  /** `forceNew`: spawned without consulting canReuse. */
  FORCED: "FORCED",
});
export type DecisionCode = (typeof DecisionCode)[keyof typeof DecisionCode];

export type Decision = {
  readonly outcome: DecisionOutcome;
  readonly code: DecisionCode;
  readonly reason: string;
  readonly workerId: string;
  /** Every candidate looked at, with why it was or was not reused. Empty for `forced`. */
  readonly considered: readonly ConsideredCandidate[];
  /** The worker the request got (absent from dry runs that would spawn). */
  readonly worker?: WorkerRecord;
  /** True when this request joined a spawn another request (here or in another process) had started. */
  readonly shared: boolean;
  /** True for `explain`: nothing was spawned or changed. */
  readonly dryRun: boolean;
  /** From the request's validation until the decision was made (before its lease is recorded), in milliseconds. */
  readonly durationMs: number;
  readonly timings: DecisionTimings;
};

export type PoolWarning = {
  readonly code:
    | "REGISTRY_CORRUPT"
    | "REGISTRY_ENTRIES_UNREADABLE"
    | "REGISTRY_READ_ONLY"
    | "REGISTRY_WRITE_FAILED"
    | "REGISTRY_READ_FAILED"
    | "REGISTRY_UNAVAILABLE"
    | "LISTENER_FAILED"
    | "LATE_SPAWN_STOPPED"
    | "STOP_FAILED";
  readonly message: string;
  readonly error?: unknown;
};

/**
 * Suggested `stage`s for `canReuse` taps (lower runs first): gates that must see every candidate first,
 * compatibility policies in the middle, taps that only rank or annotate allowed candidates last.
 */
export const CanReuseStage = Object.freeze({ GATE: -100, COMPATIBILITY: 0, RANKING: 100 });

type LifecycleHooks = { readonly [N in PoolEventName]: SyncHook<[PoolEventPayloads[N]]> };

/** One observe-only SyncHook per lifecycle event (see diagnostics/events.ts for each payload). */
function createLifecycleHooks(): LifecycleHooks {
  const lifecycle = <N extends PoolEventName>(name: N) => new SyncHook<[PoolEventPayloads[N]]>(["event"], name);
  return {
    /** A worker is about to be started. */
    spawnStarted: lifecycle("spawnStarted"),
    /** A worker answered its readiness check and is recorded. */
    spawnReady: lifecycle("spawnReady"),
    /** A spawn failed (or was aborted); `code` says how. */
    spawnFailed: lifecycle("spawnFailed"),
    /** A request was handed a worker. */
    leased: lifecycle("leased"),
    /** A lease was released. */
    released: lifecycle("released"),
    /** The pool stopped a worker; `cause` says why. */
    stopped: lifecycle("stopped"),
    /** A worker's process was found gone without the pool stopping it. */
    exited: lifecycle("exited"),
    /** An idle worker was stopped to make room at a capacity limit. */
    evicted: lifecycle("evicted"),
    /** A draining worker was stopped once its last lease was released. */
    drained: lifecycle("drained"),
    /** A new spawn superseded a worker (its model changed); `action` is what `onSuperseded` did with it. */
    superseded: lifecycle("superseded"),
  };
}

export function createPoolHooks() {
  return Object.freeze({
    ...createLifecycleHooks(),
    /** Waterfall of verdicts, one run per candidate; starts from "deny: no compatibility policy registered". */
    canReuse: new AsyncSeriesWaterfallHook<[ReuseVerdict, ReuseContext]>(["verdict", "context"], "canReuse"),
    /** Every decision of `getOrSpawn` and (with `dryRun`) of `explain`. */
    decided: new SyncHook<[Decision]>(["decision"], "decided"),
    /** Trouble the pool worked around (a corrupt registry moved aside, a read-only registry...). */
    warning: new SyncHook<[PoolWarning]>(["warning"], "warning"),
  });
}

export type PoolHooks = ReturnType<typeof createPoolHooks>;

/** Where the waterfall starts: with no policy registered, nothing is ever reused. */
export function initialVerdict(): ReuseVerdict {
  return { reuse: false, reason: "no compatibility policy registered", code: VerdictCode.NO_POLICY };
}
