// The records a pool hands out (a decision's `worker` and `considered` candidates, a lease's `worker`)
// belong to the application: what it does with them must never reach the registry. A fleet store keeps
// the records of its last lookup to judge the next decision from (`recent`) and to lease it in one
// request (`holdJudged`); if those are the very objects handed out, an application that writes into
// one — a field of its own, a "fixed" URL, a drain it undid — has it written into Redis by the next
// judged lease, past the shared validation and the judgement both. Real redis-server, real pools.
import { describe, expect, it } from "vitest";
import { ownersWorker, sessionPool } from "./judged-fleet.js";
import { fleetSpec, missingRedis, storeAs, suiteName, useRedisServer } from "./redis.js";

describe.skipIf(missingRedis !== undefined)(suiteName("a record handed to the application"), () => {
  const server = useRedisServer();

  it("written into by the application after explain is never what the next judged lease writes", async () => {
    const spec = fleetSpec(server(), { heartbeatMs: 60_000, heartbeatTtlMs: 120_000 });
    const owner = storeAs(spec, "owner-host");
    const user = storeAs(spec, "user-host");
    const worker = await ownersWorker(owner, "docs", "model-a");
    const request = { workerId: "docs", fingerprint: { resolvedModel: "model-a" } };

    const pool = sessionPool(user);
    const decision = await pool.explain(request);
    expect(decision.worker?.id).toBe(worker.id);
    // The application annotates what it was shown (as a dashboard or a logger might).
    const shown = decision.worker as unknown as Record<string, unknown>;
    try {
      shown.note = "annotated by the application";
    } catch {
      // A frozen record refuses the write: nothing of the application's can reach the store.
    }

    const lease = await pool.getOrSpawn(request);
    expect(lease.worker.id).toBe(worker.id);
    const observer = storeAs(spec, "observer-host");
    const [stored] = (await observer.lookup("docs")).records;
    expect(stored?.holders?.find((holder) => holder.host === "user-host")).toMatchObject({ leases: 1 });
    expect(stored).not.toHaveProperty("note");
    await lease.release();
  });

  it("a drain the application undid on a shown record never lets the next decision lease the draining worker", async () => {
    const spec = fleetSpec(server(), { heartbeatMs: 60_000, heartbeatTtlMs: 120_000 });
    const owner = storeAs(spec, "owner-host");
    const user = storeAs(spec, "user-host");
    const draining = await ownersWorker(owner, "docs", "model-a");
    await owner.update(draining, (current) => ({ ...current, draining: true }));
    const request = { workerId: "docs", fingerprint: { resolvedModel: "model-a" } };

    const pool = sessionPool(user);
    const decision = await pool.explain(request);
    const shown = decision.considered.find((entry) => entry.candidate.id === draining.id)?.candidate;
    expect(shown?.draining).toBe(true);
    try {
      delete (shown as { draining?: boolean }).draining;
    } catch {
      // Frozen: refused.
    }

    // Nothing else runs model-a: the pool's answer is a spawn (which this backend refuses), never the drain.
    await expect(pool.getOrSpawn(request)).rejects.toThrow();
    const observer = storeAs(spec, "observer-host");
    const [stored] = (await observer.lookup("docs")).records;
    expect(stored?.draining).toBe(true);
    expect(stored?.holders?.find((holder) => holder.host === "user-host")?.leases ?? 0).toBe(0);
  });
});
