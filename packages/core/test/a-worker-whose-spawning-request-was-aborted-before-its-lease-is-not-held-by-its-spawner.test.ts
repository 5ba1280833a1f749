import { DeviceRegistry, type DeviceRegistryOptions, leaseUsage, WorkerPool, type WorkerRecord } from "@modelpool/core";
import {
  isRunning,
  modelWorkerBackend,
  runNodeScript,
  SameModelTestPolicy,
  stopRecordedWorkersAfterTest,
  tempRegistryPath,
} from "@modelpool/test-utils";
import { expect, test } from "vitest";

/** A device registry that tells when the running worker has been recorded. */
class NotifyingRegistry extends DeviceRegistry {
  readonly #onReady: () => void;
  constructor(options: DeviceRegistryOptions, onReady: () => void) {
    super(options);
    this.#onReady = onReady;
  }
  override async put(record: WorkerRecord): Promise<WorkerRecord> {
    const written = await super.put(record);
    if (record.status === "ready") this.#onReady();
    return written;
  }
}

// A spawned worker is first recorded as leased once by its spawner (its holder entry is written before
// the record, so nobody sees it idle before its spawner leases it). If the request is aborted between the
// record and its lease, the worker is never leased: once the pool has settled, the spawner's entry must
// say so, or every other process takes the worker for leased as long as the spawner lives (never evicted
// for room, never stopped when drained).
test("a worker whose spawning request was aborted before its lease is not held by its spawner", {
  timeout: 60_000,
}, async () => {
  const path = await tempRegistryPath();
  stopRecordedWorkersAfterTest(path);
  const aborter = new AbortController();
  const registry = new NotifyingRegistry({ path, legacySources: false }, () =>
    aborter.abort(new Error("caller gave up")),
  );
  const pool = new WorkerPool({ backend: modelWorkerBackend(), registry, plugins: [new SameModelTestPolicy()] });

  await expect(
    pool.getOrSpawn({ workerId: "docs", fingerprint: { resolvedModel: "m" }, signal: aborter.signal }),
  ).rejects.toThrow(/caller gave up/);
  await new Promise((resolve) => setTimeout(resolve, 50));
  await pool.settled();

  const [record] = await new DeviceRegistry({ path, legacySources: false }).list();
  expect(record?.status).toBe("ready");
  expect.soft(leaseUsage(record as WorkerRecord).leases).toBe(0);

  // Another process at its device limit may make room by evicting that idle worker.
  const { stdout } = await runNodeScript(new URL("./fixtures/request-worker-at-capacity.ts", import.meta.url), [
    path,
    "other",
    "m2",
    "1",
  ]);
  expect.soft(JSON.parse(stdout)).toMatchObject({ outcome: "spawned" });
  expect(isRunning(record?.pid as number)).toBe(false);
  await pool.stopAll();
});
