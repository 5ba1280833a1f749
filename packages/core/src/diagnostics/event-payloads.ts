import type { StopCause } from "../pool/pool-stats.js";
import type { SupersededAction } from "../pool/worker-pool-options.js";
import type { ResolvedWorkerRequest } from "../schema/request.js";
import type { JudgedVerdict } from "../schema/verdict.js";
import type { WorkerRecord } from "../schema/worker-record.js";
import {
  type DrainedEvent,
  type EvictedEvent,
  type ExitedEvent,
  type SpawnFailedEvent,
  type SpawnReadyEvent,
  type SpawnStartedEvent,
  STOP_CODES,
  type StoppedEvent,
  type SupersededEvent,
  spawnFailureCode,
} from "./events.js";

// One builder per event, so that each place in the pool that fires one is a single line.

type Payload<E> = Omit<E, "at">;

const of = (record: WorkerRecord) => ({ workerId: record.workerId, id: record.id, record });
const uptimeOf = (record: WorkerRecord) => Date.now() - record.startedAt;

export const spawnStartedEvent = (request: ResolvedWorkerRequest, id: string): Payload<SpawnStartedEvent> => ({
  code: "SPAWN_STARTED",
  workerId: request.workerId,
  id,
  fingerprint: request.fingerprint,
});

export const spawnReadyEvent = (record: WorkerRecord, durationMs: number): Payload<SpawnReadyEvent> => ({
  code: "SPAWN_READY",
  ...of(record),
  durationMs,
});

export const spawnFailedEvent = (
  request: ResolvedWorkerRequest,
  id: string,
  error: unknown,
  signal: AbortSignal,
  durationMs: number,
): Payload<SpawnFailedEvent> => ({
  code: spawnFailureCode(error, signal),
  workerId: request.workerId,
  id,
  error,
  durationMs,
});

export const stoppedEvent = (record: WorkerRecord, cause: StopCause, durationMs: number): Payload<StoppedEvent> => ({
  code: STOP_CODES[cause],
  ...of(record),
  cause,
  durationMs,
  uptimeMs: uptimeOf(record),
});

export const exitedEvent = (record: WorkerRecord, reason: string): Payload<ExitedEvent> => ({
  code: "PROCESS_GONE",
  ...of(record),
  reason,
  uptimeMs: uptimeOf(record),
});

export const evictedEvent = (record: WorkerRecord, scope: "pool" | "device"): Payload<EvictedEvent> => ({
  code: "EVICTED",
  ...of(record),
  scope,
  uptimeMs: uptimeOf(record),
});

export const drainedEvent = (record: WorkerRecord): Payload<DrainedEvent> => ({
  code: "DRAINED",
  ...of(record),
  uptimeMs: uptimeOf(record),
});

export const supersededEvent = (
  record: WorkerRecord,
  action: SupersededAction,
  verdict: JudgedVerdict,
): Payload<SupersededEvent> => ({
  code: "SUPERSEDED",
  ...of(record),
  action,
  by: verdict.by,
  reason: verdict.reason,
});
