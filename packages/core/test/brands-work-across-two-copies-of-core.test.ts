import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import * as thisCopy from "@modelpool/core";
import { beforeAll, expect, test } from "vitest";

// The built dist is a second, separate copy of core's code (tests import the sources), as when an
// application and a policy each end up with their own installed @modelpool/core.
const DIST = new URL("../dist/index.js", import.meta.url);
let otherCopy: typeof thisCopy;

beforeAll(async () => {
  if (!existsSync(fileURLToPath(DIST))) throw new Error("packages/core/dist is missing: run `npm run build` first");
  otherCopy = (await import(DIST.href)) as typeof thisCopy;
  expect(otherCopy.ModelpoolError).not.toBe(thisCopy.ModelpoolError); // really two copies
});

test("an error thrown by another copy of core is recognised by this copy's guards, where instanceof fails", () => {
  const error = new otherCopy.SpawnError("coder", "timeout", "not ready within 10 ms");

  expect(error instanceof thisCopy.ModelpoolError).toBe(false);
  expect(thisCopy.isModelpoolError(error)).toBe(true);
  expect(thisCopy.isSpawnError(error)).toBe(true);
  expect(thisCopy.isLockTimeoutError(error)).toBe(false);
});

test("a look-alike with a code but no brand is not taken for a modelpool error", () => {
  const impostor = Object.assign(new Error("nope"), { code: "SPAWN_FAILED" });
  expect(thisCopy.isModelpoolError(impostor)).toBe(false);
  expect(thisCopy.isSpawnError(impostor)).toBe(false);
});

test("a pool made by another copy of core is a WorkerPool to this copy; a look-alike is not", () => {
  const pool = new otherCopy.WorkerPool({
    backend: { name: "never", spawn: () => Promise.reject(new Error("never spawns")) },
    registry: false,
  });

  expect(pool instanceof thisCopy.WorkerPool).toBe(false);
  expect(thisCopy.isWorkerPool(pool)).toBe(true);
  expect(thisCopy.isWorkerPool({ hooks: pool.hooks })).toBe(false);
});

test("a registry made by another copy of core is accepted by this copy's pool", async () => {
  const registry = new otherCopy.DeviceRegistry({
    path: fileURLToPath(new URL("./.no-such-dir/registry.json", import.meta.url)),
  });
  const pool = new thisCopy.WorkerPool({
    backend: { name: "never", spawn: () => Promise.reject(new Error("never spawns")) },
    registry,
  });
  expect(pool.registry).toBe(registry);
});
