import * as z from "zod";

/** A stable, machine-readable code: upper snake case, so it can be matched without parsing a reason. */
export const VerdictCodeSchema = z
  .string()
  .max(64)
  .regex(/^[A-Z][A-Z0-9_]*$/, "code must be UPPER_SNAKE_CASE");

/** What the `canReuse` waterfall passes from tap to tap. */
export interface ReuseVerdict {
  reuse: boolean;
  /** Why, in words a person reads in `decision.considered` and `modelpool explain` (non-empty). */
  reason: string;
  /**
   * Why, for machines (`REUSE_ALLOWED`, `MODEL_DIFFERS`, `NO_POLICY`...): UPPER_SNAKE_CASE. Core fills it
   * in when a tap leaves it out (`REUSE_ALLOWED` or `REUSE_DENIED`), so every verdict it reports has one.
   */
  code?: string;
  /** Which policy (tap name) produced this verdict. */
  by?: string;
  /** Among allowed candidates, the highest rank wins; ties go to the most recently updated. */
  rank?: number;
  /** A denial because the request's model replaced the worker's: `onSuperseded` acts on exactly these. */
  supersedes?: boolean;
  /** From a tap registered with `tapReuseOverride` only: replaces an earlier denial. Ignored from any other tap. */
  override?: boolean;
}

export const ReuseVerdictSchema = z.strictObject({
  reuse: z.boolean(),
  reason: z.string().min(1).max(4096),
  /**
   * Why, for machines (`REUSE_ALLOWED`, `MODEL_DIFFERS`, `NO_POLICY`...). Core fills it in when a tap
   * leaves it out (`REUSE_ALLOWED` or `REUSE_DENIED`), so every verdict it reports carries one.
   */
  code: VerdictCodeSchema.optional(),
  /** Which policy (tap name) produced this verdict. */
  by: z.string().max(256).optional(),
  /** Among allowed candidates, the highest rank wins; ties go to the most recently updated. */
  rank: z.number().finite().optional(),
  /**
   * A denial because the request's model replaced the worker's: `onSuperseded` acts on exactly these
   * (never on a worker denied for being dead, draining, remote or unhealthy).
   */
  supersedes: z.boolean().optional(),
  /**
   * Set by a tap registered as an override (`tapReuseOverride`) to replace an earlier denial. From any
   * other tap it is ignored: an earlier denial stands.
   */
  override: z.boolean().optional(),
}) satisfies z.ZodType<ReuseVerdict>;
/** A verdict as core reports it: always with a code. */
export type JudgedVerdict = ReuseVerdict & { readonly code: string };

/** The codes core itself gives (policies may use these or their own). */
export const VerdictCode = Object.freeze({
  REUSE_ALLOWED: "REUSE_ALLOWED",
  REUSE_DENIED: "REUSE_DENIED",
  NO_POLICY: "NO_POLICY",
  MODEL_DIFFERS: "MODEL_DIFFERS",
  NO_RECORDED_MODEL: "NO_RECORDED_MODEL",
  PROCESS_GONE: "PROCESS_GONE",
  DRAINING: "DRAINING",
  SCHEME_UNREADABLE: "SCHEME_UNREADABLE",
  URL_NOT_ALLOWED: "URL_NOT_ALLOWED",
  IDLE_EXPIRED: "IDLE_EXPIRED",
  PROBE_FAILED: "PROBE_FAILED",
  LIVE_MODEL_DIFFERS: "LIVE_MODEL_DIFFERS",
});
