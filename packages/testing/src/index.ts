/**
 * The test kit for modelpool policy and backend authors: a real model worker to spawn, a pool factory
 * whose cleanup leaves nothing running, resolved fingerprints, and a policy's verdict on one candidate.
 *
 * @packageDocumentation
 * @module @modelpool/testing
 */
export { fingerprint } from "./fingerprint.js";
export { judgeReuse, type ReuseQuestion } from "./judge-reuse.js";
export { MODEL_WORKER_SCRIPT, type ModelWorkerBackendOptions, modelWorkerBackend } from "./model-worker.js";
export { createTestPool, stopRecordedWorkers, type TestPool, type TestPoolOptions } from "./test-pool.js";
