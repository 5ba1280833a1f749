import { randomUUID } from "node:crypto";
import { processIdentityOf } from "@modelpool/core";
import { RedisRegistry } from "@modelpool/registry-redis";
import { describe, expect, it, onTestFinished } from "vitest";
import { waitUntil } from "../../test-utils/src/processes-state.js";
import { missingRedis, suiteName, useRedisServer } from "./redis.js";

describe.skipIf(missingRedis !== undefined)(suiteName("Redis restarted without persistence"), () => {
  const server = useRedisServer();

  it("the holder re-asserts its lease entry, and the owner stops nothing while the entries may still be coming back", {
    timeout: 180_000,
  }, async () => {
    const spec = { url: server().url, namespace: `t-${randomUUID()}`, heartbeatMs: 200, heartbeatTtlMs: 60_000 };
    const owner = new RedisRegistry({ ...spec, hostId: "owner-host" });
    const user = new RedisRegistry({ ...spec, hostId: "user-host" });
    onTestFinished(async () => {
      await Promise.all([owner.close(), user.close()]);
    });
    const now = Date.now();
    // A live worker of the owner's host (this test's parent process stands in for it).
    await owner.put({
      kind: "worker",
      id: "w1",
      workerId: "docs",
      pid: process.ppid,
      // Its start token, read now: without one the record is matched by `startedAt`, which only fits a
      // parent that started moments ago (a single-file run), not one of a whole suite.
      pidStart: processIdentityOf(process.ppid).start,
      status: "ready",
      startedAt: now,
      updatedAt: now,
    });
    await owner.heartbeat();
    await user.hold({ workerId: "docs", id: "w1" }, { pid: 77, leases: 1, lastUsedAt: now });
    await owner.heartbeat();
    await user.heartbeat();

    await server().restart();
    // The owner re-publishes its record first (its copy has no entry of the user's).
    await waitUntil(async () => {
      await owner.heartbeat().catch(() => {});
      return (await owner.lookup("docs").catch(() => ({ records: [] }))).records.length === 1;
    }, 75_000); // a restart and a reconnect on a loaded machine: waited for, never timed
    // A stop now must not trust the empty lease set.
    const stop = await owner.update({ workerId: "docs", id: "w1" }, (current) =>
      (current.holders ?? []).some((holder) => holder.leases > 0) ? undefined : { ...current, status: "stopped" },
    );
    expect(stop?.status).toBe("ready");
    // And the holder's entry comes back.
    await waitUntil(async () => {
      await user.heartbeat().catch(() => {});
      const [record] = (await owner.lookup("docs")).records;
      return (record?.holders ?? []).some((holder) => holder.host === "user-host" && holder.leases === 1);
    }, 75_000);
  });
});
