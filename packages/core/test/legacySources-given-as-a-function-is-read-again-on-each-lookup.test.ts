import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { DeviceRegistry } from "@modelpool/core";
import { tempDir, tempRegistryPath } from "@modelpool/test-utils";
import { expect, test } from "vitest";

/** An orchestrator file under a config home, as the orchestrator computes its path on each call. */
async function orchestratorFileUnder(configHome: string, pid: number): Promise<void> {
  await mkdir(join(configHome, "opencode"), { recursive: true });
  const entry = {
    kind: "worker",
    workerId: "docs",
    pid,
    status: "ready",
    startedAt: 1764000000000,
    updatedAt: 1764000000000,
    model: "m1",
  };
  await writeFile(
    join(configHome, "opencode", "orchestrator-device-registry.json"),
    JSON.stringify({ version: 1, updatedAt: 1764000000000, entries: [entry] }),
  );
}

test("legacySources given as a function is asked again on each lookup", async () => {
  const first = await tempDir();
  const second = await tempDir();
  await orchestratorFileUnder(first, 111_111);
  await orchestratorFileUnder(second, 222_222);
  const env = { XDG_CONFIG_HOME: first };
  let asked = 0;
  const registry = new DeviceRegistry({
    path: await tempRegistryPath(),
    legacySources: () => {
      asked++;
      return [join(env.XDG_CONFIG_HOME, "opencode", "orchestrator-device-registry.json")];
    },
  });

  expect((await registry.lookup("docs")).records.map((r) => r.pid)).toEqual([111_111]);
  env.XDG_CONFIG_HOME = second;
  expect((await registry.lookup("docs")).records.map((r) => r.pid)).toEqual([222_222]);
  expect((await registry.scan()).records.map((r) => r.pid)).toEqual([222_222]);
  expect(asked).toBe(3);
});

test("a legacySources function that throws reads no legacy file and says why, keeping the registry's own records", async () => {
  const registry = new DeviceRegistry({
    path: await tempRegistryPath(),
    legacySources: () => {
      throw new Error("no config home");
    },
  });

  const read = await registry.lookup("docs");

  expect(read.records).toEqual([]);
  expect(read.unreadable).toEqual([
    { location: "legacySources", reason: "legacySources() threw: Error: no config home" },
  ]);
});
