import { DeviceRegistry, type PoolPlugin, type WorkerPool } from "@modelpool/core";
import { SameModelTestPolicy, stopRecordedWorkersAfterTest, tempRegistryPath, testPool } from "@modelpool/test-utils";
import { expect, test } from "vitest";

/** A policy that holds every request at the gate until `open()`: two requests then go on together. */
class GatedPolicy implements PoolPlugin {
  waiting = 0;
  #gate: Promise<void> = Promise.resolve();
  #open: () => void = () => undefined;

  close(): void {
    this.waiting = 0;
    this.#gate = new Promise((resolve) => {
      this.#open = resolve;
    });
  }
  open(): void {
    this.#open();
  }
  apply(pool: WorkerPool): void {
    pool.hooks.canReuse.tapPromise("GatedPolicy", async (verdict) => {
      this.waiting++;
      await this.#gate;
      return verdict;
    });
  }
}

// Only a process's first lease on a worker (its count 0 -> 1) writes the entry and reads the record back;
// later ones count on the record naming this process already. While that first write is still being
// judged, a second request of the same process must not take the worker on trust: if the first finds it
// marked draining (or stopped) and backs off, the second holds a lease on a worker being drained or
// stopped — what the registry's write-then-read protocol exists to prevent.
test("a worker marked draining while two requests of one process lease it is handed to neither", {
  timeout: 60_000,
}, async () => {
  const path = await tempRegistryPath();
  stopRecordedWorkersAfterTest(path);
  const request = { workerId: "docs", fingerprint: { resolvedModel: "m" } };
  const spawner = testPool({ registry: path, plugins: [new SameModelTestPolicy()] });
  const spawned = await spawner.getOrSpawn(request);
  await spawned.release();
  await spawner.settled();

  const gated = new GatedPolicy();
  const pool = testPool({ registry: path, plugins: [new SameModelTestPolicy(), gated], healthyForMs: 60_000 });
  // Probed once: the next decisions need no probe (a recent healthy answer stands).
  const warm = await pool.getOrSpawn(request);
  expect(warm.worker.id).toBe(spawned.worker.id);
  await warm.release();
  await pool.settled();

  gated.close();
  const both = [pool.getOrSpawn(request), pool.getOrSpawn(request)];
  while (gated.waiting < 2) await new Promise((resolve) => setTimeout(resolve, 1));
  // Both have judged the worker usable; another process marks it draining (superseded with "drain").
  await new DeviceRegistry({ path, legacySources: false }).update(
    { workerId: "docs", id: spawned.worker.id },
    (current) => ({ ...current, draining: true, updatedAt: Date.now() }),
  );
  gated.open();
  const leases = await Promise.all(both);

  const onDraining = leases.filter((lease) => lease.worker.id === spawned.worker.id);
  expect(onDraining.map((lease) => lease.decision.outcome)).toEqual([]);
});
