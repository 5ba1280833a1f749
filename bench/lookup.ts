import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { DeviceRegistry, type WorkerBackend, type WorkerLease, WorkerPool } from "@modelpool/core";
import { ExactModelPolicy } from "@modelpool/policy-exact";
import { modelServerBackend } from "../examples/worker/backend.js";
import { naiveFindWorker } from "./naive-registry.js";
import {
  type Bystanders,
  bystanders,
  fixtureRecords,
  TARGET,
  writeOrchestratorFile,
  writeRegistryDirectory,
} from "./registry-fixture.js";
import { sample, summarize } from "./stats.js";

/** Decisions only: the lookup is measured without a network probe (section 5 measures a real probe). */
const NO_PROBE_BACKEND: WorkerBackend = {
  name: "bench",
  spawn: () => Promise.reject(new Error("the bench never spawns")),
};
const REQUEST = { workerId: TARGET.workerId, fingerprint: { resolvedModel: TARGET.model } };

type Summary = { median: number; p95: number };
export type DecisionRow = {
  size: number;
  halfDead: boolean;
  baseline: Summary;
  cold: Summary;
  afterChange: Summary;
  warm: Summary;
};

const pool = (path: string) =>
  new WorkerPool({
    backend: NO_PROBE_BACKEND,
    registry: new DeviceRegistry({ path, legacySources: false }),
    plugins: [new ExactModelPolicy()],
  });

async function reuse(target: WorkerPool): Promise<WorkerLease> {
  const lease = await target.getOrSpawn(REQUEST);
  if (lease.decision.outcome !== "reused") throw new Error(`expected a reuse, got ${lease.decision.reason}`);
  return lease;
}

/**
 * A new session, as many times as asked: a new registry instance and a new pool each time, whose lease
 * is released and whose pool is closed (untimed) before the next, so that each decision starts from a
 * process that holds nothing and writes its lease like a new session does.
 */
function coldSessions(registryPath: string) {
  let session: { pool: WorkerPool; lease?: WorkerLease } | undefined;
  const end = async () => {
    await session?.lease?.release();
    await session?.pool.close();
    session = undefined;
  };
  return {
    before: async () => {
      await end();
      session = { pool: pool(registryPath) };
    },
    decide: async () => {
      if (!session) throw new Error("no session");
      session.lease = await reuse(session.pool);
    },
    end,
  };
}

/**
 * The reuse decision three ways, beside the baseline's lookup on the same records:
 * - cold: a new session — a new registry instance and a new pool, nothing cached, nothing held, the lease
 *   written before the answer (constructed untimed; the previous session released and closed untimed);
 * - after a change: a long-lived pool, right after another writer rewrote the target's record;
 * - warm: a long-lived pool in its steady state.
 */
export async function measureDecisions(dir: string, sizes: readonly number[]): Promise<DecisionRow[]> {
  const people = bystanders();
  const rows: DecisionRow[] = [];
  try {
    await warmUp(dir, people);
    for (const halfDead of [false, true]) {
      for (const size of sizes) {
        const records = fixtureRecords(size, people, halfDead);
        const naivePath = join(dir, `naive-${size}-${halfDead}.json`);
        const registryPath = join(dir, `registry-${size}-${halfDead}`);
        const text = await writeOrchestratorFile(naivePath, records);
        await writeRegistryDirectory(registryPath, records);
        const runs = size >= 10_000 ? 15 : size >= 1_000 ? 40 : 150;
        // Half dead: the baseline prunes, so its file is restored (untimed) before every lookup.
        const { writeFile } = await import("node:fs/promises");
        const restore = halfDead ? () => writeFile(naivePath, text) : undefined;
        const baseline = await sample(
          runs,
          () => naiveFindWorker(naivePath, TARGET.workerId, TARGET.model),
          restore ? { before: restore } : {},
        );

        const sessions = coldSessions(registryPath);
        const cold = await sample(Math.max(runs, 200), sessions.decide, { before: sessions.before });
        await sessions.end();

        const longLived = pool(registryPath);
        const writer = new DeviceRegistry({ path: registryPath, legacySources: false });
        await reuse(longLived);
        await longLived.settled();
        const afterChange = await sample(Math.max(runs, 200), () => reuse(longLived), {
          before: () =>
            writer.update({ workerId: TARGET.workerId, id: "entry-0" }, (r) => ({ ...r, updatedAt: Date.now() })),
        });
        // Steady state: past the registry's racy window (a directory changed within the last 50 ms is re-read).
        await sleep(100);
        const warm = await sample(2_000, () => reuse(longLived), { warmup: 300 });
        rows.push({
          size,
          halfDead,
          baseline: summarize(baseline),
          cold: summarize(cold),
          afterChange: summarize(afterChange),
          warm: summarize(warm),
        });
      }
    }
  } finally {
    people.stop();
  }
  return rows;
}

/** JIT-compiles both paths before anything is measured, so the first size in the table does not pay for it. */
async function warmUp(dir: string, people: Bystanders): Promise<void> {
  const records = fixtureRecords(10, people, false);
  const naivePath = join(dir, "warm-up.json");
  const registryPath = join(dir, "warm-up");
  await writeOrchestratorFile(naivePath, records);
  await writeRegistryDirectory(registryPath, records);
  const warm = pool(registryPath);
  for (let i = 0; i < 3_000; i++) await reuse(warm);
  const sessions = coldSessions(registryPath);
  for (let i = 0; i < 300; i++) {
    await sessions.before();
    await sessions.decide();
  }
  await sessions.end();
  for (let i = 0; i < 50; i++) await naiveFindWorker(naivePath, TARGET.workerId, TARGET.model);
}

/** A worker this pool spawned itself, asked for again and again. */
export async function measureMemoryHit(): Promise<Summary> {
  const own = new WorkerPool({ backend: modelServerBackend(), registry: false, plugins: [new ExactModelPolicy()] });
  try {
    await own.getOrSpawn(REQUEST);
    // Steady state of a long-running orchestrator: the path is JIT-compiled before it is measured.
    return summarize(await sample(2_000, () => own.getOrSpawn(REQUEST), { warmup: 5_000 }));
  } finally {
    await own.stopAll();
  }
}
