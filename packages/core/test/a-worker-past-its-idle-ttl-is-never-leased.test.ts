import { SameModelTestPolicy, stopRecordedWorkersAfterTest, tempRegistryPath, testPool } from "@modelpool/test-utils";
import { expect, test } from "vitest";
import { startRequester } from "./fixtures/requester.js";

test("a worker idle past its TTL but not swept yet is not leased by another process", { timeout: 60_000 }, async () => {
  const path = await tempRegistryPath();
  stopRecordedWorkersAfterTest(path);
  const starter = await startRequester(path, { idleTtlMs: 300 });
  const started = await starter.ask("docs", "m");
  await starter.exit(); // its session ends; the worker stays, recorded with its idle TTL
  await new Promise((resolve) => setTimeout(resolve, 800));

  // A pool with a sweep far away: only the gate stands between the request and a worker about to be stopped.
  const pool = testPool({ registry: path, plugins: [new SameModelTestPolicy()], sweepIntervalMs: 3_600_000 });
  const lease = await pool.getOrSpawn({ workerId: "docs", fingerprint: { resolvedModel: "m" } });
  expect(lease.decision.outcome).toBe("spawned");
  expect(lease.worker.pid).not.toBe(started.pid);
  expect(lease.decision.considered.map(({ candidate, verdict }) => [candidate.pid, verdict.code])).toContainEqual([
    started.pid,
    "IDLE_EXPIRED",
  ]);
});
