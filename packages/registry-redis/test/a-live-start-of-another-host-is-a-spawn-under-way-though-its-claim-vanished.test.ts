import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { WorkerPool, type WorkerRecord } from "@modelpool/core";
import { ExactModelPolicy } from "@modelpool/policy-exact";
import { RedisRegistry } from "@modelpool/registry-redis";
import { describe, expect, it, onTestFinished } from "vitest";
import { modelServerBackend } from "../../../examples/worker/backend.js";
import { isRunning, waitUntil, workersOfModel } from "../../test-utils/src/processes-state.js";
import { startStandInProcess } from "../../test-utils/src/stand-in.js";
import { fleetSpec, missingRedis, storeAs, suiteName, useRedisServer } from "./redis.js";

describe.skipIf(missingRedis !== undefined)(suiteName("a spawn whose claim vanished while it starts"), () => {
  const server = useRedisServer();

  /** Two hosts of one fleet (pools in this process, each with a store naming its own host) and an observer. */
  const setUp = (startDelayMs: number) => {
    const spec = fleetSpec(server(), { heartbeatMs: 250, heartbeatTtlMs: 2_000 });
    const model = `vanished-${randomUUID()}`;
    const poolOf = (host: string, env: Record<string, string>) =>
      new WorkerPool({
        backend: modelServerBackend({ env }),
        registry: storeAs(spec, host),
        plugins: [new ExactModelPolicy()],
        allowRemoteUrls: true,
      });
    const a = poolOf("host-a", { WORKER_START_DELAY_MS: String(startDelayMs) });
    const b = poolOf("host-b", {});
    const observer = storeAs(spec, "observer");
    onTestFinished(async () => {
      await Promise.allSettled([a.stopAll(), b.stopAll()]);
      for (const pid of workersOfModel(model)) if (isRunning(pid)) process.kill(pid, "SIGKILL");
    });
    // How many workers of the model ran at once, at most, sampled every 10 ms until `done`.
    let most = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        most = Math.max(most, workersOfModel(model).length);
        await sleep(10);
      }
    })();
    const done = async () => {
      sampling = false;
      await sampler;
      return most;
    };
    const dropClaims = () => {
      const keys = server().cli("--scan", "--pattern", `${spec.namespace}:claim:*`).split("\n").filter(Boolean);
      for (const key of keys) server().cli("DEL", key);
      return keys.length;
    };
    const records = async () => (await observer.lookup("docs")).records as WorkerRecord[];
    return {
      namespace: spec.namespace,
      a,
      b,
      model,
      done,
      dropClaims,
      records,
      request: { workerId: "docs", fingerprint: { resolvedModel: model } },
    };
  };

  it("a second host waits for the live start instead of spawning a second worker, and shares it", {
    timeout: 60_000,
  }, async () => {
    const { a, b, done, dropClaims, records, request } = setUp(2_500);
    const first = a.getOrSpawn(request);
    first.catch(() => undefined);
    await waitUntil(async () => (await records()).some((record) => record.status === "starting"), 20_000);
    expect(dropClaims()).toBe(1); // the claim is gone; the spawner's `starting` record is still there
    const second = await b.getOrSpawn(request);
    const firstLease = await first;
    expect(await done()).toBe(1);
    expect(second.worker.id).toBe(firstLease.worker.id);
    expect(firstLease.decision.outcome).toBe("spawned");
    expect((await records()).filter((record) => record.status === "ready")).toHaveLength(1);
  });

  it("a spawner whose claim went to another holder stops its worker, records nothing ready, and waits for that holder", {
    timeout: 90_000,
  }, async () => {
    // A start far longer than the steps below, even on a loaded machine: it is still starting when its claim
    // goes to the other holder (its renewal timer or its last check before recording it ready finds out).
    const { a, done, records, request, namespace: spec } = setUp(8_000);
    const first = a.getOrSpawn(request);
    first.catch(() => undefined);
    let start: WorkerRecord | undefined;
    await waitUntil(async () => {
      start = (await records()).find((record) => record.status === "starting");
      return start !== undefined;
    }, 20_000);
    // Another holder takes the claim the spawner still thinks its own (it lapsed, or was lost and taken).
    const [claimKey] = server().cli("--scan", "--pattern", `${spec}:claim:*`).split("\n").filter(Boolean);
    const { key } = JSON.parse(server().cli("GET", String(claimKey))) as { key: string };
    server().cli("DEL", String(claimKey));
    const other = storeAs({ url: server().url, namespace: spec }, "host-c");
    const taken = await other.acquireClaim({
      key,
      workerId: "docs",
      owner: { host: "host-c", pid: process.pid, start: "c" },
      ttlMs: 60_000,
    });
    if (!taken.acquired) throw new Error("the other holder did not get the claim");
    // Its start is ended, never recorded ready; the request waits for the holder of the claim.
    const startPid = start?.pid ?? -1;
    let seen: WorkerRecord[] = [];
    await waitUntil(async () => {
      seen = await records();
      expect(seen.filter((record) => record.status === "ready")).toEqual([]);
      return !isRunning(startPid) && !seen.some((record) => record.pid === startPid);
    }, 30_000);
    // The holder lets go (its spawn failed, say, without a failure to share): the request spawns once.
    await other.releaseClaim(taken.claim);
    const lease = await first;
    expect(lease.worker.pid).not.toBe(startPid);
    expect(await done()).toBe(1);
    expect((await records()).filter((record) => record.status === "ready")).toHaveLength(1);
  });

  it("a start of another host whose spawner died is not waited for, though its worker's heartbeat is fresh", {
    timeout: 60_000,
  }, async () => {
    // The worker's heartbeat lasts 60 s; the spawner's own liveness key is gone (its process died): the
    // start is no spawn under way, and a request spawns at once instead of waiting for the heartbeat.
    const spec = fleetSpec(server(), { heartbeatMs: 30_000, heartbeatTtlMs: 60_000 });
    const model = `dead-spawner-${randomUUID()}`;
    const worker = startStandInProcess();
    const spawner = startStandInProcess();
    const hostA = new RedisRegistry({ ...spec, hostId: "host-a" });
    const now = Date.now();
    await hostA.put({
      kind: "worker",
      id: "start-1",
      workerId: "docs",
      pid: worker.pid,
      ...(worker.start ? { pidStart: worker.start } : {}),
      fingerprint: { resolvedModel: model, modelPolicy: "dynamic" },
      status: "starting",
      owner: spawner,
      holders: [{ ...spawner, leases: 0, lastUsedAt: now }],
      startedAt: now,
      updatedAt: now,
    });
    await hostA.close(); // the spawner's store is gone with its process: nothing renews its key any more
    for (const key of server().cli("--scan", "--pattern", `${spec.namespace}:holder:*`).split("\n").filter(Boolean)) {
      server().cli("DEL", key);
    }
    const pool = new WorkerPool({
      backend: modelServerBackend(),
      registry: storeAs(spec, "host-b"),
      plugins: [new ExactModelPolicy()],
    });
    onTestFinished(() => pool.stopAll().then(() => undefined));
    const lease = await pool.getOrSpawn({ workerId: "docs", fingerprint: { resolvedModel: model } });
    expect(lease.decision.outcome).toBe("spawned");
    expect(lease.worker.host).toBe("host-b");
  });
});
