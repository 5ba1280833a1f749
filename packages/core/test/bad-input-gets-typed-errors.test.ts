import {
  InvalidOptionsError,
  InvalidRequestError,
  InvalidVerdictError,
  ModelpoolError,
  WorkerPool,
} from "@modelpool/core";
import { testPool } from "@modelpool/test-utils";
import { expect, test } from "vitest";

test.each([
  [{ workerId: "", fingerprint: { resolvedModel: "m" } }, "workerId"],
  [{ workerId: "docs", fingerprint: { resolvedModel: "   " } }, "fingerprint.resolvedModel"],
  [{ workerId: "docs", fingerprint: { resolvedModel: "m", modelPolicy: "always" } }, "fingerprint.modelPolicy"],
  [{ workerId: "docs" }, "fingerprint"],
  [{ workerId: "a\nb", fingerprint: { resolvedModel: "m" } }, "workerId"],
])("request %j is refused with an InvalidRequestError naming %s, and nothing is spawned", async (request, field) => {
  const pool = testPool({ registry: false });

  const error = await pool.getOrSpawn(request as never).catch((e: unknown) => e);

  expect(error).toBeInstanceOf(InvalidRequestError);
  expect(error).toBeInstanceOf(ModelpoolError);
  expect(error).toMatchObject({ code: "INVALID_REQUEST", field });
  expect((error as Error).message).toContain(field);
  expect(pool.workers).toEqual([]);
});

test("a pool without a backend is refused with an InvalidOptionsError naming it", () => {
  expect(() => new WorkerPool({} as never)).toThrow(InvalidOptionsError);
  expect(() => new WorkerPool({} as never)).toThrow(/backend/);
});

test("a policy that returns something other than a verdict fails the request with InvalidVerdictError", async () => {
  const pool = testPool({ registry: false });
  pool.hooks.canReuse.tapPromise("BrokenPolicy", async () => ({ allow: "yes" }) as never);
  await pool.getOrSpawn({ workerId: "w", fingerprint: { resolvedModel: "m" } });

  const error = await pool.getOrSpawn({ workerId: "w", fingerprint: { resolvedModel: "m" } }).catch((e: unknown) => e);

  expect(error).toBeInstanceOf(InvalidVerdictError);
  expect((error as InvalidVerdictError).taps).toEqual(["BrokenPolicy"]);
});

test("a request carrying a prototype key is refused, not silently reshaped", async () => {
  const pool = testPool({ registry: false });
  const request = JSON.parse('{"workerId":"w","fingerprint":{"resolvedModel":"m","attributes":{"__proto__":{"x":1}}}}');

  const error = await pool.getOrSpawn(request).catch((e: unknown) => e);

  expect(error).toMatchObject({ code: "INVALID_REQUEST", field: "fingerprint.attributes.__proto__" });
  expect(pool.workers).toEqual([]);
});
