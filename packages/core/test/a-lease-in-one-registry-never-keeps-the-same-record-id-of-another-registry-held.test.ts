import { DeviceRegistry, processIdentityOf } from "@modelpool/core";
import { SameModelTestPolicy, tempRegistryPath, testPool } from "@modelpool/test-utils";
import { expect, test } from "vitest";

// A process counts its leases per worker, all its pools together, and writes that sum as its one holder
// entry. The sum is per registry: a record copied into a second registry (a migrated or restored copy)
// carries the same id, yet a lease on the first registry's worker must not be written into the second
// registry's record, where it would keep that worker "held" (never idle, never drained) for as long as
// this process lives.
test("a lease held through one registry is not counted in another registry's record of the same id", {
  timeout: 60_000,
}, async () => {
  const first = await tempRegistryPath();
  const second = await tempRegistryPath();
  const request = { workerId: "docs", fingerprint: { resolvedModel: "m" } };
  const held = await testPool({ registry: first, plugins: [new SameModelTestPolicy()] }).getOrSpawn(request);
  const { holders: _, ...copy } = held.worker;
  await new DeviceRegistry({ path: second }).put(copy);

  const other = testPool({ registry: second, plugins: [new SameModelTestPolicy()] });
  const lease = await other.getOrSpawn(request);
  expect(lease.worker.id).toBe(held.worker.id);
  await lease.release();

  const self = processIdentityOf(process.pid);
  const entryIn = async (path: string) =>
    (await new DeviceRegistry({ path }).lookup("docs")).records[0]?.holders?.find(
      (holder) => holder.pid === self.pid && holder.start === self.start,
    )?.leases;
  expect({ first: await entryIn(first), second: await entryIn(second) }).toEqual({ first: 1, second: 0 });
  await held.release();
});
