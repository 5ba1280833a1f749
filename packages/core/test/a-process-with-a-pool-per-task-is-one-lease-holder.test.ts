import { DeviceRegistry } from "@modelpool/core";
import {
  runNodeScript,
  SameModelTestPolicy,
  stopRecordedWorkersAfterTest,
  tempRegistryPath,
  testPool,
} from "@modelpool/test-utils";
import { expect, test } from "vitest";

test("a process creating a pool per task is one holder entry with the sum of its leases, dropped once it is gone", {
  timeout: 60_000,
}, async () => {
  const path = await tempRegistryPath();
  stopRecordedWorkersAfterTest(path);
  const { stdout } = await runNodeScript(new URL("./fixtures/pool-per-task.ts", import.meta.url), [path, "40"]);
  const { pid, holders } = JSON.parse(stdout) as { pid: number; holders: { pid: number; leases: number }[] };

  expect(holders).toHaveLength(1);
  expect(holders[0]).toMatchObject({ pid, leases: 40 });

  // That process has exited: its leases hold nothing (the worker is reused and no one counts them), and
  // the next release of the worker clears its entry.
  const next = testPool({ registry: path, plugins: [new SameModelTestPolicy()] });
  const lease = await next.getOrSpawn({ workerId: "docs", fingerprint: { resolvedModel: "m" } });
  expect(lease.decision.outcome).toBe("reused");
  await lease.release();
  await next.settled();
  const [record] = await new DeviceRegistry({ path }).list();
  expect(record?.holders?.map((holder) => holder.pid)).toEqual([process.pid]);
});
