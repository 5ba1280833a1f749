// The public test kit's model worker is the tests' worker too: one real worker for the examples, the
// repository's tests and policy authors.
export { MODEL_WORKER_SCRIPT, modelWorkerBackend } from "@modelpool/testing";
