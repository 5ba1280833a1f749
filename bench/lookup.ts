import { chmod, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { type WorkerBackend, WorkerPool } from "@modelpool/core";
import { ExactModelPolicy } from "@modelpool/policy-exact";
import { modelServerBackend } from "../examples/worker/backend.js";
import { naiveFindWorker } from "./naive-registry.js";
import { bystanders, registryText } from "./registry-fixture.js";
import { sample, summarize } from "./stats.js";

/** Decisions only: the lookup is measured without a network probe (section 4 measures a real probe). */
const NO_PROBE_BACKEND: WorkerBackend = {
  name: "bench",
  spawn: () => Promise.reject(new Error("the bench never spawns")),
};
const REQUEST = { workerId: "target", fingerprint: { resolvedModel: "openai/gpt-5-mini" } };

export type LookupRow = {
  size: number;
  halfDead: boolean;
  naive: { median: number; p95: number };
  modelpool: { median: number; p95: number };
};

export async function measureLookups(dir: string, sizes: readonly number[]): Promise<LookupRow[]> {
  const people = bystanders();
  const rows: LookupRow[] = [];
  try {
    await warmUp(dir, people);
    for (const halfDead of [false, true]) {
      for (const size of sizes) {
        const text = registryText(size, "target", people, halfDead);
        const naivePath = join(dir, `naive-${size}-${halfDead}.json`);
        const poolPath = join(dir, `pool-${size}-${halfDead}.json`);
        await writeFile(naivePath, text);
        await writeFile(poolPath, text);
        await chmod(poolPath, 0o600);
        const runs = size >= 10_000 ? 15 : size >= 1_000 ? 40 : 150;
        // Half dead: the baseline prunes, so its file is restored (untimed) before every lookup.
        const restore = halfDead ? () => writeFile(naivePath, text) : undefined;
        const naive = await sample(
          runs,
          async () => naiveFindWorker(naivePath, "target"),
          restore ? { before: restore } : {},
        );
        const pool = new WorkerPool({
          backend: NO_PROBE_BACKEND,
          registry: poolPath,
          plugins: [new ExactModelPolicy()],
        });
        // Steady state: the first reuse records this process's lease in the registry; let that write
        // land and the registry's racy window (100 ms after a write) pass, as in a long-running session.
        await pool.getOrSpawn(REQUEST);
        await pool.settled();
        await sleep(150);
        const modelpool = await sample(
          Math.max(runs, 500),
          async () => {
            const lease = await pool.getOrSpawn(REQUEST);
            if (lease.decision.outcome !== "reused") throw new Error(`expected a reuse, got ${lease.decision.reason}`);
          },
          { warmup: 300 }, // steady state of a long-lived orchestrator, JIT-compiled
        );
        rows.push({ size, halfDead, naive: summarize(naive), modelpool: summarize(modelpool) });
      }
    }
  } finally {
    people.stop();
  }
  return rows;
}

/**
 * Runs the lookup path a few thousand times before anything is measured, so that the first size in the
 * table is not the one that pays for JIT compilation (a long-running orchestrator is past that too).
 */
async function warmUp(dir: string, people: ReturnType<typeof bystanders>): Promise<void> {
  const path = join(dir, "warm-up.json");
  await writeFile(path, registryText(10, "target", people, false));
  await chmod(path, 0o600);
  const pool = new WorkerPool({ backend: NO_PROBE_BACKEND, registry: path, plugins: [new ExactModelPolicy()] });
  for (let i = 0; i < 5_000; i++) await pool.getOrSpawn(REQUEST);
  await pool.settled();
  for (let i = 0; i < 20; i++) await naiveFindWorker(path, "target");
}

/** A worker this pool spawned itself, asked for again and again. */
export async function measureMemoryHit(): Promise<{ median: number; p95: number }> {
  const pool = new WorkerPool({ backend: modelServerBackend(), registry: false, plugins: [new ExactModelPolicy()] });
  try {
    await pool.getOrSpawn(REQUEST);
    // Steady state of a long-running orchestrator: the path is JIT-compiled before it is measured.
    return summarize(await sample(2_000, () => pool.getOrSpawn(REQUEST), { warmup: 5_000 }));
  } finally {
    await pool.stopAll();
  }
}
