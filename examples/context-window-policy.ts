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
        return have >= want
          ? { reuse: true, reason: `context window ${have} ≥ requested ${want}`, by: "ContextWindowPolicy" }
          : { reuse: false, reason: `context window ${have} < requested ${want}`, by: "ContextWindowPolicy" };
      },
    );
  }
}
