import { randomUUID } from "node:crypto";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DeviceRegistry, isNotARegistryError, NotARegistryError } from "@modelpool/core";
import { testPool, workersOfModel } from "@modelpool/test-utils";
import { expect, test } from "vitest";

// `registry: "/tmp/demo.json"` most likely names an orchestrator's JSON registry that does not exist yet.
// A directory created there would stand where that program later writes its file: refused with a typed
// error naming the path, before anything is created or spawned.
test("a missing registry path named like a .json file is refused, nothing created and nothing spawned", {
  timeout: 30_000,
}, async () => {
  const path = join(mkdtempSync(join(tmpdir(), "modelpool-json-name-")), "demo.json");
  const model = `json-name-${randomUUID()}`;
  const pool = testPool({ registry: path });
  const error = await pool.getOrSpawn({ workerId: "docs", fingerprint: { resolvedModel: model } }).catch((e) => e);
  expect(isNotARegistryError(error)).toBe(true);
  expect((error as NotARegistryError).path).toBe(path);
  expect(String(error)).toMatch(/legacySources/);
  expect(existsSync(path)).toBe(false);
  expect(workersOfModel(model)).toEqual([]);
  await expect(
    new DeviceRegistry({ path }).put({
      kind: "worker",
      id: "w1",
      workerId: "docs",
      pid: 999_999,
      status: "ready",
      fingerprint: { resolvedModel: model, modelPolicy: "dynamic" },
      startedAt: Date.now(),
      updatedAt: Date.now(),
    }),
  ).rejects.toBeInstanceOf(NotARegistryError);
  expect(existsSync(path)).toBe(false);
});
