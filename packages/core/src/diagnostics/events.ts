import type { Decision, PoolWarning } from "../pool/hooks.js";
import type { StopCause } from "../pool/pool-stats.js";
import type { SupersededAction } from "../pool/worker-pool-options.js";
import type { ModelFingerprint } from "../schema/fingerprint.js";
import type { WorkerRecord } from "../schema/worker-record.js";

/**
 * The lifecycle events of a pool, in one place: each is a `pool.hooks.<name>` SyncHook, a
 * `node:diagnostics_channel` channel `modelpool:<name>`, and a line of the pool's log.
 */
export const PoolEventName = Object.freeze([
  "spawnStarted",
  "spawnReady",
  "spawnFailed",
  "leased",
  "released",
  "stopped",
  "exited",
  "evicted",
  "drained",
  "superseded",
] as const);
export type PoolEventName = (typeof PoolEventName)[number];

/** Stable codes of the events (metric labels, log filters): never a model name or a pid inside. */
export const PoolEventCode = Object.freeze({
  SPAWN_STARTED: "SPAWN_STARTED",
  SPAWN_READY: "SPAWN_READY",
  /** The request that started the spawn was aborted (its signal, or `stopAll()`). */
  SPAWN_ABORTED: "SPAWN_ABORTED",
  LEASED: "LEASED",
  RELEASED: "RELEASED",
  STOPPED_SUPERSEDED: "STOPPED_SUPERSEDED",
  STOPPED_IDLE: "STOPPED_IDLE",
  STOPPED_CAPACITY: "STOPPED_CAPACITY",
  STOPPED_MANUAL: "STOPPED_MANUAL",
  /** The worker's process was found gone (it exited or was killed by something other than this pool). */
  PROCESS_GONE: "PROCESS_GONE",
  EVICTED: "EVICTED",
  DRAINED: "DRAINED",
  SUPERSEDED: "SUPERSEDED",
});
export type PoolEventCode = (typeof PoolEventCode)[keyof typeof PoolEventCode];

/** The stop code for each cause. */
export const STOP_CODES = Object.freeze({
  superseded: PoolEventCode.STOPPED_SUPERSEDED,
  idle: PoolEventCode.STOPPED_IDLE,
  capacity: PoolEventCode.STOPPED_CAPACITY,
  manual: PoolEventCode.STOPPED_MANUAL,
} as const satisfies Record<StopCause, PoolEventCode>);

/** What every event carries: its code, when it happened (epoch ms) and which worker it is about. */
type EventBase<C extends string> = {
  readonly code: C;
  readonly at: number;
  readonly workerId: string;
  /** The worker's record id (unique per started process). */
  readonly id: string;
};

/** A worker of this pool is about to be started (room was found at capacity). */
export type SpawnStartedEvent = EventBase<"SPAWN_STARTED"> & { readonly fingerprint: ModelFingerprint };
/** It answered its readiness check and is recorded; `durationMs` counts from its start. */
export type SpawnReadyEvent = EventBase<"SPAWN_READY"> & { readonly record: WorkerRecord; readonly durationMs: number };
/**
 * A spawn that had started (its `spawnStarted` fired) failed: `code` is the error's own (`SPAWN_FAILED`...)
 * or `SPAWN_ABORTED`. `durationMs` counts from when the spawn was asked for (waiting for room included).
 * A request that finds no room at capacity fails with a `CapacityError` before any spawn starts: no event.
 */
export type SpawnFailedEvent = EventBase<string> & { readonly durationMs: number; readonly error: unknown };
/** A request was handed this worker (`decision` says why). */
export type LeasedEvent = EventBase<"LEASED"> & { readonly record: WorkerRecord; readonly decision: Decision };
/** A lease was released after `heldMs`. */
export type ReleasedEvent = EventBase<"RELEASED"> & { readonly record: WorkerRecord; readonly heldMs: number };
/** The pool stopped the worker's process and removed its record; `uptimeMs` since its start. */
export type StoppedEvent = EventBase<(typeof STOP_CODES)[StopCause]> & {
  readonly record: WorkerRecord;
  readonly cause: StopCause;
  /** How long the stop took (the backend's stop, or the signal and the wait for the exit). */
  readonly durationMs: number;
  readonly uptimeMs: number;
};
/** The worker's process was found gone without this pool stopping it; its record is dropped. */
export type ExitedEvent = EventBase<"PROCESS_GONE"> & {
  readonly record: WorkerRecord;
  readonly reason: string;
  readonly uptimeMs: number;
};
/** An idle worker was stopped to make room at a capacity limit (after its `stopped`). */
export type EvictedEvent = EventBase<"EVICTED"> & {
  readonly record: WorkerRecord;
  readonly scope: "pool" | "device";
  readonly uptimeMs: number;
};
/** A draining worker was stopped once no lease held it any more (after its `stopped`). */
export type DrainedEvent = EventBase<"DRAINED"> & { readonly record: WorkerRecord; readonly uptimeMs: number };
/**
 * A policy said a new spawn supersedes this worker (the request's model changed); `action` is what
 * `onSuperseded` said to do with it (`stop` and `drain` then also fire `stopped` / `drained`).
 */
export type SupersededEvent = EventBase<"SUPERSEDED"> & {
  readonly record: WorkerRecord;
  readonly action: SupersededAction;
  /** The policy that denied it, and why. */
  readonly by: string | undefined;
  readonly reason: string;
};

/** Each lifecycle event's payload, by name. */
export type PoolEventPayloads = {
  spawnStarted: SpawnStartedEvent;
  spawnReady: SpawnReadyEvent;
  spawnFailed: SpawnFailedEvent;
  leased: LeasedEvent;
  released: ReleasedEvent;
  stopped: StoppedEvent;
  exited: ExitedEvent;
  evicted: EvictedEvent;
  drained: DrainedEvent;
  superseded: SupersededEvent;
};

/** Everything published on a `modelpool:*` channel: the lifecycle events, decisions and warnings. */
export type ChannelPayloads = PoolEventPayloads & { decided: Decision; warning: PoolWarning };
export type ChannelName = keyof ChannelPayloads;

/** A failed spawn's code: `SPAWN_ABORTED` when its request was aborted, else the error's own code. */
export function spawnFailureCode(error: unknown, signal: AbortSignal): string {
  if (signal.aborted) return PoolEventCode.SPAWN_ABORTED;
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && /^[A-Z][A-Z0-9_]{0,63}$/.test(code) ? code : "SPAWN_FAILED";
}
