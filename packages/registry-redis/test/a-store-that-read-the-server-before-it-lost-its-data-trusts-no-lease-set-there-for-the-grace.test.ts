// A store learns the server's epoch from its scripts; a store that never saw one adopts whatever it finds
// (it cannot know what came before it). But a store whose lookups read the server before it lost its data
// (a restart without persistence, a promoted replica) has seen it: its recent read, and the lease sets it
// would now read, belong to another server — one whose lease entries other hosts have not re-asserted yet.
// Its first step on the new server must start the grace, not adopt: a stop, and a judged lease, are
// refused there as for any store that knew the epoch. Real redis-server, restarted empty.
import { processIdentityOf } from "@modelpool/core";
import { describe, expect, it } from "vitest";
import { ownersWorker, sessionPool } from "./judged-fleet.js";
import { fleetSpec, missingRedis, storeAs, suiteName, useRedisServer } from "./redis.js";

/** Runs `step` until Redis answers again (a restart drops the connection; the first commands fail fast). */
async function once<T>(step: () => Promise<T>): Promise<T> {
  const until = performance.now() + 75_000;
  for (;;) {
    try {
      return await step();
    } catch (error) {
      if (performance.now() > until) throw error;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}

describe.skipIf(missingRedis !== undefined)(suiteName("a store that only looked up before Redis lost its data"), () => {
  const server = useRedisServer();

  it("never stops a worker there on the strength of a lease set its holders have not re-asserted", {
    timeout: 180_000,
  }, async () => {
    // Heartbeats far apart: the restart is seen by a script of the store itself, never by a heartbeat.
    const spec = fleetSpec(server(), { heartbeatMs: 60_000, heartbeatTtlMs: 120_000 });
    const owner = storeAs(spec, "owner-host");
    const holder = storeAs(spec, "holder-host");
    // Another process of the owner's host (its sweeps stop that host's draining and abandoned workers).
    const sweeper = storeAs(spec, "owner-host");
    const worker = await ownersWorker(owner, "docs", "model-a");
    const me = processIdentityOf(process.pid);
    await holder.hold(worker, { pid: me.pid, start: me.start ?? "s", leases: 1, lastUsedAt: Date.now() });
    // The sweeper has read the server: the worker is held from another host.
    const seen = (await sweeper.lookup("docs")).records[0];
    expect(seen?.holders?.some((entry) => entry.host === "holder-host" && entry.leases > 0)).toBe(true);

    await server().restart();
    // The owner re-publishes its record at once (its heartbeat would); the holder has not re-asserted yet.
    await once(() => owner.put(worker));
    const stopped = await once(() =>
      sweeper.update(worker, (current) =>
        (current.holders ?? []).some((entry) => entry.leases > 0) ? undefined : { ...current, status: "stopped" },
      ),
    );
    expect(stopped?.status).toBe("ready");
  });

  it("never leases there from its read of the server before", { timeout: 180_000 }, async () => {
    const spec = fleetSpec(server(), { heartbeatMs: 60_000, heartbeatTtlMs: 120_000 });
    const owner = storeAs(spec, "owner-host");
    const user = storeAs(spec, "user-host");
    const worker = await ownersWorker(owner, "docs", "model-a");
    const request = { workerId: "docs", fingerprint: { resolvedModel: "model-a" } };
    // A dry run: the store read the worker, and holds nothing (no heartbeat of its own runs).
    expect((await sessionPool(user).explain(request)).worker?.id).toBe(worker.id);

    await server().restart();
    await once(() => owner.put(worker));
    const pool = sessionPool(user);
    const lease = await once(() => pool.getOrSpawn(request));
    expect(lease.worker.id).toBe(worker.id);
    // Leased after a fresh lookup on the new server (the judged lease refused): the store knows the
    // server changed, and trusts no empty lease set there for the grace.
    const stop = await user.update(worker, (current) =>
      (current.holders ?? []).some((entry) => entry.host !== "user-host" && entry.leases > 0)
        ? undefined
        : { ...current, status: "stopped" },
    );
    expect(stop?.status).toBe("ready");
    await lease.release();
  });
});
