// A third-party policy, as you would write one: reuse only workers started with at least the requested
// context window (the `ctx` attribute of the fingerprint). Import it, or load it in the CLI:
//   npx modelpool explain coder qwen2.5-coder:7b --policy ./examples/context-window-policy.ts
import { assertWorkerPool, CanReuseStage, composeVerdict, type PoolPlugin, type ReuseVerdict } from "@modelpool/core";

export default class ContextWindowPolicy implements PoolPlugin {
  apply(pool: unknown): void {
    assertWorkerPool(pool, "ContextWindowPolicy");
    pool.hooks.canReuse.tapPromise(
      { name: "ContextWindowPolicy", stage: CanReuseStage.COMPATIBILITY },
      async (verdict, { request, candidate }) => {
        const want = Number(request.fingerprint.attributes?.ctx ?? 0);
        const have = Number(candidate.fingerprint?.attributes?.ctx ?? 0);
        const mine: ReuseVerdict =
          have >= want
            ? { reuse: true, reason: `context window ${have} ≥ requested ${want}`, by: "ContextWindowPolicy" }
            : { reuse: false, reason: `context window ${have} < requested ${want}`, by: "ContextWindowPolicy" };
        // All registered policies must allow: this never overturns another policy's denial.
        return composeVerdict(verdict, mine);
      },
    );
  }
}
