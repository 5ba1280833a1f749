import { DeviceRegistry } from "@modelpool/core";
import {
  isRunning,
  runNodeScript,
  SameModelTestPolicy,
  startNodeScript,
  stopRecordedWorkersAfterTest,
  tempRegistryPath,
  testPool,
  waitUntil,
} from "@modelpool/test-utils";
import { expect, test } from "vitest";

const request = (model: string) => ({ workerId: "docs", fingerprint: { resolvedModel: model } });

test("keep (the default) leaves the superseded worker running", async () => {
  const pool = testPool({ registry: await tempRegistryPath(), plugins: [new SameModelTestPolicy()] });
  const old = await pool.getOrSpawn(request("model-x"));
  await pool.getOrSpawn(request("model-y"));
  await pool.settled();
  expect(isRunning(old.worker.pid)).toBe(true);
});

test("stop, chosen per workerId, stops a worker another OS process spawned, as soon as it is superseded", {
  timeout: 60_000,
}, async () => {
  const path = await tempRegistryPath();
  stopRecordedWorkersAfterTest(path); // what child processes left, should the test fail midway
  const fromA = JSON.parse(
    (await runNodeScript(new URL("./fixtures/request-worker.ts", import.meta.url), [path, "docs", "model-x"])).stdout,
  ) as { pid: number };
  const other = JSON.parse(
    (await runNodeScript(new URL("./fixtures/request-worker.ts", import.meta.url), [path, "coder", "model-x"])).stdout,
  ) as { pid: number };
  const pool = testPool({
    registry: path,
    plugins: [new SameModelTestPolicy()],
    onSuperseded: (workerId) => (workerId === "docs" ? "stop" : "keep"),
  });

  await pool.getOrSpawn(request("model-y"));
  await pool.getOrSpawn({ workerId: "coder", fingerprint: { resolvedModel: "model-y" } });
  await pool.settled();

  expect(isRunning(fromA.pid)).toBe(false);
  expect(isRunning(other.pid)).toBe(true); // "coder" keeps its superseded workers
  process.kill(other.pid, "SIGKILL");
  expect((await new DeviceRegistry({ path }).list()).some((r) => r.pid === fromA.pid)).toBe(false);
  expect(pool.stats().stops.superseded).toBe(1);
});

test("drain stops a superseded worker only once the other process releases its lease", {
  timeout: 60_000,
}, async () => {
  const path = await tempRegistryPath();
  stopRecordedWorkersAfterTest(path); // what child processes left, should the test fail midway
  const holder = startNodeScript(new URL("./fixtures/lease-holder.ts", import.meta.url), [path, "model-x"]);
  const lines: string[] = [];
  holder.stdout?.on("data", (chunk: Buffer) => lines.push(...chunk.toString().trim().split("\n")));
  await waitUntil(() => lines.length > 0, 30_000);
  const leased = JSON.parse(lines[0] as string) as { pid: number; id: string };
  const pool = testPool({
    registry: path,
    plugins: [new SameModelTestPolicy()],
    onSuperseded: "drain",
    sweepIntervalMs: 50,
  });

  const replacement = await pool.getOrSpawn(request("model-y"));
  await pool.settled();

  expect(replacement.worker.pid).not.toBe(leased.pid);
  expect(isRunning(leased.pid)).toBe(true); // still leased by the other process
  const marked = (await new DeviceRegistry({ path }).list()).find((r) => r.id === leased.id);
  expect(marked).toMatchObject({ draining: true, holders: [{ leases: 1 }] });
  expect(
    (await pool.explain(request("model-x"))).considered.find((c) => c.candidate.id === leased.id)?.verdict.reason,
  ).toMatch(/draining/);

  holder.stdin?.write("release\n");
  await waitUntil(() => lines.some((line) => line.includes("released")));
  await waitUntil(() => !isRunning(leased.pid));
  holder.stdin?.write("exit\n");
});
