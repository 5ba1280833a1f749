import { chmodSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DeviceRegistry } from "@modelpool/core";
import { tempDir, tempRegistryPath } from "@modelpool/test-utils";
import { expect, test } from "vitest";

const v1Worker = (workerId: string, extra: Record<string, unknown> = {}) => ({
  kind: "worker",
  workerId,
  pid: 999_999,
  startedAt: 1_764_000_000_000,
  updatedAt: 1_764_000_000_000,
  status: "ready",
  model: "m",
  ...extra,
});

// A v1 entry carrying `__proto__` is refused like a record file carrying it (never a candidate, never
// copied); an entry too big for a record file is not copied into one its reader would refuse forever;
// a source that cannot be read is reported as such (the CLI exits non-zero on it).
test("migrate copies only what the registry reads back, and reports a source it could not read", async () => {
  const dir = await tempDir();
  const source = join(dir, "orchestrator-device-registry.json");
  const proto = JSON.stringify(v1Worker("proto")).replace(/}$/, ',"__proto__":{"polluted":true}}');
  const big = JSON.stringify(v1Worker("big", { notes: "x".repeat(300 * 1024) }));
  const fine = JSON.stringify(v1Worker("fine"));
  writeFileSync(source, `{"version":1,"entries":[${proto},${big},${fine}]}\n`, { mode: 0o600 });
  const unreadableSource = join(dir, "other.json");
  writeFileSync(unreadableSource, `{"version":1,"entries":[${fine}]}\n`, { mode: 0o600 });
  chmodSync(unreadableSource, 0o666);

  const path = await tempRegistryPath();
  const registry = new DeviceRegistry({ path, legacySources: [source, unreadableSource] });
  expect((await registry.lookup("proto")).records).toEqual([]);
  const result = await registry.migrateLegacy();
  expect(result.copied.map((record) => record.workerId)).toEqual(["fine"]);
  expect(result.unreadableSources).toEqual([unreadableSource]);

  const copiedBack = await new DeviceRegistry({ path, legacySources: false }).scan();
  expect(copiedBack.records.map((record) => record.workerId)).toEqual(["fine"]);
  expect(copiedBack.unreadable).toEqual([]);
});
