import { parseOptions, processBackend, type WorkerBackend } from "@modelpool/core";
import * as z from "zod";

/** What `opencodeBackend` takes. Plain TypeScript, checked against `OpencodeBackendOptionsSchema` at compile time. */
export interface OpencodeBackendOptions {
  /** The `opencode` executable: the `opencode-ai` package's bin, or `opencode` on PATH (default). */
  command?: string;
  /** The project directory the server works in (default: this process's). */
  cwd?: string;
  /** More opencode config, merged under the model (which always comes from the request). */
  config?: Record<string, unknown>;
  /** Extra environment (e.g. an isolated HOME or XDG dirs). */
  env?: Record<string, string>;
  /** `--pure`: run without external plugins (default true). */
  pure?: boolean;
  /** How long a start may take before it fails with a SpawnError (default 30000). */
  timeoutMs?: number;
  /** After SIGTERM, how long before SIGKILL (default 5000). */
  stopGraceMs?: number;
  /** Where each worker's output goes (default: a directory under the OS temp dir). */
  logDir?: string;
}

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
  .strict() satisfies z.ZodType<unknown, OpencodeBackendOptions>;

const ConfigResponseSchema = z.looseObject({ model: z.string().min(1).optional() });

/**
 * Workers that are `opencode serve` processes. The model is set through the server's config
 * (`OPENCODE_CONFIG_CONTENT`); readiness is its "listening on" line and then `GET /session` answering;
 * a probe reads the model the server is really configured with from `GET /config`, so a server whose
 * live model differs from the registry is never reused. No provider credentials are needed to start one.
 */
export function opencodeBackend(options: OpencodeBackendOptions = {}): WorkerBackend {
  const config = parseOptions(OpencodeBackendOptionsSchema, options, "opencodeBackend");
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
        const parsed = ConfigResponseSchema.safeParse(body, { jitless: true });
        if (!parsed.success || parsed.data.model === undefined) return undefined;
        return { ...(record.fingerprint ?? { modelPolicy: "dynamic" }), resolvedModel: parsed.data.model };
      },
    },
    timeoutMs: config.timeoutMs,
    stopGraceMs: config.stopGraceMs,
    ...(config.logDir !== undefined ? { logDir: config.logDir } : {}),
  });
}
