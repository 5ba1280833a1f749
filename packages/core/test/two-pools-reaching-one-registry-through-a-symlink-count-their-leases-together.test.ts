import { symlinkSync } from "node:fs";
import { DeviceRegistry, processIdentityOf } from "@modelpool/core";
import { SameModelTestPolicy, tempRegistryPath, testPool } from "@modelpool/test-utils";
import { expect, test } from "vitest";

// A process writes one holder entry per worker: the sum of its pools' leases. Two pools that reach one
// registry directory by different paths (one through a symlink) write that same entry, so they must count
// one sum: were they counted apart, the pool that let go would write "0 leases" over the other's "1", and
// the worker would look unheld to every other process while this one still uses it.
test("two pools reaching one registry through a symlink count their leases as one", { timeout: 60_000 }, async () => {
  const path = await tempRegistryPath();
  const link = `${path}-link`;
  const request = { workerId: "docs", fingerprint: { resolvedModel: "m" } };
  const held = await testPool({ registry: path, plugins: [new SameModelTestPolicy()] }).getOrSpawn(request);
  symlinkSync(path, link);

  const lease = await testPool({ registry: link, plugins: [new SameModelTestPolicy()] }).getOrSpawn(request);
  expect(lease.worker.id).toBe(held.worker.id);
  await lease.release();

  const self = processIdentityOf(process.pid);
  const [record] = (await new DeviceRegistry({ path }).lookup("docs")).records;
  const mine = record?.holders?.find((holder) => holder.pid === self.pid && holder.start === self.start);
  expect(mine?.leases).toBe(1);
  await held.release();
});
