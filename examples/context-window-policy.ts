// A third-party policy, as you would write one: reuse only workers started with at least the requested
// context window (the `ctx` attribute of the fingerprint). Import it, or load it in the CLI:
//   npx modelpool explain coder qwen2.5-coder:7b --policy ./examples/context-window-policy.ts
import { CanReuseStage, noFingerprintVerdict, type PoolPlugin, tapReusePolicy } from "@modelpool/core";

export default class ContextWindowPolicy implements PoolPlugin {
  apply(pool: unknown): void {
    // Checks `pool`, taps canReuse by name, and composes with the other policies: all must allow.
    tapReusePolicy(
      pool,
      { name: "ContextWindowPolicy", stage: CanReuseStage.COMPATIBILITY },
      ({ request, candidate }) => {
        if (!candidate.fingerprint) return noFingerprintVerdict("ContextWindowPolicy");
        const want = Number(request.fingerprint.attributes?.ctx ?? 0);
        const have = Number(candidate.fingerprint.attributes?.ctx ?? 0);
        if (have >= want) {
          return { reuse: true, reason: `context window ${have} ≥ requested ${want}`, by: "ContextWindowPolicy" };
        }
        return {
          reuse: false,
          reason: `context window ${have} < requested ${want}`, // for people
          code: "CONTEXT_TOO_SMALL", // for code and metrics: stable, UPPER_SNAKE_CASE
          // true only when the request replaces what the worker runs (a newer model): onSuperseded acts on
          // exactly those. A smaller window still serves the requests that fit it: not superseded.
          supersedes: false,
          by: "ContextWindowPolicy",
        };
      },
    );
  }
}
