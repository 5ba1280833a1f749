export { MODEL_WORKER_SCRIPT, modelWorkerBackend } from "./model-worker.js";
export { runNodeScript, startNodeScript } from "./node-script.js";
export { isRunning, waitUntil } from "./processes-state.js";
export { freeLoopbackPort, redisServerMissing, TestRedisServer } from "./redis-server.js";
export { stopRecordedWorkersAfterTest } from "./registry-workers.js";
export { SameModelTestPolicy } from "./same-model-policy.js";
export { describeRegistryStoreContract, type StoreContractSubject } from "./store-contract.js";
export { tempDir, tempRegistryPath } from "./temp-files.js";
export { testPool } from "./test-pool.js";
