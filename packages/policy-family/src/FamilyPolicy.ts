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
import { familyCompatible, type ModelIdParser, VersionRangeSchema, versionDistance } from "./family-compatible.js";
import { parseModelId } from "./parse-model-id.js";

export const FamilyPolicyOptionsSchema = z
  .object({
    range: VersionRangeSchema.default("^"),
    /** Teaches the policy another naming scheme; return undefined for ids it does not know. */
    parse: z
      .custom<ModelIdParser>(
        (value) => typeof value === "function",
        "parse must be a function (id) => ParsedModelId | undefined",
      )
      .optional(),
    stage: z.number().int().default(CanReuseStage.COMPATIBILITY),
  })
  .strict();
export type FamilyPolicyOptions = z.input<typeof FamilyPolicyOptionsSchema>;

const NAME = "FamilyPolicy";
/** Identical ids outrank every merely compatible version. */
const IDENTICAL_RANK = 1;

/**
 * Reuse a worker whose model is of the same family with a compatible version (and the same modelPolicy).
 * Among several compatible workers the closest version ranks highest.
 */
export class FamilyPolicy implements PoolPlugin {
  readonly #range: z.infer<typeof VersionRangeSchema>;
  readonly #parse: ModelIdParser;
  readonly #stage: number;

  constructor(options: FamilyPolicyOptions = {}) {
    const parsed = parseOptions(FamilyPolicyOptionsSchema, options, NAME);
    this.#range = parsed.range;
    this.#parse = parsed.parse ?? parseModelId;
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
    if (running.modelPolicy !== requested.modelPolicy) {
      return deny(
        `modelPolicy differs: running ${JSON.stringify(running.modelPolicy)}, requested ${JSON.stringify(requested.modelPolicy)}`,
      );
    }
    const result = familyCompatible(requested.resolvedModel, running.resolvedModel, {
      range: this.#range,
      parse: this.#parse,
    });
    if (!result.compatible) return deny(result.reason);
    const rank =
      requested.resolvedModel === running.resolvedModel
        ? IDENTICAL_RANK
        : -versionDistance(result.requested?.version ?? "", result.running?.version ?? "");
    return { reuse: true, reason: result.reason, code: VerdictCode.REUSE_ALLOWED, by: NAME, rank };
  }
}

/** A denial because the request's model is not the running one: the new worker supersedes this one. */
function deny(reason: string): ReuseVerdict {
  return { reuse: false, reason, code: VerdictCode.MODEL_DIFFERS, supersedes: true, by: NAME };
}
