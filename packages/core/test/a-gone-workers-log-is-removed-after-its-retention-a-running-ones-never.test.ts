import { existsSync } from "node:fs";
import { utimes, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { processBackend, WorkerPool } from "@modelpool/core";
import { MODEL_WORKER_SCRIPT, tempDir, tempRegistryPath } from "@modelpool/test-utils";
import { expect, onTestFinished, test } from "vitest";

const HOUR_MS = 3_600_000;

function poolLoggingTo(logDir: string, registry: string, logRetentionMs?: number) {
  const backend = processBackend({
    command: process.execPath,
    args: [MODEL_WORKER_SCRIPT],
    ready: { stdout: /listening on (?<url>http:\/\/\S+)/ },
    logDir,
    ...(logRetentionMs !== undefined ? { logRetentionMs } : {}),
  });
  const pool = new WorkerPool({ backend, registry });
  onTestFinished(() => pool.stopAll().then(() => undefined));
  return pool;
}

/** Makes a file look as if its last line was written `ms` ago. */
async function age(path: string, ms: number) {
  const then = new Date(Date.now() - ms);
  await utimes(path, then, then);
}

test("a spawn removes logs of gone workers older than the retention, and keeps recent ones and running workers' however old", async () => {
  const logDir = await tempDir();
  const registry = await tempRegistryPath();
  const pool = poolLoggingTo(logDir, registry);
  const running = await pool.getOrSpawn({ workerId: "running", fingerprint: { resolvedModel: "m" } });
  const runningLog = running.worker.logPath as string;
  expect(runningLog.startsWith(logDir)).toBe(true);
  expect(existsSync(runningLog)).toBe(true);
  // A log of a worker that is gone (a pid no process has), past the retention; one just written; one that never got a worker.
  const goneOld = join(logDir, "gone-1-1.pid-2147483646-1.log");
  const goneRecent = join(logDir, "gone-2-1.pid-2147483646-2.log");
  const noWorkerOld = join(logDir, "never-3-1.log");
  for (const path of [goneOld, goneRecent, noWorkerOld]) await writeFile(path, "output\n");
  await age(goneOld, 2 * HOUR_MS);
  await age(noWorkerOld, 2 * HOUR_MS);
  await age(runningLog, 10 * HOUR_MS);

  await pool.getOrSpawn({ workerId: "next", fingerprint: { resolvedModel: "m" } });

  expect(existsSync(goneOld)).toBe(false);
  expect(existsSync(noWorkerOld)).toBe(false);
  expect(existsSync(goneRecent)).toBe(true);
  expect(existsSync(runningLog)).toBe(true);
});

test("a stopped worker's log goes with the next spawn once its retention has passed", async () => {
  const logDir = await tempDir();
  const pool = poolLoggingTo(logDir, await tempRegistryPath(), 0);
  const first = await pool.getOrSpawn({ workerId: "docs", fingerprint: { resolvedModel: "m" } });
  await first.release();
  await pool.stop("docs");
  expect(existsSync(first.worker.logPath as string)).toBe(true);

  const second = await pool.getOrSpawn({ workerId: "docs", fingerprint: { resolvedModel: "m" } });

  expect(existsSync(first.worker.logPath as string)).toBe(false);
  expect(existsSync(second.worker.logPath as string)).toBe(true);
});
