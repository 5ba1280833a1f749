import { setTimeout as sleep } from "node:timers/promises";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { processBackend, type ResolvedWorkerRequest, SpawnError, WorkerPool } from "@modelpool/core";
import { MODEL_WORKER_SCRIPT, runNodeScript } from "@modelpool/test-utils";
import { expect, onTestFinished, test, vi } from "vitest";

const TIMEOUT_MS = 3_000;
const request: ResolvedWorkerRequest = {
  workerId: "silent",
  fingerprint: { resolvedModel: "m", modelPolicy: "dynamic" },
  forceNew: false,
};

/** A worker that starts but never prints its ready line. */
const silentBackend = () =>
  processBackend({
    command: process.execPath,
    args: [MODEL_WORKER_SCRIPT],
    env: { WORKER_MODE: "silent" },
    ready: { stdout: /listening on (?<url>http:\/\/\S+)/ },
    timeoutMs: TIMEOUT_MS,
  });

/**
 * Collects garbage every 500 ms while the test runs: a timeout kept alive only by reference (a timeout
 * signal inside `AbortSignal.any`) is collected and never fires, which is the bug this file guards against.
 */
function underGcPressure(): void {
  setFlagsFromString("--expose-gc");
  const gc = runInNewContext("gc") as () => void;
  const timer = setInterval(gc, 500);
  onTestFinished(() => clearInterval(timer));
}

/**
 * Runs `work` and measures, from its start, when the timeout fired: the moment the worker got its first
 * real signal (observed on `process.kill`, which still sends it). That moment, not the settling that
 * follows (the kill confirmed, the exit reaped), is the timer's; on a loaded machine the rest takes longer.
 * `settled` is undefined if `work` had not settled within ten times the timeout: a timer that never
 * fires. How late a timer fires on a loaded machine is the machine's, not modelpool's: only "never" and
 * "early" are asserted.
 */
async function whenTimeoutFired(
  work: () => Promise<unknown>,
): Promise<{ firedMs: number | undefined; settled: { error: unknown } | undefined }> {
  const realKill = process.kill.bind(process);
  let firedAt: number | undefined;
  vi.spyOn(process, "kill").mockImplementation((pid, signal) => {
    if (signal !== 0) firedAt ??= performance.now();
    return realKill(pid, signal);
  });
  onTestFinished(() => {
    vi.restoreAllMocks();
  });
  const started = performance.now();
  const settled = await Promise.race([
    work().then(
      () => ({ error: undefined }),
      (error: unknown) => ({ error }),
    ),
    sleep(10 * TIMEOUT_MS).then(() => undefined),
  ]);
  return { firedMs: firedAt === undefined ? undefined : firedAt - started, settled };
}

test("processBackend's timeoutMs fires, never early, under GC pressure, awaited from the backend alone", async () => {
  underGcPressure();
  const caller = new AbortController();
  onTestFinished(() => caller.abort(new Error("test over")));

  const { firedMs, settled } = await whenTimeoutFired(() => silentBackend().spawn(request, { signal: caller.signal }));

  expect(settled?.error).toBeInstanceOf(SpawnError);
  expect(settled?.error).toMatchObject({ failure: "timeout" });
  expect(firedMs).toBeGreaterThanOrEqual(TIMEOUT_MS);
});

test("processBackend's timeoutMs fires, never early, under GC pressure, awaited from a pool", async () => {
  underGcPressure();
  const pool = new WorkerPool({ backend: silentBackend(), registry: false, spawnTimeoutMs: 60_000 });
  onTestFinished(() => pool.stopAll().then(() => undefined));

  const { firedMs, settled } = await whenTimeoutFired(() =>
    pool.getOrSpawn({ workerId: "silent", fingerprint: { resolvedModel: "m" } }),
  );

  expect(settled?.error).toMatchObject({ code: "SPAWN_FAILED", failure: "timeout" });
  expect(firedMs).toBeGreaterThanOrEqual(TIMEOUT_MS);
});

test("a script with nothing else to do waits for its spawn to time out instead of exiting with it pending", async () => {
  const { stdout } = await runNodeScript(new URL("./fixtures/spawn-that-times-out.ts", import.meta.url));

  expect(stdout).toContain("settled: timeout");
});
