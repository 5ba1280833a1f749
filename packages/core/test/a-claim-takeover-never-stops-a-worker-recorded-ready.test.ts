import { DeviceRegistry, WorkerPool } from "@modelpool/core";
import {
  isRunning,
  modelWorkerBackend,
  startNodeScript,
  stopRecordedWorkersAfterTest,
  tempRegistryPath,
} from "@modelpool/test-utils";
import { expect, test } from "vitest";
import { childLines } from "./fixtures/child-lines.js";
import { startRequester } from "./fixtures/requester.js";

test("a spawner that died after recording its worker ready, before releasing its claim: the request that takes the claim over leaves the recorded, leased worker running", {
  timeout: 90_000,
}, async () => {
  const path = await tempRegistryPath();
  stopRecordedWorkersAfterTest(path);
  const spawner = startNodeScript(new URL("./fixtures/dies-before-releasing-its-spawn-claim.ts", import.meta.url), [
    path,
    "docs",
    "m",
  ]);
  const lines = childLines(spawner);
  const dying = JSON.parse(await lines.line('{"step":"dying"', 60_000)) as { pid: number; status: string };
  await lines.exited;
  expect(dying.status).toBe("ready");
  expect(isRunning(dying.pid)).toBe(true);

  // Another process leases the recorded worker.
  const holder = await startRequester(path);
  expect(await holder.ask("docs", "m")).toMatchObject({ outcome: "reused", pid: dying.pid });

  // A pool without a policy reuses nothing: it spawns, taking over the dead spawner's claim.
  const taker = new WorkerPool({ backend: modelWorkerBackend(), registry: path });
  try {
    const lease = await taker.getOrSpawn({ workerId: "docs", fingerprint: { resolvedModel: "m" } });
    expect(lease.decision.outcome).toBe("spawned");
    expect(lease.worker.pid).not.toBe(dying.pid);
    await lease.release();
  } finally {
    await taker.stopAll();
  }

  expect(isRunning(dying.pid)).toBe(true);
  const record = (await new DeviceRegistry({ path }).lookup("docs")).records.find((r) => r.pid === dying.pid);
  expect(record?.status).toBe("ready");
  await holder.exit();
});
