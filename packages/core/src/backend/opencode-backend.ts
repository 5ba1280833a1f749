import { z } from "zod";
import { InvalidOptionsError } from "../errors/InvalidOptionsError.js";
import { PARSE_CONTEXT, parseOrThrow } from "../schema/parse-or-throw.js";
import { processBackend } from "./process-backend.js";
import type { WorkerBackend } from "./worker-backend.js";

export const OpencodeBackendOptionsSchema = z
  .object({
    /** The `opencode` executable: the `opencode-ai` package's bin, or `opencode` on PATH. */
    command: z.string().min(1).default("opencode"),
    /** The project directory the server works in. */
    cwd: z.string().optional(),
    /** More opencode config, merged under the model (which always comes from the request). */
    config: z.record(z.string(), z.unknown()).default({}),
    /** Extra environment (e.g. an isolated HOME or XDG dirs). */
    env: z.record(z.string(), z.string()).default({}),
    /** `--pure`: run without external plugins. */
    pure: z.boolean().default(true),
    timeoutMs: z.number().int().positive().default(30_000),
    stopGraceMs: z.number().int().min(0).default(5_000),
    logDir: z.string().optional(),
  })
  .strict();
export type OpencodeBackendOptions = z.input<typeof OpencodeBackendOptionsSchema>;

const ConfigResponseSchema = z.looseObject({ model: z.string().min(1).optional() });

/**
 * Workers that are `opencode serve` processes. The model is set through the server's config
 * (`OPENCODE_CONFIG_CONTENT`); readiness is its "listening on" line and then `GET /session` answering;
 * a probe reads the model the server is really configured with from `GET /config`, so a server whose
 * live model differs from the registry is never reused. No provider credentials are needed to start one.
 */
export function opencodeBackend(options: OpencodeBackendOptions = {}): WorkerBackend {
  const config = parseOrThrow(
    OpencodeBackendOptionsSchema,
    options,
    (issues) => new InvalidOptionsError("opencodeBackend", issues),
  );
  return processBackend({
    name: "opencode",
    command: config.command,
    // Port 0 lets the OS choose: opencode prefers 4096, so several workers would otherwise collide.
    args: ["serve", "--port", "0", "--hostname", "127.0.0.1", ...(config.pure ? ["--pure"] : [])],
    env: (request) => ({
      ...config.env,
      OPENCODE_CONFIG_CONTENT: JSON.stringify({ ...config.config, model: request.fingerprint.resolvedModel }),
    }),
    ...(config.cwd !== undefined ? { cwd: config.cwd } : {}),
    ready: { stdout: /listening on (?<url>http:\/\/[^\s]+)/, path: "/session" },
    health: {
      path: "/config",
      fingerprint: (body, record) => {
        const parsed = ConfigResponseSchema.safeParse(body, PARSE_CONTEXT);
        if (!parsed.success || parsed.data.model === undefined) return undefined;
        return { ...(record.fingerprint ?? { modelPolicy: "dynamic" }), resolvedModel: parsed.data.model };
      },
    },
    timeoutMs: config.timeoutMs,
    stopGraceMs: config.stopGraceMs,
    ...(config.logDir !== undefined ? { logDir: config.logDir } : {}),
  });
}
