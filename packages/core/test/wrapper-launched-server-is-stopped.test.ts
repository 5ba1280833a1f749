import { readdirSync, readFileSync } from "node:fs";
import { processBackend, SpawnError, terminateRecordedProcess, WorkerPool } from "@modelpool/core";
import { isRunning, MODEL_WORKER_SCRIPT, waitUntil } from "@modelpool/test-utils";
import { expect, onTestFinished, test } from "vitest";

/** A worker launched the way many are: a script starts the server in the background, then exits. */
function wrapperPool(): WorkerPool {
  const backend = processBackend({
    name: "wrapper",
    command: "sh",
    args: ["-c", `"${process.execPath}" "${MODEL_WORKER_SCRIPT}" & sleep 1; exit 0`],
    ready: { stdout: /listening on (?<url>http:\/\/\S+)/ },
    timeoutMs: 15_000,
    stopGraceMs: 1_000,
  });
  const pool = new WorkerPool({ backend, registry: false });
  onTestFinished(() => pool.stopAll().then(() => undefined));
  return pool;
}

/** Spawns through the wrapper, then waits until the wrapper (the recorded pid) has exited and the server runs alone. */
async function serverLeftByItsWrapper(pool: WorkerPool) {
  const lease = await pool.getOrSpawn({ workerId: "wrapped", fingerprint: { resolvedModel: "m" } });
  const health = await fetch(`${lease.worker.url}/health`, { headers: { connection: "close" } });
  const { pid: serverPid } = (await health.json()) as { pid: number };
  onTestFinished(() => {
    if (isRunning(serverPid)) process.kill(serverPid, "SIGKILL");
  });
  await waitUntil(() => !isRunning(lease.worker.pid));
  expect(isRunning(serverPid)).toBe(true);
  return { worker: lease.worker, serverPid };
}

test("stopAll() stops a server whose wrapper script has already exited", async () => {
  const pool = wrapperPool();
  const { serverPid } = await serverLeftByItsWrapper(pool);

  await pool.stopAll();

  expect(isRunning(serverPid)).toBe(false);
});

test("terminateRecordedProcess stops it too, and reports what it stopped", async () => {
  const pool = wrapperPool();
  const { worker, serverPid } = await serverLeftByItsWrapper(pool);

  const report = await terminateRecordedProcess(worker, 1_000);

  expect(report.outcome).toBe("stopped");
  expect(report.signalled.map((process) => process.pid)).toContain(serverPid);
  expect(report.reason).toMatch(/has exited, but pid \d+, started in its session/);
  expect(isRunning(serverPid)).toBe(false);
});

/** Live processes whose session is `sid` (field 6 of /proc/<pid>/stat). */
function liveInSession(sid: number): number[] {
  return readdirSync("/proc")
    .filter((name) => /^\d+$/.test(name))
    .map(Number)
    .filter((pid) => {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, "latin1");
        return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[3]) === sid && isRunning(pid);
      } catch {
        return false;
      }
    });
}

test("a wrapper that exits before its server is ready fails the spawn, and the server is stopped with it", async () => {
  const backend = processBackend({
    name: "wrapper-exits-at-once",
    command: "sh",
    args: ["-c", `"${process.execPath}" "${MODEL_WORKER_SCRIPT}" & exit 0`],
    ready: { stdout: /listening on (?<url>http:\/\/\S+)/ },
    timeoutMs: 15_000,
  });
  let leader = 0;
  onTestFinished(() => {
    for (const pid of leader > 0 ? liveInSession(leader) : []) process.kill(pid, "SIGKILL");
  });

  const failure = await backend
    .spawn(
      { workerId: "wrapped", fingerprint: { resolvedModel: "m", modelPolicy: "dynamic" }, forceNew: false },
      { signal: new AbortController().signal, onProcess: ({ pid }) => (leader = pid) },
    )
    .catch((error: unknown) => error);

  expect(failure).toBeInstanceOf(SpawnError);
  expect(failure).toMatchObject({ failure: "exited", exitCode: 0 });
  await waitUntil(() => liveInSession(leader).length === 0, 5_000);
});
