import { chmod, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { DeviceRegistry, UnsafeRegistryPermissionsError } from "@modelpool/core";
import { tempRegistryPath } from "@modelpool/test-utils";
import { expect, test } from "vitest";

test("a registry file writable by other users is refused, not read", async () => {
  const path = await tempRegistryPath();
  await writeFile(path, `{"version":2,"entries":[]}`);
  await chmod(path, 0o666);

  await expect(new DeviceRegistry({ path }).list()).rejects.toBeInstanceOf(UnsafeRegistryPermissionsError);
  await expect(new DeviceRegistry({ path }).list()).rejects.toMatchObject({
    code: "REGISTRY_UNSAFE_PERMISSIONS",
    path,
  });
});

test("a registry directory writable by other users is refused", async () => {
  const path = await tempRegistryPath();
  await chmod(dirname(path), 0o777);

  await expect(new DeviceRegistry({ path }).list()).rejects.toBeInstanceOf(UnsafeRegistryPermissionsError);
});

test("the registry is created 0600 in a 0700 directory", async () => {
  const path = `${dirname(await tempRegistryPath())}/fresh/registry.json`;
  const registry = new DeviceRegistry({ path });
  await registry.upsert({
    kind: "worker",
    id: "a",
    workerId: "w",
    pid: 1,
    status: "ready",
    startedAt: 1,
    updatedAt: 1,
  });

  const { statSync } = await import("node:fs");
  expect(statSync(path).mode & 0o777).toBe(0o600);
  expect(statSync(dirname(path)).mode & 0o777).toBe(0o700);
});
