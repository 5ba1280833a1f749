import { existsSync } from "node:fs";
import { readLiveProcess, WorkerPool } from "@modelpool/core";
import { createTestPool, modelWorkerBackend } from "@modelpool/testing";
import { expect, test } from "vitest";

const running = (pid: number) => {
  const live = readLiveProcess(pid);
  return live.running && !live.zombie;
};

test("cleanup stops the pool's workers, held or not, and workers another pool recorded in its registry, then removes the directory", async () => {
  const kit = createTestPool();
  const held = await kit.pool.getOrSpawn({ workerId: "docs", fingerprint: { resolvedModel: "m" } });
  // Another pool of the same test, sharing the registry, closed: its worker stays running, recorded.
  const other = new WorkerPool({ backend: modelWorkerBackend(), registry: kit.registryPath });
  const left = await other.getOrSpawn({ workerId: "coder", fingerprint: { resolvedModel: "m" } });
  await other.settled();
  await other.close();
  expect(running(left.worker.pid)).toBe(true);

  await kit.cleanup();

  expect(running(held.worker.pid)).toBe(false);
  expect(running(left.worker.pid)).toBe(false);
  expect(existsSync(kit.registryPath)).toBe(false);
  await kit.cleanup(); // twice is fine
});

test("await using cleans up at the end of the block", async () => {
  let pid = 0;
  {
    await using kit = createTestPool();
    pid = (await kit.pool.getOrSpawn({ workerId: "docs", fingerprint: { resolvedModel: "m" } })).worker.pid;
    expect(running(pid)).toBe(true);
  }
  expect(running(pid)).toBe(false);
});
