import {
  CanReuseStage,
  noFingerprintVerdict,
  type PoolPlugin,
  parseOptions,
  type ReuseVerdict,
  tapReusePolicy,
} from "@modelpool/core";

export type MinimumContextPolicyOptions = {
  /** The fingerprint attribute holding the context window (default `"ctx"`). */
  attribute?: string;
};

const NAME = "MinimumContextPolicy";

/** Options checked by a plain function (any Standard Schema works too): a mistake is an InvalidOptionsError. */
function checkOptions(options: unknown): Required<MinimumContextPolicyOptions> {
  const { attribute = "ctx", ...rest } = (options ?? {}) as MinimumContextPolicyOptions;
  if (typeof attribute !== "string" || attribute.length === 0) throw new Error("attribute must be a non-empty string");
  const unknown = Object.keys(rest);
  if (unknown.length > 0) throw new Error(`unknown option ${unknown.join(", ")}`);
  return { attribute };
}

/**
 * Reuse only a worker started with at least the requested context window. It judges the context window
 * only: register it beside a policy that judges the model (`ExactModelPolicy`, `FamilyPolicy`), and every
 * policy must allow a reuse.
 */
export class MinimumContextPolicy implements PoolPlugin {
  readonly #attribute: string;

  constructor(options: MinimumContextPolicyOptions = {}) {
    this.#attribute = parseOptions(checkOptions, options, NAME).attribute;
  }

  apply(pool: unknown): void {
    // Checks that `pool` is a pool, taps canReuse by name, and composes with the other policies.
    tapReusePolicy(pool, { name: NAME, stage: CanReuseStage.COMPATIBILITY }, ({ request, candidate }) => {
      if (!candidate.fingerprint) return noFingerprintVerdict(NAME);
      return this.judge(request.fingerprint.attributes, candidate.fingerprint.attributes);
    });
  }

  /** The verdict on its own, from the requested and the running attributes. */
  judge(requested: Record<string, unknown> | undefined, running: Record<string, unknown> | undefined): ReuseVerdict {
    const want = Number(requested?.[this.#attribute] ?? 0);
    const have = Number(running?.[this.#attribute] ?? 0);
    if (have >= want) {
      return { reuse: true, reason: `${this.#attribute} ${have} ≥ requested ${want}`, code: "CONTEXT_FITS", by: NAME };
    }
    return {
      reuse: false,
      reason: `${this.#attribute} ${have} < requested ${want}`,
      // Stable, for metrics and code: reasons are for people.
      code: "CONTEXT_TOO_SMALL",
      // Not superseded: the worker still serves requests that fit it. A policy sets `supersedes: true` when
      // the request replaces what the worker runs (a newer model), so that `onSuperseded` may drain it.
      supersedes: false,
      by: NAME,
    };
  }
}
