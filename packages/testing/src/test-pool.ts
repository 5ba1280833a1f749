import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DeviceRegistry, terminateRecordedProcess, WorkerPool, type WorkerPoolOptions } from "@modelpool/core";
import { modelWorkerBackend } from "./model-worker.js";

/** Options of `createTestPool`: any pool option; `backend` defaults to the model worker. */
export type TestPoolOptions = Partial<WorkerPoolOptions>;

/** A pool on a registry of its own, and the cleanup that stops every worker it holds. */
export type TestPool = AsyncDisposable & {
  readonly pool: WorkerPool;
  /** The registry directory (in a fresh temp directory), for other processes or pools of the test to share. */
  readonly registryPath: string;
  /**
   * Stops every worker the pool spawned and every worker recorded in its registry on this host (spawned
   * by another pool or process of the test), closes the pool and removes the temp directory. Safe to
   * call twice; `await using` calls it.
   */
  cleanup(): Promise<void>;
};

/**
 * A pool for a test: real worker processes (the model worker unless `backend` says otherwise), a registry
 * in a temp directory of its own, and a `cleanup` that leaves nothing running. With vitest or `node:test`:
 * `const kit = createTestPool({ plugins: [new MyPolicy()] }); afterEach(() => kit.cleanup());`, or
 * `await using kit = createTestPool(...)`.
 */
export function createTestPool(options: TestPoolOptions = {}): TestPool {
  const dir = mkdtempSync(join(tmpdir(), "modelpool-testing-"));
  const registryPath = join(dir, "registry");
  const pool = new WorkerPool({ backend: modelWorkerBackend(), registry: registryPath, ...options });
  let done: Promise<void> | undefined;
  const cleanup = () => {
    done ??= (async () => {
      try {
        await pool.stopAll();
        await stopRecordedWorkers(registryPath);
        await pool.close();
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    })();
    return done;
  };
  return { pool, registryPath, cleanup, [Symbol.asyncDispose]: cleanup };
}

/**
 * Stops the workers recorded at `path` that run on this host: only through `terminateRecordedProcess`,
 * which signals a process only when it is provably the recorded one (pid and start time).
 */
export async function stopRecordedWorkers(path: string): Promise<void> {
  const registry = new DeviceRegistry({ path, legacySources: false });
  const records = await registry.list().catch(() => []);
  const here = records.filter(
    (record) => (record.host === undefined || record.host === registry.hostId) && record.status !== "stopped",
  );
  await Promise.all(here.map((record) => terminateRecordedProcess(record, 2_000)));
}
