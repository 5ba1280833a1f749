import { CapacityError, DeviceRegistry } from "@modelpool/core";
import { isRunning, SameModelTestPolicy, tempRegistryPath, testPool } from "@modelpool/test-utils";
import { expect, test } from "vitest";

test("two pools of one process asking at once under maxWorkersPerDevice 1 start one worker, not two", {
  timeout: 60_000,
}, async () => {
  const path = await tempRegistryPath();
  const options = {
    registry: path,
    plugins: [new SameModelTestPolicy()],
    maxWorkersPerDevice: 1,
    capacityTimeoutMs: 1_000,
  };
  const pools = [testPool(options), testPool(options)];
  const answers = await Promise.allSettled(
    pools.map((pool, i) => pool.getOrSpawn({ workerId: `w${i}`, fingerprint: { resolvedModel: `model-${i}` } })),
  );

  const leased = answers.flatMap((answer) => (answer.status === "fulfilled" ? [answer.value] : []));
  const refused = answers.flatMap((answer) => (answer.status === "rejected" ? [answer.reason as unknown] : []));
  expect(leased).toHaveLength(1);
  expect(refused).toHaveLength(1);
  expect(refused[0]).toBeInstanceOf(CapacityError);
  expect(isRunning(leased[0]?.worker.pid as number)).toBe(true);
  const running = (await new DeviceRegistry({ path }).list()).filter((record) => isRunning(record.pid));
  expect(running).toHaveLength(1);
});
