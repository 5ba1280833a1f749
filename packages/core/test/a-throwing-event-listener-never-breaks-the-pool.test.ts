import type { PoolWarning } from "@modelpool/core";
import { isRunning, SameModelTestPolicy, tempRegistryPath, testPool } from "@modelpool/test-utils";
import { expect, test } from "vitest";

test("a lifecycle tap that throws is reported as LISTENER_FAILED and the request still gets its worker", async () => {
  const pool = testPool({ registry: await tempRegistryPath(), plugins: [new SameModelTestPolicy()] });
  const warnings: PoolWarning[] = [];
  pool.hooks.warning.tap("test", (warning) => void warnings.push(warning));
  pool.hooks.spawnReady.tap("buggy", () => {
    throw new Error("listener bug");
  });
  pool.hooks.leased.tap("writer", (event) => {
    // Observe-only: the event and its record are frozen.
    expect(() => Object.assign(event.record, { pid: 1 })).toThrow(TypeError);
  });

  const lease = await pool.getOrSpawn({ workerId: "docs", fingerprint: { resolvedModel: "m" } });

  expect(isRunning(lease.worker.pid)).toBe(true);
  expect(lease.worker.pid).not.toBe(1);
  expect(pool.workers.map((worker) => worker.id)).toEqual([lease.worker.id]);
  expect(warnings).toHaveLength(1);
  expect(warnings[0]).toMatchObject({ code: "LISTENER_FAILED" });
  expect(warnings[0]?.message).toMatch(/spawnReady listener threw: Error: listener bug/);
});
