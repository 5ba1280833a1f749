// A pool judges a decision on a known worker from the store's recent read, which may be old: the lease
// is written only onto the record as it was judged (every field but its lease entries), with its worker's
// heartbeat alive, in the same step. Anything else is decided again from a fresh lookup — and the entry
// never lands on the record that changed. Real redis-server, real pools, changes made by another host.
import type { WorkerRecord } from "@modelpool/core";
import { RegistryKeys } from "@modelpool/registry-redis";
import { describe, expect, it } from "vitest";
import { ownersWorker, session, sessionPool } from "./judged-fleet.js";
import { fleetSpec, missingRedis, storeAs, suiteName, useRedisServer } from "./redis.js";

describe.skipIf(missingRedis !== undefined)(suiteName("a lease judged from an old read"), () => {
  const server = useRedisServer();

  /**
   * Two workers of model-a on the owner host; the user's store has read both (two earlier sessions), and
   * its pool prefers `judged` (the most recently updated). `change` then alters `judged` as another host
   * would; the next session's decision must not write onto it.
   */
  const afterChange = async (change: (owner: ReturnType<typeof storeAs>, judged: WorkerRecord) => Promise<unknown>) => {
    const spec = fleetSpec(server(), { heartbeatMs: 60_000, heartbeatTtlMs: 120_000 });
    const owner = storeAs(spec, "owner-host");
    const user = storeAs(spec, "user-host");
    const other = await ownersWorker(owner, "docs", "model-a", Date.now() - 60_000);
    const judged = await ownersWorker(owner, "docs", "model-a");
    expect((await session(user, "docs", "model-a")).id).toBe(judged.id);
    expect((await session(user, "docs", "model-a")).id).toBe(judged.id);
    const before = user.recent("docs")?.records.find((record) => record.id === judged.id);
    await change(owner, judged);
    // The store's read is old now: what the pool judges from says the worker is as it was.
    expect(user.recent("docs")?.records.find((record) => record.id === judged.id)).toBe(before);

    const pool = sessionPool(user);
    const lease = await pool.getOrSpawn({ workerId: "docs", fingerprint: { resolvedModel: "model-a" } });
    const observer = storeAs(spec, "observer-host");
    const records = (await observer.lookup("docs")).records;
    const userEntry = (id: string) =>
      records.find((record) => record.id === id)?.holders?.find((holder) => holder.host === "user-host");
    return { lease, other, judged, userEntry };
  };

  it("is not written onto a record whose model changed since: the other worker is leased", async () => {
    const { lease, other, judged, userEntry } = await afterChange((owner, record) =>
      owner.update(record, (current) => ({
        ...current,
        fingerprint: { resolvedModel: "model-b", modelPolicy: "dynamic" },
      })),
    );
    expect(lease.worker.id).toBe(other.id);
    expect(userEntry(other.id)).toMatchObject({ leases: 1 });
    // Its entry from the earlier sessions holds nothing: no lease landed on the worker of another model.
    expect(userEntry(judged.id)?.leases ?? 0).toBe(0);
    await lease.release();
  });

  it("is not written onto a worker marked draining since: the other worker is leased", async () => {
    const { lease, other, judged, userEntry } = await afterChange((owner, record) =>
      owner.update(record, (current) => ({ ...current, draining: true, updatedAt: Date.now() })),
    );
    expect(lease.worker.id).toBe(other.id);
    expect(userEntry(judged.id)?.leases ?? 0).toBe(0);
    await lease.release();
  });

  it("is not written onto a worker whose heartbeat is gone, though its record is unchanged", async () => {
    const { lease, other, judged, userEntry } = await afterChange(async (owner, record) => {
      // The heartbeat alone goes (as when its host died and the key expired); the record stays as it was.
      const keys = new RegistryKeys(owner.namespace);
      server().cli("DEL", keys.heartbeat(record.workerId, record.id));
    });
    expect(lease.worker.id).toBe(other.id);
    expect(userEntry(judged.id)?.leases ?? 0).toBe(0);
    await lease.release();
  });

  it("is not written onto a record removed since: the other worker is leased", async () => {
    const { lease, other } = await afterChange((owner, record) => owner.remove(record));
    expect(lease.worker.id).toBe(other.id);
    await lease.release();
  });
});
