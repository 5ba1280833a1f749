import { readFile, writeFile } from "node:fs/promises";
import { DeviceRegistry, RegistryVersionError } from "@modelpool/core";
import { tempRegistryPath } from "@modelpool/test-utils";
import { expect, test } from "vitest";

test("a registry written by a newer modelpool is read but never written", async () => {
  const path = await tempRegistryPath();
  const newer = `${JSON.stringify({
    version: 3,
    entries: [
      { kind: "worker", id: "a", workerId: "w", pid: 1, status: "ready", startedAt: 1, updatedAt: 1, future: { x: 1 } },
    ],
  })}\n`;
  await writeFile(path, newer, { mode: 0o600 });
  const registry = new DeviceRegistry({ path });

  const contents = await registry.read();
  const error = await registry.prune().catch((e: unknown) => e);

  expect(contents).toMatchObject({ version: 3, readOnly: true });
  expect(contents.workers.map((w) => w.id)).toEqual(["a"]);
  expect(error).toBeInstanceOf(RegistryVersionError);
  expect(error).toMatchObject({ code: "REGISTRY_TOO_NEW", version: 3 });
  expect(await readFile(path, "utf8")).toBe(newer);
});
