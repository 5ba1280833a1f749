import { processBackend, type ResolvedWorkerRequest, SpawnError } from "@modelpool/core";
import { isRunning, MODEL_WORKER_SCRIPT } from "@modelpool/test-utils";
import { expect, test } from "vitest";

const request: ResolvedWorkerRequest = {
  workerId: "silent",
  fingerprint: { resolvedModel: "m", modelPolicy: "dynamic" },
  forceNew: false,
};

test("processBackend calls onProcess with the child's pid before readiness, and stops it if never ready", async () => {
  const backend = processBackend({
    command: process.execPath,
    args: [MODEL_WORKER_SCRIPT],
    env: { WORKER_MODE: "silent" },
    ready: { stdout: /listening on/ },
    timeoutMs: 1_000,
  });
  const seen: Array<{ pid: number; running: boolean }> = [];

  const failure = await backend
    .spawn(request, {
      signal: new AbortController().signal,
      onProcess: ({ pid }) => seen.push({ pid, running: isRunning(pid) }),
    })
    .catch((error: unknown) => error);

  expect(failure).toBeInstanceOf(SpawnError);
  expect(seen).toHaveLength(1);
  expect(seen[0]?.running).toBe(true);
  expect(isRunning(seen[0]?.pid ?? 0)).toBe(false);
});
