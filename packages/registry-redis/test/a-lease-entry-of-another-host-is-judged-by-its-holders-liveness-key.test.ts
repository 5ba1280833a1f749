import { randomUUID } from "node:crypto";
import { RedisRegistry, RegistryKeys } from "@modelpool/registry-redis";
import { describe, expect, it, onTestFinished } from "vitest";
import { missingRedis, suiteName, useRedisServer } from "./redis.js";

describe.skipIf(missingRedis !== undefined)(suiteName("a lease entry of another host"), () => {
  const server = useRedisServer();

  it("reads back naming its host, alive while its holder's key lives, gone once the key is", async () => {
    const spec = { url: server().url, namespace: `t-${randomUUID()}`, heartbeatMs: 60_000, heartbeatTtlMs: 120_000 };
    const owner = new RedisRegistry({ ...spec, hostId: "owner-host" });
    const user = new RedisRegistry({ ...spec, hostId: "user-host" });
    onTestFinished(async () => {
      await Promise.all([owner.close(), user.close()]);
    });
    const now = Date.now();
    await owner.put({
      kind: "worker",
      id: "w1",
      workerId: "docs",
      pid: 4242,
      status: "ready",
      startedAt: now,
      updatedAt: now,
    });
    await user.hold({ workerId: "docs", id: "w1" }, { pid: 77, start: "9", leases: 1, lastUsedAt: now });

    const [held] = (await owner.lookup("docs")).records;
    expect(held?.holders).toEqual([expect.objectContaining({ pid: 77, start: "9", host: "user-host" })]);
    expect(held?.holders?.[0]?.aliveUntil).toBeGreaterThan(Date.now());

    // The holder's process stopped renewing (died, or lost Redis for longer than the TTL): its key lapses.
    server().cli("DEL", new RegistryKeys(spec.namespace).holder("user-host", 77, "9"));
    const [after] = (await owner.lookup("docs")).records;
    expect(after?.holders).toEqual([expect.objectContaining({ pid: 77, host: "user-host", aliveUntil: 0 })]);
  });
});
