// The reuse decision measured in one long-running process, side by side with the baseline (the seed
// orchestrator's lookup) and the floor, on the same records. Every measure checks its premise on the
// registry's own files before and after each timed decision, and the bench fails when it does not hold.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { DeviceRegistry, type WorkerBackend, type WorkerLease, WorkerPool } from "@modelpool/core";
import { ExactModelPolicy } from "@modelpool/policy-exact";
import { floorDecision, floorRelease } from "./floor.js";
import { heldLeaseEntries, premise } from "./leases.js";
import { naiveFindWorker } from "./naive-registry.js";
import {
  bystanders,
  fixtureRecords,
  TARGET,
  writeOrchestratorFile,
  writeRegistryDirectory,
} from "./registry-fixture.js";
import { sample, summarize } from "./stats.js";

/** Decisions only: the lookup is measured without a network probe (a real probe is measured apart). */
const NO_PROBE_BACKEND: WorkerBackend = {
  name: "bench",
  spawn: () => Promise.reject(new Error("the bench never spawns")),
};
const REQUEST = { workerId: TARGET.workerId, fingerprint: { resolvedModel: TARGET.model } };

export type Summary = { median: number; p95: number; runs: number };
export type DecisionRow = {
  size: number;
  baseline: Summary;
  floor: Summary;
  cold: Summary;
  afterChange: Summary;
  warmReleased: Summary;
  warmHeld: Summary;
  checks: number;
};

const summary = (samples: number[]): Summary => ({ ...summarize(samples), runs: samples.length });

export const newPool = (path: string) =>
  new WorkerPool({
    backend: NO_PROBE_BACKEND,
    registry: new DeviceRegistry({ path, legacySources: false }),
    plugins: [new ExactModelPolicy()],
  });

async function reuse(pool: WorkerPool): Promise<WorkerLease> {
  const lease = await pool.getOrSpawn(REQUEST);
  if (lease.decision.outcome !== "reused") throw new Error(`expected a reuse, got ${lease.decision.reason}`);
  return lease;
}

/** Another OS process that rewrites the target's record when asked (change-child.ts). */
async function changer(registryPath: string): Promise<{ change(): Promise<void>; stop(): void }> {
  const child: ChildProcess = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      "--conditions=@modelpool/source",
      fileURLToPath(new URL("./change-child.ts", import.meta.url)),
      registryPath,
    ],
    { stdio: ["pipe", "pipe", "inherit"] },
  );
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream })[Symbol.asyncIterator]();
  const next = async () => {
    const line = await lines.next();
    if (line.done) throw new Error("the changing process exited");
    return line.value;
  };
  premise((await next()) === "ready", "the changing process started");
  return {
    change: async () => {
      child.stdin?.write("change\n");
      premise((await next()).startsWith("changed "), "another process changed the record");
    },
    stop: () => {
      child.kill("SIGKILL");
    },
  };
}

/**
 * At each size, on the same records: the baseline's lookup; the floor; and modelpool's decision
 * - cold: a new session (new registry instance, new pool) that writes its lease before answering — the
 *   previous session released its lease and closed (untimed), checked on disk before and after each;
 * - after another process's change: a long-lived pool whose lease was released (untimed), right after
 *   another OS process rewrote the record;
 * - warm, released: a long-lived pool, its lease released (untimed) after each decision, written again by the next;
 * - warm, held: a long-lived pool that keeps every lease (its one lease entry counts them).
 */
export async function measureDecisions(dir: string, sizes: readonly number[], scale = 1): Promise<DecisionRow[]> {
  const people = bystanders();
  const rows: DecisionRow[] = [];
  let checks = 0;
  const check = (holds: boolean, what: string) => {
    premise(holds, what);
    checks++;
  };
  try {
    for (const size of [10, ...sizes]) {
      const warmUp = rows.length === 0 && size === 10 && checks === 0;
      const records = fixtureRecords(size, people, false);
      const naivePath = join(dir, `decide-${size}-${warmUp}.json`);
      const registryPath = join(dir, `decide-${size}-${warmUp}`);
      const leaseDir = join(dir, `floor-leases-${size}-${warmUp}`);
      mkdirSync(leaseDir);
      await writeOrchestratorFile(naivePath, records);
      await writeRegistryDirectory(registryPath, records);
      const recordDir = join(registryPath, "workers", TARGET.workerId);
      const held = () => heldLeaseEntries(registryPath, TARGET.workerId);
      // The first pass at 10 records is a warm-up (JIT), not reported.
      const runs = Math.max(5, Math.round((warmUp ? 100 : size >= 10_000 ? 15 : size >= 1_000 ? 40 : 150) * scale));
      const many = Math.max(5, Math.round((warmUp ? 300 : 200) * scale));

      const baseline = await sample(runs, async () => {
        if (!(await naiveFindWorker(naivePath, TARGET.workerId, TARGET.model)))
          throw new Error("baseline found nothing");
      });

      let lease = "";
      const floor = await sample(
        many,
        () => {
          lease = floorDecision(recordDir, leaseDir, "entry-0");
        },
        { after: () => floorRelease(lease) },
      );

      let session: { pool: WorkerPool; lease?: WorkerLease } | undefined;
      const endSession = async () => {
        await session?.lease?.release();
        await session?.pool.close();
        session = undefined;
      };
      const cold = await sample(
        many,
        async () => {
          if (!session) throw new Error("no session");
          session.lease = await reuse(session.pool);
        },
        {
          before: async () => {
            await endSession();
            check(held() === 0, "a cold session starts with no lease of this process on disk");
            session = { pool: newPool(registryPath) };
          },
          after: () => check(held() === 1, "a cold decision wrote its lease"),
        },
      );
      await endSession();

      const longLived = newPool(registryPath);
      let last: WorkerLease | undefined;
      const other = await changer(registryPath);
      let afterChange: number[];
      try {
        afterChange = await sample(
          many,
          async () => {
            last = await reuse(longLived);
          },
          {
            before: async () => {
              await last?.release();
              check(held() === 0, "the lease before a change was released");
              await other.change();
            },
            after: () => check(held() === 1, "the decision after a change wrote its lease"),
          },
        );
      } finally {
        other.stop();
      }
      const warmReleased = await sample(
        many * 5,
        async () => {
          last = await reuse(longLived);
        },
        {
          before: async () => {
            await last?.release();
            last = undefined;
          },
          after: () => check(held() === 1, "a warm decision whose lease was released wrote its lease again"),
        },
      );
      await last?.release();
      const kept: WorkerLease[] = [];
      const warmHeld = await sample(many * 5, async () => {
        kept.push(await reuse(longLived));
      });
      check(held() === 1, "a warm pool holding its leases has one lease entry on disk");
      for (const lease of kept) await lease.release();
      await longLived.close();
      check(held() === 0, "every lease was released");
      if (warmUp) continue;
      rows.push({
        size,
        baseline: summary(baseline),
        floor: summary(floor),
        cold: summary(cold),
        afterChange: summary(afterChange),
        warmReleased: summary(warmReleased),
        warmHeld: summary(warmHeld),
        checks,
      });
    }
  } finally {
    people.stop();
  }
  return rows;
}

/** A worker this pool spawned itself, asked for again and again (no registry on the way). */
export async function measureMemoryHit(): Promise<Summary> {
  const { modelServerBackend } = await import("../examples/worker/backend.js");
  const own = new WorkerPool({ backend: modelServerBackend(), registry: false, plugins: [new ExactModelPolicy()] });
  try {
    await own.getOrSpawn(REQUEST);
    return summary(await sample(2_000, () => own.getOrSpawn(REQUEST), { warmup: 5_000 }));
  } finally {
    await own.stopAll();
  }
}
