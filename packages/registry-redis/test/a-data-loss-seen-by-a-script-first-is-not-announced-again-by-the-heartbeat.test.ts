// After Redis loses its data, the first script on the emptied server writes a new epoch, and every store
// that sees it starts one grace. A heartbeat that then reads the new run id must not take it for a promoted
// replica (a new run id under an unchanged epoch) when its own store already saw the epoch change: writing
// yet another epoch would start a second grace on every host — and stops refused for it, a worker nobody
// holds left running past the documented grace. Real redis-server, restarted empty.
import { RegistryKeys } from "@modelpool/registry-redis";
import { describe, expect, it } from "vitest";
import { ownersWorker } from "./judged-fleet.js";
import { fleetSpec, missingRedis, storeAs, suiteName, useRedisServer } from "./redis.js";

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

describe.skipIf(missingRedis !== undefined)(suiteName("a data loss seen by a script first"), () => {
  const server = useRedisServer();

  it("is one new epoch: the heartbeat that reads the new run id afterwards writes none", {
    timeout: 180_000,
  }, async () => {
    const spec = fleetSpec(server(), { heartbeatMs: 60_000, heartbeatTtlMs: 120_000 });
    const owner = storeAs(spec, "owner-host");
    const worker = await ownersWorker(owner, "docs", "model-a");
    await owner.heartbeat(); // knows the server's run id
    const epochKey = new RegistryKeys(spec.namespace).epoch();

    await server().restart();
    // The owner's next step is a write of its record (a script): it sees the data loss there, first.
    await once(() => owner.put(worker));
    const after = server().cli("GET", epochKey);
    expect(after).not.toBe("");
    // Its heartbeat now reads the new run id: the change it explains was seen already.
    await once(() => owner.heartbeat());
    expect(server().cli("GET", epochKey)).toBe(after);
  });

  it("while a promoted replica (new run id, same epoch) still gets a new epoch from the first heartbeat", {
    timeout: 180_000,
  }, async () => {
    const spec = fleetSpec(server(), { heartbeatMs: 60_000, heartbeatTtlMs: 120_000 });
    const owner = storeAs(spec, "owner-host");
    await ownersWorker(owner, "docs", "model-a");
    await owner.heartbeat();
    const epochKey = new RegistryKeys(spec.namespace).epoch();
    const before = server().cli("GET", epochKey);
    // A promoted replica: a new run id over the same data. This server has no persistence, so the
    // data is simulated: the epoch is put back before any store sees the new server.
    await server().restart();
    server().cli("SET", epochKey, before);
    await once(() => owner.lookup("docs"));
    await once(() => owner.heartbeat());
    expect(server().cli("GET", epochKey)).not.toBe(before);
  });
});
