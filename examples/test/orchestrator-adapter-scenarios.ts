// The orchestrator adapter's own behaviours, as plain async functions with node:assert: vitest runs each
// as a test (orchestrator-adapter.test.ts), and orchestrator-adapter.check.ts runs them all as a script
// under Node or Bun. No test framework here, so both runtimes run exactly the same checks.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  listRegistryFile,
  Orchestrator,
  type SpawnFn,
  spawnModelServer,
  type WorkerInstance,
  type WorkerProfile,
} from "../orchestrator-adapter.js";

export type Scenario = { name: string; run: () => Promise<void> };

const docs: WorkerProfile = { id: "docs", model: "openai/gpt-5-nano" };

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // A process that has exited but is not reaped yet is gone too.
  try {
    return !/\) Z /.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return process.platform !== "linux";
  }
}

async function waitUntil(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`not within 15 s: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** A fresh session: its own modelpool registry and config home (where the orchestrator writes its file). */
async function session(): Promise<{ home: string; registry: string; directory: string }> {
  const home = await mkdtemp(join(tmpdir(), "orchestrator-adapter-test-"));
  process.env.XDG_CONFIG_HOME = join(home, "config");
  return { home, registry: join(home, "registry"), directory: home };
}

/** The orchestrator's spawn function, counted. */
function countedSpawn(): { spawn: SpawnFn; calls: () => number; pids: number[] } {
  const pids: number[] = [];
  return {
    pids,
    calls: () => pids.length,
    spawn: async (profile, options) => {
      const instance = await spawnModelServer(profile, options);
      pids.push(instance.pid);
      return instance;
    },
  };
}

/** Runs `body` with an orchestrator, then shuts it down and checks that no worker it started runs on. */
async function withOrchestrator(
  body: (
    o: Orchestrator,
    spawned: ReturnType<typeof countedSpawn>,
    s: { registry: string; directory: string },
  ) => Promise<void>,
): Promise<void> {
  const s = await session();
  const spawned = countedSpawn();
  const orchestrator = new Orchestrator({ registry: s.registry, spawn: spawned.spawn });
  try {
    await body(orchestrator, spawned, s);
  } finally {
    await orchestrator.shutdown();
    for (const pid of spawned.pids) if (isRunning(pid)) process.kill(pid, "SIGKILL");
  }
  assert.equal(orchestrator.workers.size, 0, "shutdown empties the orchestrator's map");
}

export const scenarios: Scenario[] = [
  {
    name: "the same profile twice reuses its worker: one spawn, one map entry",
    run: () =>
      withOrchestrator(async (orchestrator, spawned, { directory }) => {
        const first = await orchestrator.getOrSpawn(docs, { directory });
        const second = await orchestrator.getOrSpawn(docs, { directory });
        assert.equal(second, first);
        assert.equal(spawned.calls(), 1);
        assert.deepEqual([...orchestrator.workers.keys()], ["docs"]);
        assert.equal(orchestrator.workers.get("docs"), first);
      }),
  },
  {
    name: "forceNew starts a new worker, which replaces the old one in the map; the old one is stopped",
    run: () =>
      withOrchestrator(async (orchestrator, spawned, { directory }) => {
        const old = await orchestrator.getOrSpawn(docs, { directory });
        const fresh = await orchestrator.getOrSpawn(docs, { directory, forceNew: true });
        assert.notEqual(fresh.pid, old.pid);
        assert.equal(spawned.calls(), 2);
        assert.equal(orchestrator.workers.get("docs"), fresh);
        await waitUntil(() => !isRunning(old.pid), "the replaced worker stopped");
        assert.ok(isRunning(fresh.pid));
      }),
  },
  {
    name: "a model change starts a new worker (never the old model's); the old one is stopped",
    run: () =>
      withOrchestrator(async (orchestrator, spawned, { directory }) => {
        const old = await orchestrator.getOrSpawn(docs, { directory });
        const changed = await orchestrator.getOrSpawn({ ...docs, model: "openai/gpt-5-mini" }, { directory });
        assert.notEqual(changed.pid, old.pid);
        assert.equal(changed.profile.model, "openai/gpt-5-mini");
        assert.equal(spawned.calls(), 2);
        assert.equal(orchestrator.workers.get("docs"), changed);
        await waitUntil(() => !isRunning(old.pid), "the old model's worker stopped");
      }),
  },
  {
    name: "five concurrent requests for one profile start one worker and all get it",
    run: () =>
      withOrchestrator(async (orchestrator, spawned, { directory }) => {
        const instances = await Promise.all([1, 2, 3, 4, 5].map(() => orchestrator.getOrSpawn(docs, { directory })));
        assert.equal(spawned.calls(), 1);
        assert.equal(new Set(instances.map((i) => i.pid)).size, 1);
        assert.deepEqual([...orchestrator.workers.keys()], ["docs"]);
      }),
  },
  {
    name: "its registry file lists its workers, and the next session reuses them (one candidate each)",
    run: async () => {
      const s = await session();
      const firstSpawns = countedSpawn();
      const first = new Orchestrator({ registry: s.registry, spawn: firstSpawns.spawn });
      const nextSpawns = countedSpawn();
      const next = new Orchestrator({ registry: s.registry, spawn: nextSpawns.spawn });
      try {
        const worker = await first.getOrSpawn(docs, { directory: s.directory });
        const listed = await listRegistryFile();
        assert.deepEqual(
          listed.map(({ workerId, pid, model }) => ({ workerId, pid, model })),
          [{ workerId: "docs", pid: worker.pid, model: docs.model }],
        );
        // The orchestrator's file and modelpool's record describe one worker: one candidate.
        const decision = await next.pool.explain({ workerId: "docs", fingerprint: { resolvedModel: docs.model } });
        assert.equal(decision.considered.length, 1);
        assert.equal(decision.outcome, "reused");

        const reused = await next.getOrSpawn(docs, { directory: s.directory });
        assert.equal(reused.pid, worker.pid);
        assert.equal(nextSpawns.calls(), 0);
        assert.equal(next.workers.get("docs"), reused);
      } finally {
        await next.shutdown();
        await first.shutdown();
        for (const pid of firstSpawns.pids) if (isRunning(pid)) process.kill(pid, "SIGKILL");
      }
    },
  },
  {
    name: "stop(profileId) stops its worker and removes it from the map and the registry file",
    run: () =>
      withOrchestrator(async (orchestrator, _spawned, { directory }) => {
        const worker = await orchestrator.getOrSpawn(docs, { directory });
        await orchestrator.stop("docs");
        assert.equal(orchestrator.workers.size, 0);
        assert.equal(worker.status, "stopped");
        assert.ok(!isRunning(worker.pid));
        assert.deepEqual(await listRegistryFile(), []);
      }),
  },
  {
    name: "a worker started before modelpool was wired in is adopted, then reused",
    run: () =>
      withOrchestrator(async (orchestrator, spawned, { directory }) => {
        const running: WorkerInstance = await spawnModelServer(docs, { directory });
        spawned.pids.push(running.pid); // killed at the end if still running
        await orchestrator.adopt(running);
        const instance = await orchestrator.getOrSpawn(docs, { directory });
        assert.equal(instance.pid, running.pid);
        assert.equal(spawned.pids.length, 1); // nothing spawned through the orchestrator
      }),
  },
];
