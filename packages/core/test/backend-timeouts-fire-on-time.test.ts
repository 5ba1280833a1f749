import { setTimeout as sleep } from "node:timers/promises";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { processBackend, type ResolvedWorkerRequest, SpawnError, WorkerPool } from "@modelpool/core";
import { MODEL_WORKER_SCRIPT, runNodeScript } from "@modelpool/test-utils";
import { expect, onTestFinished, test } from "vitest";

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

/** How long `work` took to reject, or `undefined` if it had not settled within twice the timeout. */
async function msUntilRejected(work: () => Promise<unknown>): Promise<{ ms: number | undefined; error: unknown }> {
  const started = performance.now();
  const outcome = await Promise.race([
    work().then(
      () => ({ ms: performance.now() - started, error: undefined }),
      (error: unknown) => ({ ms: performance.now() - started, error }),
    ),
    sleep(2 * TIMEOUT_MS).then(() => ({ ms: undefined, error: undefined })),
  ]);
  return outcome;
}

test("processBackend's timeoutMs fires within 10% of its value, awaited from the backend alone", async () => {
  underGcPressure();
  const caller = new AbortController();
  onTestFinished(() => caller.abort(new Error("test over")));

  const { ms, error } = await msUntilRejected(() => silentBackend().spawn(request, { signal: caller.signal }));

  expect(error).toBeInstanceOf(SpawnError);
  expect(error).toMatchObject({ failure: "timeout" });
  expect(ms).toBeGreaterThanOrEqual(TIMEOUT_MS);
  expect(ms).toBeLessThanOrEqual(TIMEOUT_MS * 1.1);
});

test("processBackend's timeoutMs fires within 10% of its value, awaited from a pool", async () => {
  underGcPressure();
  const pool = new WorkerPool({ backend: silentBackend(), registry: false, spawnTimeoutMs: 60_000 });
  onTestFinished(() => pool.stopAll().then(() => undefined));

  const { ms, error } = await msUntilRejected(() =>
    pool.getOrSpawn({ workerId: "silent", fingerprint: { resolvedModel: "m" } }),
  );

  expect(error).toMatchObject({ code: "SPAWN_FAILED", failure: "timeout" });
  expect(ms).toBeGreaterThanOrEqual(TIMEOUT_MS);
  expect(ms).toBeLessThanOrEqual(TIMEOUT_MS * 1.1);
});

test("a script with nothing else to do waits for its spawn to time out instead of exiting with it pending", async () => {
  const { stdout } = await runNodeScript(new URL("./fixtures/spawn-that-times-out.ts", import.meta.url));

  expect(stdout).toContain("settled: timeout");
});
