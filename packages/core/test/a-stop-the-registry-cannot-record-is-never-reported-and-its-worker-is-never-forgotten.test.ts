import { join } from "node:path";
import { DeviceRegistry, isModelpoolError, type PoolWarning } from "@modelpool/core";
import { isRunning, SameModelTestPolicy, testPool } from "@modelpool/test-utils";
import { expect, onTestFinished, test } from "vitest";
import { mountSmallTmpfs } from "./fixtures/small-tmpfs.js";

const request = { workerId: "docs", fingerprint: { resolvedModel: "m" } };

for (const how of ["stop", "stopAll"] as const) {
  test(`${how}() on a registry out of room (ENOSPC) rejects with StopError, and the worker runs on as the pool's, stopped by the next ${how}() once there is room`, {
    timeout: 60_000,
  }, async ({ skip }) => {
    const fs = mountSmallTmpfs();
    if (!fs) return skip("mounting a tmpfs is not permitted here");
    const path = join(fs.dir, "registry");
    const pool = testPool({ registry: path, plugins: [new SameModelTestPolicy()] });
    const warnings: PoolWarning[] = [];
    pool.hooks.warning.tap("test", (warning) => void warnings.push(warning));
    const lease = await pool.getOrSpawn(request);
    await lease.release();
    await pool.settled();
    const { pid } = lease.worker;
    // A pool that forgot its worker cannot stop it when the test ends.
    onTestFinished(() => {
      if (isRunning(pid)) process.kill(pid, "SIGKILL");
    });

    fs.fill();
    const refused = await (how === "stop" ? pool.stop("docs") : pool.stopAll()).then(
      (stopped) => ({ stopped }),
      (error: unknown) => ({ error }),
    );

    // Nothing reported stopped that runs, and nothing forgotten.
    expect(refused).toMatchObject({ error: expect.objectContaining({ code: "STOP_FAILED" }) });
    expect(isModelpoolError((refused as { error: unknown }).error)).toBe(true);
    expect(isRunning(pid)).toBe(true);
    expect(pool.workers.map((worker) => worker.pid)).toEqual([pid]);
    expect((await new DeviceRegistry({ path }).list()).map((record) => [record.pid, record.status])).toEqual([
      [pid, "ready"],
    ]);

    fs.free();
    const stopped = how === "stop" ? await pool.stop("docs") : await pool.stopAll();
    expect(stopped.map((worker) => worker.pid)).toEqual([pid]);
    expect(isRunning(pid)).toBe(false);
    expect(pool.workers).toEqual([]);
    expect(await new DeviceRegistry({ path }).list()).toEqual([]);
  });
}
