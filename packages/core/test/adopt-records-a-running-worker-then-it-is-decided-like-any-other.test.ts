import { spawn } from "node:child_process";
import { once } from "node:events";
import { DeviceRegistry, WorkerPool } from "@modelpool/core";
import {
  isRunning,
  MODEL_WORKER_SCRIPT,
  modelWorkerBackend,
  SameModelTestPolicy,
  tempRegistryPath,
  waitUntil,
} from "@modelpool/test-utils";
import { expect, onTestFinished, test } from "vitest";

/** A model worker the application started itself, outside any pool. */
async function startOwnWorker(model: string): Promise<{ pid: number; url: string }> {
  const child = spawn(process.execPath, [MODEL_WORKER_SCRIPT], {
    env: { ...process.env, MODELPOOL_MODEL: model },
    stdio: ["ignore", "pipe", "inherit"],
  });
  onTestFinished(() => {
    child.kill("SIGKILL");
  });
  let out = "";
  child.stdout.setEncoding("utf8");
  while (!/listening on (http:\/\/\S+)/.test(out)) {
    const [chunk] = (await once(child.stdout, "data")) as [string];
    out += chunk;
  }
  const url = /listening on (http:\/\/\S+)/.exec(out)?.[1] as string;
  return { pid: child.pid as number, url };
}

test("pool.adopt() records a running worker with its identity, then it is reused like any other", async () => {
  const own = await startOwnWorker("m1");
  const path = await tempRegistryPath();
  const pool = new WorkerPool({ backend: modelWorkerBackend(), registry: path, plugins: [new SameModelTestPolicy()] });

  const record = await pool.adopt({
    workerId: "docs",
    pid: own.pid,
    url: own.url,
    fingerprint: { resolvedModel: "m1" },
  });

  expect(record).toMatchObject({ workerId: "docs", pid: own.pid, status: "ready", url: own.url });
  expect(record.pidStart).toEqual(expect.any(String));
  expect((await new DeviceRegistry({ path }).list()).map((r) => r.id)).toEqual([record.id]);
  expect(await pool.adopt({ workerId: "docs", pid: own.pid, fingerprint: { resolvedModel: "m1" } })).toEqual(record);

  const lease = await pool.getOrSpawn({ workerId: "docs", fingerprint: { resolvedModel: "m1" } });
  expect(lease.decision.outcome).toBe("reused");
  expect(lease.worker.pid).toBe(own.pid);
  await lease.release();
  const other = await pool.getOrSpawn({ workerId: "docs", fingerprint: { resolvedModel: "m2" } });
  expect(other.decision.outcome).toBe("spawned"); // judged by the policy like any other
  await other.release();

  await pool.stopAll(); // adopted: this pool's to stop
  await waitUntil(() => !isRunning(own.pid));
});

test("pool.adopt() refuses pid 1, its own pid and a process that is not running, with a typed error", async () => {
  const pool = new WorkerPool({ backend: modelWorkerBackend(), registry: await tempRegistryPath() });
  const fingerprint = { resolvedModel: "m1" };
  const exited = spawn(process.execPath, ["-e", ""]);
  await once(exited, "exit");

  for (const pid of [1, process.pid, exited.pid as number]) {
    await expect(pool.adopt({ workerId: "docs", pid, fingerprint })).rejects.toMatchObject({
      code: "ADOPT_REFUSED",
      pid,
    });
  }
  await expect(pool.adopt({ workerId: "docs", pid: 0, fingerprint })).rejects.toMatchObject({
    code: "INVALID_REQUEST",
    field: "pid",
  });
  expect(pool.workers).toEqual([]);
  expect(await pool.registry?.list()).toEqual([]);
});
