import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { type Decision, DeviceRegistry, processIdentityOf, readLiveProcess, type WorkerBackend } from "@modelpool/core";
import {
  MODEL_WORKER_SCRIPT,
  modelWorkerBackend,
  SameModelTestPolicy,
  tempRegistryPath,
  testPool,
} from "@modelpool/test-utils";
import { expect, onTestFinished, test } from "vitest";

const request = { workerId: "docs", fingerprint: { resolvedModel: "model-x" } };

async function gone(pid: number): Promise<void> {
  while (readLiveProcess(pid).running) await sleep(10);
}

function recordDecisions(pool: {
  hooks: { decided: { tap(name: string, fn: (d: Decision) => void): void } };
}): Decision[] {
  const decisions: Decision[] = [];
  pool.hooks.decided.tap("test", (decision) => {
    decisions.push(decision);
  });
  return decisions;
}

test("a worker that dies between its probe and the lease is not handed out, and decided says so", async () => {
  const path = await tempRegistryPath();
  const first = await testPool({ registry: path }).getOrSpawn(request);
  const real = modelWorkerBackend();
  const dyingAfterProbe: WorkerBackend = {
    ...real,
    name: "dying-after-probe",
    probe: async (record, context) => {
      const result = await (real.probe as NonNullable<WorkerBackend["probe"]>)(record, context);
      process.kill(record.pid, "SIGKILL");
      await gone(record.pid);
      return result;
    },
  };
  const pool = testPool({ registry: path, backend: dyingAfterProbe, plugins: [new SameModelTestPolicy()] });
  const decisions = recordDecisions(pool);

  const lease = await pool.getOrSpawn(request);

  expect(lease.worker.pid).not.toBe(first.worker.pid);
  expect(decisions[0]?.outcome).toBe("spawned");
  expect(decisions[0]?.considered[0]?.verdict.reason).toMatch(/^exited after its probe: process \d+ is not running/);
});

test("a worker restarted with another model on the same port is recognised by its live model", async () => {
  const port = await freePort();
  const path = await tempRegistryPath();
  const spawner = testPool({ registry: path, backend: modelWorkerBackend({ env: { WORKER_PORT: String(port) } }) });
  const original = await spawner.getOrSpawn(request);
  process.kill(original.worker.pid, "SIGKILL"); // it crashes...
  await gone(original.worker.pid);
  // ...and someone restarts a server on the same port with another model, then updates only the pid.
  const restarted = spawn(process.execPath, [MODEL_WORKER_SCRIPT], {
    env: { ...process.env, WORKER_PORT: String(port), MODELPOOL_MODEL: "model-y" },
    stdio: ["ignore", "pipe", "ignore"],
  });
  onTestFinished(() => {
    restarted.kill("SIGKILL");
  });
  await new Promise((resolve) => restarted.stdout?.once("data", resolve));
  const restartedIdentity = processIdentityOf(restarted.pid as number);
  await new DeviceRegistry({ path }).upsert({
    ...original.worker,
    pid: restartedIdentity.pid,
    pidStart: restartedIdentity.start as string,
  });
  const pool = testPool({ registry: path, plugins: [new SameModelTestPolicy()] });
  const decisions = recordDecisions(pool);

  const lease = await pool.getOrSpawn(request);

  expect(lease.worker.pid).not.toBe(restarted.pid);
  expect(decisions[0]?.considered[0]?.verdict.reason).toMatch(/^its live model is model-y: model differs/);
});

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
