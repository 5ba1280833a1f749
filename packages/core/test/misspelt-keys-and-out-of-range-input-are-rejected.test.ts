import { InvalidOptionsError, InvalidRequestError, WorkerPool } from "@modelpool/core";
import { modelWorkerBackend, tempRegistryPath, testPool } from "@modelpool/test-utils";
import { expect, test } from "vitest";

test("a misspelt option is refused with its key named, and a timeout no timer can honour is refused", async () => {
  const path = await tempRegistryPath();
  const backend = modelWorkerBackend();
  const misspelt = { backend, registry: path, idelTtlMs: 1_000 } as never;
  expect(() => new WorkerPool(misspelt)).toThrow(InvalidOptionsError);
  expect(() => new WorkerPool(misspelt)).toThrow(/idelTtlMs/);
  expect(() => new WorkerPool({ backend, registry: path, probeTimeoutMs: 2 ** 31 })).toThrow(/probeTimeoutMs/);
  expect(() => new WorkerPool({ backend, registry: path, idleTtlMs: 2 ** 31 })).toThrow(InvalidOptionsError);
});

test("a misspelt, cyclic, deeply nested or control-character request is an InvalidRequestError; nothing is spawned", async () => {
  const pool = testPool({ registry: await tempRegistryPath() });
  const fingerprint = { resolvedModel: "m" };
  const reject = (request: unknown) => pool.getOrSpawn(request as never).catch((error: unknown) => error);

  expect(await reject({ workerId: "docs", fingerprint, forcenew: true })).toMatchObject({
    code: "INVALID_REQUEST",
    message: expect.stringMatching(/forcenew/),
  });
  const cyclic: Record<string, unknown> = { workerId: "docs", fingerprint: { ...fingerprint } };
  (cyclic.fingerprint as Record<string, unknown>).attributes = { self: cyclic };
  expect(await reject(cyclic)).toBeInstanceOf(InvalidRequestError);
  let deep: Record<string, unknown> = {};
  for (let i = 0; i < 10_000; i++) deep = { nested: deep };
  expect(await reject({ workerId: "docs", fingerprint: { resolvedModel: "m", attributes: deep } })).toBeInstanceOf(
    InvalidRequestError,
  );
  expect(await reject({ workerId: "docs", fingerprint: { resolvedModel: "m\u0000x" } })).toBeInstanceOf(
    InvalidRequestError,
  );
  expect(await reject({ workerId: "do\ncs", fingerprint })).toBeInstanceOf(InvalidRequestError);
  expect(pool.workers).toHaveLength(0);
});
