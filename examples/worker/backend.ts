import type { WorkerBackend } from "@modelpool/core";
import { MODEL_WORKER_SCRIPT, type ModelWorkerBackendOptions, modelWorkerBackend } from "@modelpool/testing";

/** The bundled model server: @modelpool/testing's model worker (an HTTP server that reports its model on GET /health). */
export const MODEL_SERVER_SCRIPT = MODEL_WORKER_SCRIPT;

/**
 * A processBackend that runs the bundled model server as real child processes: ready when it prints its
 * URL, probed on GET /health, whose answer tells the model it really runs. Recorded as "model-server".
 */
export function modelServerBackend(options: ModelWorkerBackendOptions = {}): WorkerBackend {
  return modelWorkerBackend({ name: "model-server", ...options });
}
