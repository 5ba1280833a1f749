import { spawn } from "node:child_process";
import { once } from "node:events";
import { DeviceRegistry, SpawnError, type WorkerBackend, WorkerPool } from "@modelpool/core";
import { tempRegistryPath } from "@modelpool/test-utils";
import { expect, onTestFinished, test } from "vitest";

/** A backend whose spawn answers with the pid of a child that has already exited. */
const answersWithADeadPid: WorkerBackend = {
  name: "answers-with-a-dead-pid",
  async spawn() {
    const child = spawn("true", { stdio: "ignore" });
    await once(child, "exit");
    return { pid: child.pid as number, url: "http://127.0.0.1:9" };
  },
};

test("a spawn that answers with a pid that has exited is a SpawnError, never a record", async () => {
  const path = await tempRegistryPath();
  const pool = new WorkerPool({ backend: answersWithADeadPid, registry: path });
  onTestFinished(() => pool.stopAll().then(() => undefined));

  const failure = await pool.getOrSpawn({ workerId: "docs", fingerprint: { resolvedModel: "m" } }).catch((e) => e);

  expect(failure).toBeInstanceOf(SpawnError);
  expect(failure).toMatchObject({ code: "SPAWN_FAILED", failure: "not-running" });
  expect(pool.workers).toEqual([]);
  const records = await new DeviceRegistry({ path }).list();
  expect(records.filter((record) => record.status === "ready" || record.status === "busy")).toEqual([]);
});
