import { lstatSync, readdirSync } from "node:fs";
import { chmod, chown } from "node:fs/promises";
import { join } from "node:path";
import { DeviceRegistry, UnsafeRegistryPermissionsError, type WorkerRecord } from "@modelpool/core";
import { SameModelTestPolicy, tempDir, tempRegistryPath, testPool } from "@modelpool/test-utils";
import { expect, test } from "vitest";
import { liveRecord, record, recordFile, snapshotTree } from "./fixtures/registry-files.js";

const isRoot = process.getuid?.() === 0;

/** A registry with one record, then its directory set to `mode` (chmod, so the umask plays no part). */
async function registryWithMode(mode: number): Promise<string> {
  const path = await tempRegistryPath();
  await new DeviceRegistry({ path }).put(record({ id: "a", workerId: "docs" }));
  await chmod(path, mode);
  return path;
}

test.each([
  ["0777", 0o777],
  ["1777 (sticky, as /tmp)", 0o1777],
  ["0770 (group-writable)", 0o770],
  ["0730", 0o730],
  ["0702 (others may write, not read)", 0o702],
])(
  "a registry directory of mode %s is refused for reading and writing, naming the fix, and left as it is",
  async (_name, mode) => {
    const path = await registryWithMode(mode);
    const before = snapshotTree(path);
    const registry = new DeviceRegistry({ path });

    const attempts = await Promise.all(
      [
        () => registry.lookup("docs"),
        () => registry.scan(),
        () => registry.list(),
        () => registry.put(record({ id: "b", workerId: "docs" })),
        () => registry.update({ workerId: "docs", id: "a" }, (current) => current),
        () => registry.prune(),
        () =>
          registry.acquireClaim({ key: "k", workerId: "docs", owner: { pid: process.pid, host: "h" }, ttlMs: 1_000 }),
      ].map((attempt) =>
        attempt().then(
          () => "resolved",
          (e: unknown) => e,
        ),
      ),
    );

    for (const error of attempts) {
      expect(error).toBeInstanceOf(UnsafeRegistryPermissionsError);
      expect(error).toMatchObject({
        code: "REGISTRY_UNSAFE_PERMISSIONS",
        path,
        message: expect.stringMatching(/chmod/),
      });
    }
    expect((attempts[0] as UnsafeRegistryPermissionsError).mode & 0o7777).toBe(mode);
    expect(snapshotTree(path)).toEqual(before);
  },
);

test.skipIf(!isRoot)("a registry directory owned by another user is refused, naming the fix", async () => {
  const path = await registryWithMode(0o700);
  await chown(path, 12345, 12345);
  const before = snapshotTree(path);

  const read = await new DeviceRegistry({ path }).lookup("docs").catch((e: unknown) => e);
  const write = await new DeviceRegistry({ path }).put(record({ id: "b", workerId: "docs" })).catch((e: unknown) => e);

  for (const error of [read, write]) {
    expect(error).toBeInstanceOf(UnsafeRegistryPermissionsError);
    expect(error).toMatchObject({ ownerUid: 12345, message: expect.stringMatching(/another user.*chown/) });
  }
  expect(snapshotTree(path)).toEqual(before);
});

test("a pool refuses an unsafe registry with the typed error and starts no worker", async () => {
  const path = await registryWithMode(0o777);
  const pool = testPool({ registry: path, plugins: [new SameModelTestPolicy()] });

  const error = await pool.getOrSpawn({ workerId: "docs", fingerprint: { resolvedModel: "m" } }).catch((e) => e);

  expect(error).toBeInstanceOf(UnsafeRegistryPermissionsError);
  expect(pool.workers).toEqual([]);
  expect(pool.stats()).toMatchObject({ spawns: { succeeded: 0, failed: 0 } });
});

test("record files another user may write, or owns, are reported and never reused", async () => {
  const path = await tempRegistryPath();
  const registry = new DeviceRegistry({ path });
  const writable = await registry.put(liveRecord({ id: "writable", workerId: "docs" }));
  await registry.put(liveRecord({ id: "foreign", workerId: "docs" }));
  await chmod(recordFile(path, "docs", "writable"), 0o666);
  if (isRoot) await chown(recordFile(path, "docs", "foreign"), 12345, 12345);
  else await registry.remove({ workerId: "docs", id: "foreign" });

  const read = await registry.lookup("docs");

  expect(read.records).toEqual([]);
  expect(read.unreadable).toEqual(
    [
      ...(isRoot
        ? [
            {
              location: recordFile(path, "docs", "foreign"),
              reason: expect.stringMatching(/another user \(uid 12345\)/),
            },
          ]
        : []),
      { location: recordFile(path, "docs", "writable"), reason: expect.stringMatching(/other users may write it/) },
    ].sort((a, b) => a.location.localeCompare(b.location)),
  );
  expect(writable.id).toBe("writable");
});

test("everything the registry creates is 0700 (directories) or 0600 (files), whatever the umask", async () => {
  const parent = await tempDir();
  const path = join(parent, "deep", "registry");
  let previous: number | undefined;
  try {
    previous = process.umask(0); // the modes must be asked for, not left to the umask
  } catch {
    // worker threads cannot change the umask: the default one still shows the modes asked for
  }
  try {
    const registry = new DeviceRegistry({ path });
    const a: WorkerRecord = await registry.put(record({ id: "a", workerId: "docs" }));
    await registry.put(record({ id: "b", workerId: "code" }));
    await registry.update(a, (current) => ({ ...current, updatedAt: current.updatedAt + 1 }));
    const claim = await registry.acquireClaim({
      key: "spawn docs",
      workerId: "docs",
      owner: { pid: process.pid, host: registry.hostId },
      ttlMs: 10_000,
    });
    if (claim.acquired) await registry.renewClaim(claim.claim, 10_000);
  } finally {
    if (previous !== undefined) process.umask(previous);
  }

  const modes: Record<string, string> = {};
  const visit = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const full = join(dir, name);
      const stats = lstatSync(full);
      modes[full.slice(path.length)] =
        `${stats.isDirectory() ? "d" : stats.isFile() ? "f" : "?"}${(stats.mode & 0o7777).toString(8)}`;
      if (stats.isDirectory()) visit(full);
    }
  };
  visit(path);
  modes["/"] = `d${(lstatSync(path).mode & 0o7777).toString(8)}`;

  expect(Object.keys(modes).length).toBeGreaterThan(8);
  for (const [name, mode] of Object.entries(modes)) {
    expect({ name, mode }).toEqual({ name, mode: mode.startsWith("d") ? "d700" : "f600" });
  }
  // The registry's own parents it had to create are private too.
  expect(lstatSync(join(parent, "deep")).mode & 0o777).toBe(0o700);
});
