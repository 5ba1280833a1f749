import { readdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { CorruptRegistryError, DeviceRegistry, type PoolWarning } from "@modelpool/core";
import { SameModelTestPolicy, tempRegistryPath, testPool } from "@modelpool/test-utils";
import { expect, test } from "vitest";

const validV2 = `{"version":2,"updatedAt":1,"entries":[\n${JSON.stringify({
  kind: "worker",
  id: "a",
  workerId: "docs",
  pid: 1,
  status: "ready",
  startedAt: 1,
  updatedAt: 1,
})}\n]}\n`;

const corruptions: Record<string, string> = {
  empty: "",
  truncated: validV2.slice(0, validV2.length / 2),
  "one byte short": validV2.trimEnd().slice(0, -1),
  garbage: "\u0000\u0001not json at all",
  "wrong schema": JSON.stringify({ workers: [] }),
  "entries not an array": JSON.stringify({ version: 2, entries: {} }),
};

for (const [kind, bytes] of Object.entries(corruptions)) {
  test(`a ${kind} registry is moved aside with its bytes intact and reported with a typed error`, async () => {
    const path = await tempRegistryPath();
    await writeFile(path, bytes, { mode: 0o600 });
    const registry = new DeviceRegistry({ path });

    const error = await registry.list().catch((e: unknown) => e);

    expect(error).toBeInstanceOf(CorruptRegistryError);
    const quarantined = (error as CorruptRegistryError).quarantinedPath as string;
    expect(quarantined).toMatch(/registry\.json\.corrupt-/);
    expect(await readFile(quarantined, "utf8")).toBe(bytes);
    expect(await registry.list()).toEqual([]); // the path is free again, nothing overwritten
  });
}

test("the pool warns about a corrupt registry, keeps its bytes, and carries on", async () => {
  const path = await tempRegistryPath();
  await writeFile(path, corruptions.truncated as string, { mode: 0o600 });
  const pool = testPool({ registry: path, plugins: [new SameModelTestPolicy()] });
  const warnings: PoolWarning[] = [];
  pool.hooks.warning.tap("test", (warning) => {
    warnings.push(warning);
  });

  const lease = await pool.getOrSpawn({ workerId: "docs", fingerprint: { resolvedModel: "m" } });

  expect(lease.decision.outcome).toBe("spawned");
  expect(warnings.map((w) => w.code)).toContain("REGISTRY_CORRUPT");
  const files = await readdir(dirname(path));
  const aside = files.find((f) => f.startsWith("registry.json.corrupt-")) as string;
  expect(await readFile(join(dirname(path), aside), "utf8")).toBe(corruptions.truncated);
  expect((await new DeviceRegistry({ path }).list()).map((r) => r.id)).toEqual([lease.worker.id]);
});
