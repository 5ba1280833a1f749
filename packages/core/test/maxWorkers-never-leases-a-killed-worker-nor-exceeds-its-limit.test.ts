import { CapacityError, type WorkerLease } from "@modelpool/core";
import { isRunning, SameModelTestPolicy, tempRegistryPath, testPool } from "@modelpool/test-utils";
import { expect, test } from "vitest";

for (const withRegistry of [false, true]) {
  test(`10 requests at once under maxWorkers 2 (${withRegistry ? "device registry" : "no registry"}): every lease is on a live worker, never more than 2 run`, {
    timeout: 60_000,
  }, async () => {
    const pool = testPool({
      registry: withRegistry ? await tempRegistryPath() : false,
      plugins: [new SameModelTestPolicy()],
      maxWorkers: 2,
      capacityTimeoutMs: 1_500,
    });
    const answers = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) =>
        pool.getOrSpawn({ workerId: `w${i}`, fingerprint: { resolvedModel: `model-${i}` } }),
      ),
    );
    const leases = answers.flatMap((a) => (a.status === "fulfilled" ? [a.value as WorkerLease] : []));
    const failures = answers.flatMap((a) => (a.status === "rejected" ? [a.reason as unknown] : []));

    expect(leases).toHaveLength(2);
    for (const lease of leases) expect(isRunning(lease.worker.pid)).toBe(true);
    for (const failure of failures) expect(failure).toBeInstanceOf(CapacityError);
    expect(pool.workers).toHaveLength(2);
  });
}
