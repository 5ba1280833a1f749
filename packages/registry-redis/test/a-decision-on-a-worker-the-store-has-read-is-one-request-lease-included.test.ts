// A decision on a worker the store has read before is one request to Redis, its lease included: the pool
// judges from the store's recent read and leases with one script that checks that judgement and writes
// the entry with its holder's liveness key (`holdJudged`). Counted by MONITOR, on a real redis-server.
import { WorkerPool } from "@modelpool/core";
import { ExactModelPolicy } from "@modelpool/policy-exact";
import { describe, expect, it, onTestFinished } from "vitest";
import { modelServerBackend } from "../../../examples/worker/backend.js";
import { ownersWorker, session, sessionPool } from "./judged-fleet.js";
import { fleetSpec, missingRedis, storeAs, suiteName, useRedisServer } from "./redis.js";
import { requestsDuring } from "./requests-during.js";

describe.skipIf(missingRedis !== undefined)(
  suiteName("requests of a decision on a known worker (counted by MONITOR)"),
  () => {
    const server = useRedisServer();
    // Heartbeats far apart: none of them falls inside a counted decision.
    const setUp = async () => {
      const spec = fleetSpec(server(), { heartbeatMs: 60_000, heartbeatTtlMs: 120_000 });
      const owner = storeAs(spec, "owner-host");
      const user = storeAs(spec, "user-host");
      const worker = await ownersWorker(owner, "docs", "model-a");
      return { spec, owner, user, worker };
    };

    it("a new pool's decision is one request, and leaves its entry and holder key for every host to see", async () => {
      const { spec, user, worker } = await setUp();
      // Earlier sessions of this process: the store has read the worker, and the server knows the scripts
      // (the first session looks up and leases; the second is the first to lease what was read before).
      await session(user, "docs", "model-a");
      await session(user, "docs", "model-a");

      const pool = sessionPool(user);
      let lease: Awaited<ReturnType<typeof pool.getOrSpawn>> | undefined;
      const requests = await requestsDuring(server(), async () => {
        lease = await pool.getOrSpawn({ workerId: "docs", fingerprint: { resolvedModel: "model-a" } });
      });
      expect(requests).toEqual(["EVALSHA"]);
      expect(lease?.decision.outcome).toBe("reused");
      expect(lease?.worker.id).toBe(worker.id);

      // Another host sees the lease, judged alive by the holder key written in the same step.
      const observer = storeAs(spec, "observer-host");
      const [seen] = (await observer.lookup("docs")).records;
      const entry = seen?.holders?.find((holder) => holder.host === "user-host");
      expect(entry).toMatchObject({ pid: process.pid, leases: 1 });
      expect(entry?.aliveUntil ?? 0).toBeGreaterThan(Date.now());
      await lease?.release();
    });

    it("the first decision of a store on a workerId is a lookup, then the lease: two requests", async () => {
      const { owner, user } = await setUp();
      // Connected, and the scripts known to the server (another workerId's decision).
      await ownersWorker(owner, "warm-up", "model-a");
      await session(user, "warm-up", "model-a");

      const pool = sessionPool(user);
      const requests = await requestsDuring(server(), async () => {
        const lease = await pool.getOrSpawn({ workerId: "docs", fingerprint: { resolvedModel: "model-a" } });
        expect(lease.decision.outcome).toBe("reused");
        await pool.settled();
      });
      expect(requests).toEqual(["EVALSHA", "EVALSHA"]);
    });

    it("a pool's own worker, released, is leased again in one request", async () => {
      const spec = fleetSpec(server(), { heartbeatMs: 60_000, heartbeatTtlMs: 120_000 });
      const pool = new WorkerPool({
        backend: modelServerBackend(),
        registry: storeAs(spec, "user-host"),
        plugins: [new ExactModelPolicy()],
      });
      onTestFinished(() => pool.stopAll().then(() => {}));
      const request = { workerId: "docs", fingerprint: { resolvedModel: "model-a" } };
      const spawned = await pool.getOrSpawn(request);
      await spawned.release();
      await pool.settled();
      // The first reuse loads the one-request script into the server; the second is counted.
      await (await pool.getOrSpawn(request)).release();
      await pool.settled();

      let lease: Awaited<ReturnType<typeof pool.getOrSpawn>> | undefined;
      const requests = await requestsDuring(server(), async () => {
        lease = await pool.getOrSpawn(request);
      });
      expect(requests).toEqual(["EVALSHA"]);
      expect(lease?.decision.outcome).toBe("reused");
      expect(lease?.worker.id).toBe(spawned.worker.id);
      await lease?.release();
    });

    it("lease entries another host wrote since the read cost one request more, and keep the judgement", async () => {
      const { spec, user, worker } = await setUp();
      await session(user, "docs", "model-a");
      await session(user, "docs", "model-a");
      // A third host leases the same worker: the record's value changed, in its lease entries only.
      const third = storeAs(spec, "third-host");
      await third.lookup("docs");
      await third.hold({ workerId: "docs", id: worker.id }, { pid: 4321, leases: 1, lastUsedAt: Date.now() });

      const pool = sessionPool(user);
      let lease: Awaited<ReturnType<typeof pool.getOrSpawn>> | undefined;
      const requests = await requestsDuring(server(), async () => {
        lease = await pool.getOrSpawn({ workerId: "docs", fingerprint: { resolvedModel: "model-a" } });
      });
      expect(requests).toEqual(["EVALSHA", "EVALSHA"]);
      expect(lease?.worker.id).toBe(worker.id);
      const [seen] = (await storeAs(spec, "observer-host").lookup("docs")).records;
      expect(seen?.holders?.map((holder) => [holder.host, holder.leases]).sort()).toEqual([
        ["third-host", 1],
        ["user-host", 1],
      ]);
      await lease?.release();
    });
  },
);
