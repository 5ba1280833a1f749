import { DeviceRegistry } from "@modelpool/core";

/**
 * The registry a command works on, read once up front (reading creates and changes nothing): every
 * command then fails the same way, with the same exit code, on a path that is not a registry or is
 * unsafe. `legacySources` (`--from`) replaces the default legacy files.
 */
export async function openRegistry(
  path: string | undefined,
  legacySources?: readonly string[],
): Promise<DeviceRegistry> {
  const registry = new DeviceRegistry({
    ...(path !== undefined ? { path } : {}),
    ...(legacySources !== undefined ? { legacySources: [...legacySources] } : {}),
  });
  await registry.scan();
  return registry;
}
