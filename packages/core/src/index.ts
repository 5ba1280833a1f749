export {
  type OpencodeBackendOptions,
  OpencodeBackendOptionsSchema,
  opencodeBackend,
} from "./backend/opencode-backend.js";
export { type ProcessBackendOptions, ProcessBackendOptionsSchema, processBackend } from "./backend/process-backend.js";
export {
  isWorkerBackend,
  type ProbeResult,
  ProbeResultSchema,
  type SpawnContext,
  type SpawnedWorker,
  SpawnedWorkerSchema,
  type WorkerBackend,
} from "./backend/worker-backend.js";
export * from "./errors/index.js";
export {
  type CandidateSource,
  CanReuseStage,
  type ConsideredCandidate,
  type Decision,
  type DecisionOutcome,
  initialVerdict,
  type PoolHooks,
  type PoolWarning,
  type ReuseContext,
} from "./pool/hooks.js";
export { isLoopbackUrl } from "./pool/loopback.js";
export {
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
  parseOptions,
  tapReusePolicy,
} from "./pool/plugin-support.js";
export type { PoolStatsSnapshot, StopCause } from "./pool/pool-stats.js";
export { type WorkerLease, WorkerPool } from "./pool/WorkerPool.js";
export { type LiveProcess, processIdentityOf, readExecutable, readLiveProcess } from "./process/process-identity.js";
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
export { DeviceRegistry, type DeviceRegistryOptions, type PrunedRecord } from "./registry/DeviceRegistry.js";
export { defaultRegistryPath } from "./registry/default-path.js";
export { RegistryDraft } from "./registry/RegistryDraft.js";
export { decodeRegistry, type RegistryContents } from "./registry/registry-contents.js";
export { REGISTRY_VERSION, RegistryFileSchema } from "./registry/schema/index.js";
export { staleReason } from "./registry/stale-record.js";
export {
  fingerprintKey,
  type ModelFingerprint,
  type ModelFingerprintInput,
  ModelFingerprintSchema,
  type ModelPolicy,
  ModelPolicySchema,
} from "./schema/fingerprint.js";
export { FINGERPRINT_SCHEME, readRecordedFingerprint } from "./schema/fingerprint-scheme.js";
export { type ResolvedWorkerRequest, type WorkerRequest, WorkerRequestSchema } from "./schema/request.js";
export { type ReuseVerdict, ReuseVerdictSchema } from "./schema/verdict.js";
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
