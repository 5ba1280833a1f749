import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { DeviceRegistry, type PoolWarning, RegistryVersionError } from "@modelpool/core";
import { SameModelTestPolicy, tempRegistryPath, testPool } from "@modelpool/test-utils";
import { expect, test } from "vitest";
import { main } from "../../cli/src/main.js";
import { record, recordFile, snapshotTree } from "./fixtures/registry-files.js";

/** A registry a modelpool of format version 4 wrote: its marker says so, its records carry a field we do not know. */
async function version4Registry(): Promise<string> {
  const path = await tempRegistryPath();
  const registry = new DeviceRegistry({ path });
  await registry.put({ ...record({ id: "dead", workerId: "docs" }), future: { x: 1 } });
  await writeFile(join(path, "format.json"), `${JSON.stringify({ format: "modelpool-registry", version: 4 })}\n`, {
    mode: 0o600,
  });
  return path;
}

test("a registry of a newer format version is read, but every write is refused with a typed error and nothing changes", async () => {
  const path = await version4Registry();
  const before = snapshotTree(path);
  const registry = new DeviceRegistry({ path });

  const lookup = await registry.lookup("docs");
  const scan = await registry.scan();
  const writes = await Promise.all(
    [
      () => registry.put(record({ id: "new", workerId: "docs" })),
      () => registry.update({ workerId: "docs", id: "dead" }, (current) => ({ ...current, updatedAt: 2 })),
      () => registry.remove({ workerId: "docs", id: "dead" }),
      () => registry.remove("dead"),
      () => registry.prune(), // "dead" is stale: pruning it would be a write
      () => registry.acquireClaim({ key: "k", workerId: "docs", owner: { pid: process.pid, host: "h" }, ttlMs: 1_000 }),
      () => registry.migrateLegacy(),
    ].map((write) =>
      write().then(
        (value) => ({ resolved: value }),
        (e: unknown) => e,
      ),
    ),
  );

  expect(lookup.records).toEqual([expect.objectContaining({ id: "dead", future: { x: 1 } })]);
  expect(lookup.unreadable).toEqual([]);
  expect(scan.records.map((r) => r.id)).toEqual(["dead"]);
  // migrateLegacy has nothing to copy here (no legacy sources): it may resolve, but must not write.
  for (const error of writes.slice(0, 6)) {
    expect(error).toBeInstanceOf(RegistryVersionError);
    expect(error).toMatchObject({ code: "REGISTRY_TOO_NEW", version: 4, supportedVersion: 3, path });
  }
  expect(await registry.readClaim("k")).toBeUndefined();
  expect(snapshotTree(path)).toEqual(before);
});

test("a pool warns REGISTRY_READ_ONLY over a newer registry, still reuses what it reads and still spawns, and changes nothing there", {
  timeout: 60_000,
}, async () => {
  const path = await version4Registry();
  // A live worker another (newer) modelpool recorded.
  const outside = testPool({ registry: false });
  const live = (await outside.getOrSpawn({ workerId: "docs", fingerprint: { resolvedModel: "m" } })).worker;
  await writeFile(recordFile(path, "docs", "live"), `${JSON.stringify({ ...live, id: "live", future: true })}\n`, {
    mode: 0o600,
  });
  const before = snapshotTree(path);
  const pool = testPool({ registry: path, plugins: [new SameModelTestPolicy()] });
  const warnings: PoolWarning[] = [];
  pool.hooks.warning.tap("test", (warning) => {
    warnings.push(warning);
  });

  const reused = await pool.getOrSpawn({ workerId: "docs", fingerprint: { resolvedModel: "m" } });
  const spawned = await pool.getOrSpawn({ workerId: "docs", fingerprint: { resolvedModel: "other" } });
  await reused.release();
  await spawned.release();
  await pool.stopAll();
  const cli = await runCli("prune", "--registry", path, "--json");

  expect(reused.decision.outcome).toBe("reused");
  expect(reused.worker).toMatchObject({ id: "live", pid: live.pid });
  expect(spawned.decision.outcome).toBe("spawned");
  expect(warnings.length).toBeGreaterThan(0);
  expect(new Set(warnings.map((w) => w.code))).toEqual(new Set(["REGISTRY_READ_ONLY"]));
  expect(warnings[0]?.message).toMatch(/version 4.*read-only/);
  expect(cli.code).toBe(1);
  expect(JSON.parse(cli.err).error).toMatchObject({ code: "REGISTRY_TOO_NEW" });
  expect(snapshotTree(path)).toEqual(before);
});

async function runCli(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(
    argv,
    (t) => out.push(t),
    (t) => err.push(t),
  );
  return { code, out: out.join("\n"), err: err.join("\n") };
}
