import { randomUUID } from "node:crypto";
import { processIdentityOf } from "@modelpool/core";
import { RedisRegistry } from "@modelpool/registry-redis";
import { describe, expect, it, onTestFinished } from "vitest";
import { missingRedis, suiteName, useRedisServer } from "./redis.js";

/** Runs `step` until Redis answers again (a restart drops the connection; the first commands fail fast). */
async function once<T>(step: () => Promise<T>): Promise<T> {
  const until = performance.now() + 75_000; // a restart and a reconnect on a loaded machine: waited for
  for (;;) {
    try {
      return await step();
    } catch (error) {
      if (performance.now() > until) throw error;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}

describe.skipIf(missingRedis !== undefined)(suiteName("Redis restarted empty, before any heartbeat saw it"), () => {
  const server = useRedisServer();
  // Heartbeats far apart: the restart is seen by the stop or claim itself, never by a heartbeat first.
  const spec = () => ({
    url: server().url,
    namespace: `t-${randomUUID()}`,
    heartbeatMs: 30_000,
    heartbeatTtlMs: 60_000,
  });

  it("a stop that reads an empty lease set on the emptied server is refused", { timeout: 180_000 }, async () => {
    const owner = new RedisRegistry({ ...spec(), hostId: "owner-host" });
    onTestFinished(() => owner.close());
    const now = Date.now();
    const record = {
      kind: "worker" as const,
      id: "w1",
      workerId: "docs",
      pid: process.ppid,
      pidStart: processIdentityOf(process.ppid).start,
      status: "ready" as const,
      startedAt: now,
      updatedAt: now,
    };
    await owner.put(record);
    await owner.heartbeat(); // learns the server as it is
    await server().restart();
    // The record is back (as the owner's re-publication writes it: no lease entry of any other host yet).
    await once(() => owner.put(record));
    const stop = await once(() =>
      owner.update({ workerId: "docs", id: "w1" }, (current) =>
        (current.holders ?? []).some((holder) => holder.leases > 0) ? undefined : { ...current, status: "stopped" },
      ),
    );
    expect(stop?.status).toBe("ready");
  });

  it("a claim lost with the data goes back to its holder's token; no other host takes it free", {
    timeout: 180_000,
  }, async () => {
    const s = spec();
    const a = new RedisRegistry({ ...s, hostId: "host-a" });
    const b = new RedisRegistry({ ...s, hostId: "host-b" });
    onTestFinished(async () => {
      await Promise.all([a.close(), b.close()]);
    });
    const request = (owner: RedisRegistry) => ({
      key: "spawn-docs",
      workerId: "docs",
      owner: { host: owner.hostId, pid: process.pid, start: "s" },
      ttlMs: 15_000,
    });
    const won = await a.acquireClaim(request(a));
    if (!won.acquired) throw new Error("host-a did not win the claim on an empty namespace");
    const lost = await b.acquireClaim(request(b));
    expect(lost.acquired).toBe(false);
    await server().restart();
    // Host B asks first; host A's renewal comes a moment later (its timer is its own).
    const asked = once(() => b.acquireClaim(request(b)));
    await new Promise((resolve) => setTimeout(resolve, 300));
    const renewed = await once(() => a.renewClaim(won.claim, 15_000));
    expect(renewed?.token).toBe(won.claim.token);
    const answer = await asked;
    expect(answer.acquired).toBe(false);
    expect(answer.acquired === false && "holder" in answer ? answer.holder.token : undefined).toBe(won.claim.token);
  });
});
