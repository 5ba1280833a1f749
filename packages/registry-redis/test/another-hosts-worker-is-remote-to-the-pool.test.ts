// Pool-level rules for workers of another host. Both are known gaps of WorkerPool (core), written as
// `it.fails` so that they run and keep saying so: when the pool is fixed, they fail, and become `it`.
import { WorkerPool, type WorkerRecord } from "@modelpool/core";
import { ExactModelPolicy } from "@modelpool/policy-exact";
import { describe, expect, it, onTestFinished } from "vitest";
import { modelServerBackend } from "../../../examples/worker/backend.js";
import { isRunning, waitUntil } from "../../test-utils/src/processes-state.js";
import { hostAddress, killHost, startHost } from "./fleet.js";
import { fleetSpec, missingRedis, storeAs, suiteName, useRedisServer } from "./redis.js";

describe.skipIf(missingRedis !== undefined)(suiteName("a worker of another host, seen by a pool"), () => {
  const server = useRedisServer();

  const setUp = async (
    options: { allowRemoteUrls?: boolean; onSuperseded?: "stop"; probeTimeoutMs?: number } = {},
    workerEnv: Record<string, string> = {},
  ) => {
    const spec = fleetSpec(server(), { heartbeatMs: 500, heartbeatTtlMs: 2_000 });
    const host = startHost(spec, 1, ["serve", "docs", "model-a"], workerEnv);
    const remote = await host.next<WorkerRecord>();
    onTestFinished(() => {
      if (isRunning(remote.pid)) process.kill(remote.pid, "SIGKILL");
    });
    const registry = storeAs(spec, "host-2");
    const pool = new WorkerPool({
      backend: modelServerBackend({ env: { WORKER_HOST: hostAddress(2) } }),
      registry,
      plugins: [new ExactModelPolicy()],
      ...options,
    });
    onTestFinished(async () => {
      await pool.stopAll();
    });
    return { pool, remote, host, registry };
  };

  // A loopback URL in another host's record is that host's loopback: unreachable from here in a real
  // fleet (the simulated hosts share one kernel, so it happens to answer). Another host's worker is
  // remote whatever its URL says, and is reused only when allowRemoteUrls allows it.
  it("is not reused when allowRemoteUrls is off, even with a loopback URL", async () => {
    const { pool } = await setUp({ allowRemoteUrls: false });
    const lease = await pool.getOrSpawn({ workerId: "docs", fingerprint: { resolvedModel: "model-a" } });
    expect(lease.worker.host).toBe("host-2");
    expect(lease.decision.outcome).toBe("spawned");
  });

  it("is reused through its URL when allowRemoteUrls is on", async () => {
    const { pool, remote } = await setUp({ allowRemoteUrls: true });
    const lease = await pool.getOrSpawn({ workerId: "docs", fingerprint: { resolvedModel: "model-a" } });
    expect(lease.decision.outcome).toBe("reused");
    expect(lease.worker.id).toBe(remote.id);
    expect(lease.worker.url).toContain(hostAddress(1));
  });

  it("is never reused once its heartbeat expired, though it still answers probes, and is not signalled", async () => {
    const { pool, remote, host, registry } = await setUp({ allowRemoteUrls: true });
    await killHost(host); // the host is gone; its worker process (detached) still serves
    await waitUntil(async () => {
      const [seen] = (await registry.lookup("docs")).records;
      return seen !== undefined && (seen.aliveUntil ?? 0) < Date.now();
    }, 10_000);
    const lease = await pool.getOrSpawn({ workerId: "docs", fingerprint: { resolvedModel: "model-a" } });
    expect(lease.decision.outcome).toBe("spawned");
    expect(lease.worker.host).toBe("host-2");
    expect(isRunning(remote.pid)).toBe(true);
  });

  it("is reused only when a probe through its URL answers: a hung one is passed over, and left running", async () => {
    const { pool, remote } = await setUp({ allowRemoteUrls: true, probeTimeoutMs: 500 }, { WORKER_MODE: "hang" });
    const lease = await pool.getOrSpawn({ workerId: "docs", fingerprint: { resolvedModel: "model-a" } });
    expect(lease.decision.outcome).toBe("spawned");
    expect(lease.worker.host).toBe("host-2");
    const rejected = lease.decision.considered.find((c) => c.candidate.id === remote.id);
    expect(rejected?.verdict.reuse).toBe(false);
    expect(rejected?.verdict.reason).toMatch(/no answer within 500 ms/);
    expect(isRunning(remote.pid)).toBe(true);
  });

  // Only the owning host ever signals a worker: a superseded worker of another host may only be asked to
  // drain (its owner stops it). Today onSuperseded "stop" terminates it from the other host.
  it('is never signalled when a policy supersedes it with onSuperseded "stop"', async () => {
    const { pool, remote } = await setUp({ allowRemoteUrls: true, onSuperseded: "stop" });
    const lease = await pool.getOrSpawn({ workerId: "docs", fingerprint: { resolvedModel: "model-b" } });
    await pool.settled();
    expect(lease.worker.host).toBe("host-2");
    expect(isRunning(remote.pid)).toBe(true);
  });
});
