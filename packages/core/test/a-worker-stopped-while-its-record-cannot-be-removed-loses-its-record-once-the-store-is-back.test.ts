import { join } from "node:path";
import { DeviceRegistry, processBackend, WorkerPool } from "@modelpool/core";
import { isRunning, SameModelTestPolicy, waitUntil } from "@modelpool/test-utils";
import { expect, onTestFinished, test } from "vitest";
import { mountSmallTmpfs } from "./fixtures/small-tmpfs.js";

/** A worker that ignores SIGTERM: its stop takes the whole grace, long enough to break the store meanwhile. */
const stubborn = processBackend({
  name: "stubborn",
  command: process.execPath,
  args: ["-e", "process.on('SIGTERM', () => {}); console.log('ready'); setInterval(() => {}, 60_000);"],
  ready: { stdout: /^ready/ },
  stopGraceMs: 3_000,
});

test("a worker stopped while the registry turned read-only is reported stopped (it is), and its record is removed once the registry is writable again, without another call", {
  timeout: 60_000,
}, async ({ skip }) => {
  const fs = mountSmallTmpfs();
  if (!fs) return skip("mounting a tmpfs is not permitted here");
  const path = join(fs.dir, "registry");
  const pool = new WorkerPool({
    backend: stubborn,
    registry: path,
    plugins: [new SameModelTestPolicy()],
    sweepIntervalMs: 200,
  });
  onTestFinished(async () => {
    fs.writable();
    await pool.stopAll();
  });
  const lease = await pool.getOrSpawn({ workerId: "w", fingerprint: { resolvedModel: "m" } });
  await lease.release();
  await pool.settled();
  const { pid } = lease.worker;
  onTestFinished(() => {
    if (isRunning(pid)) process.kill(pid, "SIGKILL");
  });

  const stopping = pool.stop("w");
  // The stop is announced (recorded `stopped`); the store breaks while the worker takes its grace.
  await waitUntil(async () => (await new DeviceRegistry({ path }).list())[0]?.status === "stopped");
  fs.readOnly();
  expect((await stopping).map((worker) => worker.pid)).toEqual([pid]);
  expect(isRunning(pid)).toBe(false);
  expect((await new DeviceRegistry({ path }).list()).map((record) => record.status)).toEqual(["stopped"]);

  fs.writable();
  await waitUntil(async () => (await new DeviceRegistry({ path }).list()).length === 0);
});
