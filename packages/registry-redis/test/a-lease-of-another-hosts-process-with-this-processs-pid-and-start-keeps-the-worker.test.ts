import { processIdentityOf, WorkerPool } from "@modelpool/core";
import { isRunning, modelWorkerBackend, SameModelTestPolicy } from "@modelpool/test-utils";
import { describe, expect, it, onTestFinished } from "vitest";
import { fleetSpec, missingRedis, storeAs, suiteName, useRedisServer } from "./redis.js";

// Hosts in pid namespaces of their own (containers on one kernel) number their processes from 1: a
// host's pool process and another host's holder can have the same pid, started in the same clock tick,
// so the same start token. Seen in the namespaced fleet: both hosts' pools were pid 3 with one start
// token, and the owner took the other host's lease entry for its own and stopped the worker it held.
// An entry is this process's only when its host is this host too.
describe.skipIf(missingRedis !== undefined)(suiteName("a lease of another host's process"), () => {
  const server = useRedisServer();

  it("with this process's pid and start token still holds the worker: stopAll drains it, never stops it", {
    timeout: 30_000,
  }, async () => {
    const spec = fleetSpec(server(), { heartbeatMs: 1_000, heartbeatTtlMs: 10_000 });
    const here = storeAs(spec, "host-a");
    const elsewhere = storeAs(spec, "host-b");
    const pool = new WorkerPool({
      backend: modelWorkerBackend(),
      registry: here,
      plugins: [new SameModelTestPolicy()],
    });
    onTestFinished(async () => {
      for (const record of (await here.lookup("docs")).records) if (isRunning(record.pid)) process.kill(record.pid);
    });
    const lease = await pool.getOrSpawn({ workerId: "docs", fingerprint: { resolvedModel: "m" } });
    const same = processIdentityOf(process.pid);
    await elsewhere.hold(
      { workerId: "docs", id: lease.worker.id },
      { pid: same.pid, ...(same.start ? { start: same.start } : {}), leases: 1, lastUsedAt: Date.now() },
    );
    await lease.release();

    await pool.stopAll();
    expect(isRunning(lease.worker.pid)).toBe(true);
    const [record] = (await here.lookup("docs")).records;
    expect(record).toMatchObject({ id: lease.worker.id, draining: true });
    expect(record?.holders).toContainEqual(expect.objectContaining({ host: "host-b", leases: 1 }));
  });
});
