import type { ConnectionOptions } from "node:tls";
import * as z from "zod";

/**
 * A deployment's key prefix. Letters, digits and `_ . : { } -` only: never a glob character (`*`, `?`,
 * `[`) that would make an operator's `SCAN MATCH ns:*` match another deployment, never whitespace.
 */
export const NamespaceSchema = z
  .string()
  .regex(/^[A-Za-z0-9_.:{}-]{1,100}$/, "namespace must be 1-100 of A-Z a-z 0-9 _ . : { } - (no *, ?, [ or spaces)");

const RedisUrlSchema = z
  .string()
  .max(4096)
  .refine((url) => URL.canParse(url) && ["redis:", "rediss:"].includes(new URL(url).protocol), {
    message: "url must be a redis:// or rediss:// URL",
  });

export const RedisRegistryOptionsSchema = z
  .object({
    /** `redis://[user[:password]@]host[:port][/db]`, or `rediss://` for TLS. Or give `client`. */
    url: RedisUrlSchema.optional(),
    /**
     * An existing node-redis client (`createClient()` of `redis` or `@redis/client`) to use instead of a
     * connection of the store's own: its TLS, credentials and retry settings are the application's, and
     * `close()` leaves it open. Commands still get the store's reply timeout.
     */
    client: z
      .custom<RedisClientLike>(
        (value) =>
          typeof value === "object" &&
          value !== null &&
          typeof (value as RedisClientLike).sendCommand === "function" &&
          typeof (value as RedisClientLike).connect === "function",
        { message: "client must be a node-redis client (createClient())" },
      )
      .optional(),
    /** One per deployment: every key starts with it. */
    namespace: NamespaceSchema,
    /** This machine (default `localHostId()`: hostname and boot id). */
    hostId: z.string().min(1).max(256).optional(),
    /** How often this host renews the heartbeats of its live workers. */
    heartbeatMs: z.number().int().min(50).max(600_000).default(2_000),
    /** How long a heartbeat lasts unrenewed: past it, other hosts take the worker for dead. */
    heartbeatTtlMs: z.number().int().min(150).max(3_600_000).default(6_000),
    /** Longest wait for a connection (TCP, TLS, AUTH) before `RegistryUnavailableError`. */
    connectTimeoutMs: z.number().int().min(1).max(600_000).default(2_000),
    /** Longest wait for one command's reply before `RegistryUnavailableError`. */
    commandTimeoutMs: z.number().int().min(1).max(600_000).default(1_000),
    /** Longest an `update` retries when other writers keep changing the record under it. */
    updateTimeoutMs: z.number().int().min(1).max(600_000).default(5_000),
    /** Extra TLS settings for `rediss://` (a private CA, a client certificate). */
    tls: z.custom<ConnectionOptions>((value) => typeof value === "object" && value !== null).optional(),
    /** Told about heartbeats that could not be written (the store keeps trying every period). */
    onHeartbeatError: z.custom<(error: unknown) => void>((value) => typeof value === "function").optional(),
  })
  .refine((options) => (options.url === undefined) !== (options.client === undefined), {
    message: "give a client or url (one of them, not both)",
    path: ["url"],
  })
  .refine((options) => options.heartbeatTtlMs >= 2 * options.heartbeatMs, {
    message: "heartbeatTtlMs must be at least twice heartbeatMs, so one late heartbeat does not kill a worker",
    path: ["heartbeatTtlMs"],
  });

/** What the store needs of a node-redis client (v4 to v6 of `@redis/client`, or `redis`). */
export interface RedisClientLike {
  readonly isOpen: boolean;
  readonly isReady: boolean;
  readonly options?: { readonly url?: string } | undefined;
  connect(): Promise<unknown>;
  sendCommand(args: readonly string[], options?: object): Promise<unknown>;
  on(event: "error", listener: (error: unknown) => void): unknown;
  off(event: "error", listener: (error: unknown) => void): unknown;
}

export type RedisRegistryOptions = z.input<typeof RedisRegistryOptionsSchema>;
export type ResolvedRedisRegistryOptions = z.output<typeof RedisRegistryOptionsSchema>;
