import { fileURLToPath } from "node:url";
import { type ModelFingerprint, processBackend, type WorkerBackend } from "@modelpool/core";

export const MODEL_WORKER_SCRIPT = fileURLToPath(new URL("../../../examples/worker/model-server.mjs", import.meta.url));

/** A processBackend running the bundled model worker, which reports its model on GET /health. */
export function modelWorkerBackend(
  options: { env?: Record<string, string>; timeoutMs?: number; name?: string } = {},
): WorkerBackend {
  return processBackend({
    name: options.name ?? "model-worker",
    command: process.execPath,
    args: [MODEL_WORKER_SCRIPT],
    env: options.env ?? {},
    ready: { stdout: /listening on (?<url>http:\/\/\S+)/ },
    health: {
      path: "/health",
      fingerprint: (body) => {
        const { model, modelPolicy } = body as { model: string; modelPolicy: ModelFingerprint["modelPolicy"] };
        return { resolvedModel: model, modelPolicy };
      },
    },
    timeoutMs: options.timeoutMs ?? 15_000,
    stopGraceMs: 2_000,
  });
}
