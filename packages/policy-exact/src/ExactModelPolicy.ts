import {
  CanReuseStage,
  type ModelFingerprint,
  noFingerprintVerdict,
  type PoolPlugin,
  parseOptions,
  type ReuseVerdict,
  tapReusePolicy,
  VerdictCode,
} from "@modelpool/core";
import * as z from "zod";

export const ComparedFieldSchema = z.enum(["resolvedModel", "modelPolicy", "attributes"]);
export type ComparedField = z.infer<typeof ComparedFieldSchema>;

export const ExactModelPolicyOptionsSchema = z
  .object({
    /** Which parts of the fingerprint must be equal. Default: all three. */
    compare: z.array(ComparedFieldSchema).min(1).default(["resolvedModel", "modelPolicy", "attributes"]),
    /** Where on the canReuse waterfall it runs (lower first). */
    stage: z.number().int().default(CanReuseStage.COMPATIBILITY),
  })
  .strict();
export type ExactModelPolicyOptions = z.input<typeof ExactModelPolicyOptionsSchema>;

const NAME = "ExactModelPolicy";

/** Reuse a worker only when its fingerprint equals the request's, field by field. */
export class ExactModelPolicy implements PoolPlugin {
  readonly #compare: readonly ComparedField[];
  readonly #stage: number;

  constructor(options: ExactModelPolicyOptions = {}) {
    const parsed = parseOptions(ExactModelPolicyOptionsSchema, options, NAME);
    this.#compare = parsed.compare;
    this.#stage = parsed.stage;
  }

  apply(pool: unknown): void {
    tapReusePolicy(pool, { name: NAME, stage: this.#stage }, ({ request, candidate }) =>
      this.judge(request.fingerprint, candidate.fingerprint),
    );
  }

  /** The verdict on its own, for a requested and a running fingerprint. */
  judge(requested: ModelFingerprint, running: ModelFingerprint | undefined): ReuseVerdict {
    if (!running) return noFingerprintVerdict(NAME);
    for (const field of this.#compare) {
      const difference = differs(field, requested, running);
      if (difference) return deny(difference);
    }
    return {
      reuse: true,
      reason: `exact match on ${this.#compare.join(", ")}: "${running.resolvedModel}"`,
      code: VerdictCode.REUSE_ALLOWED,
      by: NAME,
    };
  }
}

/** A denial because the request's model is not the running one: the new worker supersedes this one. */
function deny(reason: string): ReuseVerdict {
  return { reuse: false, reason, code: VerdictCode.MODEL_DIFFERS, supersedes: true, by: NAME };
}

/** Why `field` differs, naming both values, or undefined when equal. */
function differs(field: ComparedField, requested: ModelFingerprint, running: ModelFingerprint): string | undefined {
  if (field !== "attributes") {
    return requested[field] === running[field]
      ? undefined
      : `${field} differs: running ${JSON.stringify(running[field])}, requested ${JSON.stringify(requested[field])}`;
  }
  const want = requested.attributes ?? {};
  const have = running.attributes ?? {};
  for (const key of [...new Set([...Object.keys(want), ...Object.keys(have)])].sort()) {
    const a = Object.hasOwn(have, key) ? JSON.stringify(have[key]) : "(unset)";
    const b = Object.hasOwn(want, key) ? JSON.stringify(want[key]) : "(unset)";
    if (a !== b) return `attribute ${JSON.stringify(key)} differs: running ${a}, requested ${b}`;
  }
  return undefined;
}
