import { DeviceRegistry, LockTimeoutError } from "@modelpool/core";
import { startNodeScript, tempRegistryPath } from "@modelpool/test-utils";
import { expect, test } from "vitest";

const record = {
  kind: "worker" as const,
  id: "a",
  workerId: "w",
  pid: 1,
  status: "ready" as const,
  startedAt: 1,
  updatedAt: 1,
};

test("a lock left by a holder killed while holding it is taken over once stale", { timeout: 60_000 }, async () => {
  const path = await tempRegistryPath();
  const holder = startNodeScript(new URL("./fixtures/hold-lock.ts", import.meta.url), [path, "2000"]);
  await new Promise((resolve) => holder.stdout?.once("data", resolve));
  holder.kill("SIGKILL");
  await new Promise((resolve) => holder.once("exit", resolve));

  const started = Date.now();
  await new DeviceRegistry({ path, lockStaleMs: 2_000, lockTimeoutMs: 10_000 }).upsert(record);

  expect(Date.now() - started).toBeLessThan(6_000);
  expect((await new DeviceRegistry({ path }).list()).map((r) => r.id)).toEqual(["a"]);
});

test("a lock held by a live process times out with a typed error, and nothing is written", {
  timeout: 60_000,
}, async () => {
  const path = await tempRegistryPath();
  const holder = startNodeScript(new URL("./fixtures/hold-lock.ts", import.meta.url), [path, "10000"]);
  await new Promise((resolve) => holder.stdout?.once("data", resolve));

  const error = await new DeviceRegistry({ path, lockTimeoutMs: 300 }).upsert(record).catch((e: unknown) => e);

  expect(error).toBeInstanceOf(LockTimeoutError);
  expect(await new DeviceRegistry({ path }).list()).toEqual([]);
  holder.kill("SIGKILL");
});
