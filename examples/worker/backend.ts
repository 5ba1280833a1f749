import { fileURLToPath } from "node:url";
import { processBackend, type WorkerBackend } from "@modelpool/core";

/** The bundled model server (an HTTP server that reports its model on GET /health). */
export const MODEL_SERVER_SCRIPT = fileURLToPath(new URL("./model-server.mjs", import.meta.url));

/**
 * A processBackend that runs the bundled model server as real child processes: ready when it prints its
 * URL, probed on GET /health, whose answer tells the model it really runs.
 */
export function modelServerBackend(
  options: { env?: Record<string, string>; timeoutMs?: number; name?: string } = {},
): WorkerBackend {
  return processBackend({
    name: options.name ?? "model-server",
    command: process.execPath,
    args: [MODEL_SERVER_SCRIPT],
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
