import { randomUUID } from "node:crypto";
import { processIdentityOf, type WorkerBackend, WorkerPool, type WorkerRecord } from "@modelpool/core";
import { ExactModelPolicy } from "@modelpool/policy-exact";
import type { RedisRegistry } from "@modelpool/registry-redis";
import { onTestFinished } from "vitest";

/** Decisions only: nothing is probed, and a spawn fails (a test that needs one is wrong). */
export const NO_SPAWN_BACKEND: WorkerBackend = {
  name: "judged",
  spawn: () => Promise.reject(new Error("this test never spawns")),
};

/**
 * A worker of host `owner` (the owner store's host), alive by its heartbeat, which that store renews: its
 * pid is this test's process (alive, and never signalled: only its owner host would, and no test stops it).
 */
export async function ownersWorker(
  owner: RedisRegistry,
  workerId: string,
  model: string,
  updatedAt = Date.now(),
): Promise<WorkerRecord> {
  const me = processIdentityOf(process.pid);
  return owner.put({
    kind: "worker",
    id: randomUUID(),
    workerId,
    pid: me.pid,
    ...(me.start === undefined ? {} : { pidStart: me.start }),
    fingerprint: { resolvedModel: model, modelPolicy: "dynamic" },
    status: "ready",
    url: "http://198.18.0.20:1",
    backend: "judged",
    owner: me,
    host: owner.hostId,
    startedAt: updatedAt,
    updatedAt,
  });
}

/** A pool per session on `registry` (shared, not closed with the pool), reusing other hosts' workers. */
export function sessionPool(registry: RedisRegistry): WorkerPool {
  const pool = new WorkerPool({
    backend: NO_SPAWN_BACKEND,
    registry,
    plugins: [new ExactModelPolicy()],
    allowRemoteUrls: true,
  });
  onTestFinished(() => pool.close());
  return pool;
}

/** One session: a new pool decides, releases and closes (as a per-task orchestrator does). */
export async function session(registry: RedisRegistry, workerId: string, model: string): Promise<WorkerRecord> {
  const pool = sessionPool(registry);
  const lease = await pool.getOrSpawn({ workerId, fingerprint: { resolvedModel: model } });
  await lease.release();
  await pool.close();
  return lease.worker;
}
