import { PolicyTimeoutError, type WorkerPool } from "@modelpool/core";
import {
  runNodeScript,
  SameModelTestPolicy,
  stopRecordedWorkersAfterTest,
  tempRegistryPath,
  testPool,
} from "@modelpool/test-utils";
import { expect, test } from "vitest";

const request = { workerId: "docs", fingerprint: { resolvedModel: "m" } };

/** A tap that never answers, and a flag saying it was reached. */
function neverAnswers() {
  const state = { reached: false };
  const plugin = {
    apply(pool: WorkerPool) {
      pool.hooks.canReuse.tapPromise("NeverAnswers", () => {
        state.reached = true;
        return new Promise<never>(() => undefined);
      });
    },
  };
  return { plugin, state };
}

async function registryWithAWorker(): Promise<string> {
  const path = await tempRegistryPath();
  stopRecordedWorkersAfterTest(path);
  await runNodeScript(new URL("./fixtures/request-worker.ts", import.meta.url), [path, "docs", "m"]);
  return path;
}

const within = <T>(promise: Promise<T>, ms: number) =>
  Promise.race([
    promise,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`still pending after ${ms} ms`)), ms)),
  ]);

test("a request whose policy never answers ends when its signal aborts", { timeout: 60_000 }, async () => {
  const path = await registryWithAWorker();
  const { plugin } = neverAnswers();
  const pool = testPool({ registry: path, plugins: [new SameModelTestPolicy(), plugin] });
  const controller = new AbortController();
  const pending = pool.getOrSpawn({ ...request, signal: controller.signal });
  setTimeout(() => controller.abort(new Error("caller gave up")), 200);
  await expect(within(pending, 5_000)).rejects.toThrow("caller gave up");
});

test("stopAll() ends a request still waiting for a policy, and it never resolves with a worker", {
  timeout: 60_000,
}, async () => {
  const path = await registryWithAWorker();
  const { plugin, state } = neverAnswers();
  const pool = testPool({ registry: path, plugins: [new SameModelTestPolicy(), plugin] });
  const pending = pool.getOrSpawn(request);
  const outcome = pending.then(
    () => "resolved",
    () => "rejected",
  );
  while (!state.reached) await new Promise((resolve) => setTimeout(resolve, 10));
  await pool.stopAll();
  expect(await within(outcome, 5_000)).toBe("rejected");
});

test("a policy that does not answer within policyTimeoutMs fails the request with an error naming it", {
  timeout: 60_000,
}, async () => {
  const path = await registryWithAWorker();
  const { plugin } = neverAnswers();
  const pool = testPool({ registry: path, plugins: [new SameModelTestPolicy(), plugin], policyTimeoutMs: 300 });
  const error = await within(pool.getOrSpawn(request), 5_000).catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(PolicyTimeoutError);
  expect(error).toMatchObject({ code: "POLICY_TIMEOUT", tap: "NeverAnswers", timeoutMs: 300 });
});
