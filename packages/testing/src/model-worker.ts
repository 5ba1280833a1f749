import { fileURLToPath } from "node:url";
import { processBackend, type WorkerBackend } from "@modelpool/core";

/**
 * The model worker's script: a tiny HTTP server that reports, on `GET /health`, the model it was started
 * with (`MODELPOOL_MODEL`, set by the pool), as `{ model, modelPolicy, pid }`. `WORKER_MODE=crash|hang|silent`
 * makes it fail as real servers do; `WORKER_START_DELAY_MS` delays its readiness; `WORKER_PORT` and
 * `WORKER_HOST` fix where it listens (default: a port the OS picks on 127.0.0.1).
 */
// One level up from both src/ and dist/: the script ships beside them, in worker/.
export const MODEL_WORKER_SCRIPT: string = fileURLToPath(new URL("../worker/model-worker.mjs", import.meta.url));

/** Options of `modelWorkerBackend`. */
export type ModelWorkerBackendOptions = {
  /** More environment for every worker, e.g. `{ WORKER_MODE: "crash" }` to test a failing spawn. */
  env?: Record<string, string>;
  /** How long a spawn may take to be ready (default 15 s). */
  timeoutMs?: number;
  /** The backend's name, recorded with each worker (default `"model-worker"`). */
  name?: string;
};

/**
 * A `processBackend` that runs the model worker as real child processes, with the runtime running this
 * code (Node or Bun): ready when it prints its URL, probed on `GET /health`, whose answer tells the model
 * it really runs (a probe's fingerprint beats the registry's).
 */
export function modelWorkerBackend(options: ModelWorkerBackendOptions = {}): WorkerBackend {
  return processBackend({
    name: options.name ?? "model-worker",
    command: process.execPath,
    args: [MODEL_WORKER_SCRIPT],
    env: options.env ?? {},
    ready: { stdout: /listening on (?<url>http:\/\/\S+)/ },
    health: {
      path: "/health",
      fingerprint: (body, record) => {
        const { model } = body as { model?: unknown };
        return typeof model === "string"
          ? { ...(record.fingerprint ?? { modelPolicy: "dynamic" }), resolvedModel: model }
          : undefined;
      },
    },
    timeoutMs: options.timeoutMs ?? 15_000,
    stopGraceMs: 2_000,
  });
}
