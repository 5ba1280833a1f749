import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { DeviceRegistry } from "@modelpool/core";
import { isRunning, SameModelTestPolicy, tempRegistryPath, testPool, waitUntil } from "@modelpool/test-utils";
import { expect, test } from "vitest";

// `aliveUntil` on a lease holder is a fleet store's reading of a liveness signal the holder renews. In a
// directory registry every holder is a process of this host, alive while its pid + start time are: an
// entry file carrying `aliveUntil` a year away, naming a process that is gone (forged, or copied from a
// fleet), must hold nothing — else the worker would count as held forever, never stopped, never drained.
test("a lease entry file claiming aliveUntil a year away, of a gone process, holds nothing", {
  timeout: 60_000,
}, async () => {
  const path = await tempRegistryPath();
  const pool = testPool({ registry: path, plugins: [new SameModelTestPolicy()] });
  const lease = await pool.getOrSpawn({ workerId: "docs", fingerprint: { resolvedModel: "m" } });
  await lease.release();
  const { id, pid } = lease.worker;
  const year = Date.now() + 365 * 24 * 3600_000;
  const forged = { pid: 999_999, pool: "process", leases: 3, lastUsedAt: Date.now(), aliveUntil: year, record: id };
  writeFileSync(join(path, "workers", "docs", `999999++${id}.1.holder`), `${JSON.stringify(forged)}\n`);

  const [record] = (await new DeviceRegistry({ path }).lookup("docs")).records;
  expect(record?.holders?.find((holder) => holder.pid === 999_999)).toEqual({
    pid: 999_999,
    pool: "process",
    leases: 3,
    lastUsedAt: forged.lastUsedAt,
  });
  const stopped = await pool.stopAll();
  expect(stopped.map((worker) => worker.id)).toEqual([id]);
  await waitUntil(() => !isRunning(pid), 10_000);
});
