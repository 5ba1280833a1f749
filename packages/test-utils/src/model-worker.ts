// The examples' bundled model server is the tests' worker too: one real worker, two audiences.
export {
  MODEL_SERVER_SCRIPT as MODEL_WORKER_SCRIPT,
  modelServerBackend as modelWorkerBackend,
} from "../../../examples/worker/backend.js";
