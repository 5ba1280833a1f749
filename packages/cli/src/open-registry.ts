import { DeviceRegistry, defaultRegistryPath } from "@modelpool/core";

/**
 * The registry a command works on, read once up front: every command then fails the same way (and with
 * the same exit code) on a corrupt, too new or unsafe registry. Without it, `explain` would see the
 * pool's recovery (a warning, no candidates) and exit 0 where `ls` exits 1.
 */
export async function openRegistry(path: string | undefined): Promise<DeviceRegistry> {
  const registry = new DeviceRegistry({ path: path ?? defaultRegistryPath() });
  await registry.read();
  return registry;
}
