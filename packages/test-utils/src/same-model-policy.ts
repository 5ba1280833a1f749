import type { PoolPlugin, WorkerPool } from "@modelpool/core";

/**
 * The smallest real policy: reuse when the resolved model is the same. The policy packages hold the real
 * ones; core's tests need one that does not depend on them. `calls` counts tap runs.
 */
export class SameModelTestPolicy implements PoolPlugin {
  calls = 0;

  apply(pool: WorkerPool): void {
    pool.hooks.canReuse.tapPromise("SameModelTestPolicy", async (_verdict, { request, candidate }) => {
      this.calls++;
      const running = candidate.fingerprint?.resolvedModel;
      return running === request.fingerprint.resolvedModel
        ? { reuse: true, reason: `same model ${running}`, by: "SameModelTestPolicy" }
        : {
            reuse: false,
            reason: `model differs: running ${running ?? "(none recorded)"}`,
            code: "MODEL_DIFFERS",
            supersedes: true,
            by: "SameModelTestPolicy",
          };
    });
  }
}
