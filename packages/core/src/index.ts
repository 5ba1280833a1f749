/**
 * The pool, its hooks, the registry, the process backend and the typed errors of modelpool.
 *
 * @packageDocumentation
 * @module @modelpool/core
 */
export { type ProcessBackendOptions, ProcessBackendOptionsSchema, processBackend } from "./backend/process-backend.js";
export {
  isWorkerBackend,
  type ProbeContext,
  type ProbeResult,
  ProbeResultSchema,
  type SpawnContext,
  type SpawnedWorker,
  SpawnedWorkerSchema,
  type WorkerBackend,
} from "./backend/worker-backend.js";
export { channelName, channels } from "./diagnostics/channels.js";
export {
  type ChannelName,
  type ChannelPayloads,
  type DrainedEvent,
  type EvictedEvent,
  type ExitedEvent,
  type LeasedEvent,
  PoolEventCode,
  PoolEventName,
  type PoolEventPayloads,
  type ReleasedEvent,
  type SpawnFailedEvent,
  type SpawnReadyEvent,
  type SpawnStartedEvent,
  type StoppedEvent,
  type SupersededEvent,
} from "./diagnostics/events.js";
export { isPoolLogger, type PoolLogger } from "./diagnostics/logger.js";
export * from "./errors/index.js";
export { isPolicyTimeoutError, PolicyTimeoutError } from "./errors/PolicyTimeoutError.js";
export { abandonedReason, type StoppedWorker, stopAbandonedWorkers } from "./pool/abandoned-workers.js";
export { frozenCopy } from "./pool/frozen-copy.js";
export {
  type CandidateSource,
  CanReuseStage,
  type ConsideredCandidate,
  type Decision,
  DecisionCode,
  type DecisionOutcome,
  type DecisionTimings,
  initialVerdict,
  type JudgedVerdict,
  type PoolHooks,
  type PoolWarning,
  type ReuseContext,
} from "./pool/hooks.js";
export { isWorkerPool } from "./pool/is-worker-pool.js";
export { leaseUsage } from "./pool/lease-book.js";
export { isLoopbackUrl } from "./pool/loopback.js";
export {
  MAX_TIMER_MS,
  type PluginHost,
  type PoolPlugin,
  type SupersededAction,
  SupersededActionSchema,
  type WorkerPoolOptions,
  WorkerPoolOptionsSchema,
} from "./pool/options.js";
export {
  assertWorkerPool,
  composeVerdict,
  noFingerprintVerdict,
  tapReuseOverride,
  tapReusePolicy,
} from "./pool/plugin-support.js";
export type { PoolStatsSnapshot, StopCause } from "./pool/pool-stats.js";
export { WorkerPool } from "./pool/WorkerPool.js";
export type { StopOutcome, WorkerLease } from "./pool/worker-lease.js";
export { localHostId } from "./process/host-id.js";
export { type LiveProcess, processIdentityOf, readExecutable, readLiveProcess } from "./process/process-identity.js";
export { checkRecordLiveness } from "./process/record-liveness.js";
export { identityToRecord, type RecordedIdentity } from "./process/recorded-identity.js";
export {
  checkRecordedProcess,
  LEGACY_START_WINDOW_MS,
  type RecordedProcess,
  type RecordedProcessCheck,
} from "./process/recorded-process.js";
export { type SignalResult, signalRecordedWorker } from "./process/signal-gate.js";
export {
  type TerminateOutcome,
  type TerminateReport,
  type TerminateResult,
  terminateRecordedProcess,
} from "./process/terminate.js";
export { verifySpawnedProcess } from "./process/verify-spawned.js";
export { DeviceRegistry, type DeviceRegistryOptions } from "./registry/DeviceRegistry.js";
export { defaultLegacySources, defaultRegistryPath } from "./registry/default-path.js";
// One validation of a record's text for every store (the directory store's files, a fleet store's values).
export {
  decodeRecord as decodeRecordText,
  type RecordFileRead as RecordTextRead,
} from "./registry/device/record-file.js";
export { REGISTRY_DIRECTORY_VERSION } from "./registry/device/registry-root.js";
export { LegacyRegistryFile } from "./registry/legacy/LegacyRegistryFile.js";
export { staleReason } from "./registry/stale-record.js";
export {
  type ClaimAttempt,
  type ClaimRelease,
  type ClaimRequest,
  type HeldByProcess,
  isRegistryStore,
  type PrunedRecord,
  type RecordChange,
  type RecordRef,
  type RegistryStore,
  type StoreRead,
  type UnreadableRecord,
} from "./registry/store/RegistryStore.js";
export { type AdoptInput, AdoptInputSchema } from "./schema/adopt.js";
export {
  fingerprintKey,
  type ModelFingerprint,
  type ModelFingerprintInput,
  ModelFingerprintSchema,
  type ModelPolicy,
  ModelPolicySchema,
} from "./schema/fingerprint.js";
export { FINGERPRINT_SCHEME, readRecordedFingerprint } from "./schema/fingerprint-scheme.js";
export { type OptionsValidator, parseOptions } from "./schema/parse-options.js";
export { type ResolvedWorkerRequest, type WorkerRequest, WorkerRequestSchema } from "./schema/request.js";
export {
  type ClaimFailure,
  ClaimFailureSchema,
  type ClaimOwner,
  ClaimOwnerSchema,
  type SpawnClaim,
  SpawnClaimSchema,
} from "./schema/spawn-claim.js";
export { isStandardSchema, type StandardSchemaV1 } from "./schema/standard-schema.js";
export { type ReuseVerdict, ReuseVerdictSchema, VerdictCode, VerdictCodeSchema } from "./schema/verdict.js";
export {
  type LeaseHolder,
  LeaseHolderSchema,
  type ProcessIdentity,
  ProcessIdentitySchema,
  type WorkerRecord,
  WorkerRecordSchema,
  type WorkerStatus,
  WorkerStatusSchema,
} from "./schema/worker-record.js";
