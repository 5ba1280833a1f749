// What scripts running in their own OS process may import: nothing here loads vitest.
export { MODEL_WORKER_SCRIPT, modelWorkerBackend } from "./model-worker.js";
export { SameModelTestPolicy } from "./same-model-policy.js";
export { START_FILE_ENV, untilStartFile } from "./start-file.js";
