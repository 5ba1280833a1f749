import { DeviceRegistry, type RegistryStore } from "@modelpool/core";
import { UsageError } from "./usage-error.js";

/**
 * The registry a command works on, read once up front (reading creates and changes nothing): every
 * command then fails the same way, with the same exit code, on a path that is not a registry or is
 * unsafe. `legacySources` (`--from`) replaces the default legacy files. A `redis://` or `rediss://` URL
 * names a fleet registry.
 */
export async function openRegistry(
  path: string | undefined,
  legacySources?: readonly string[],
): Promise<RegistryStore> {
  if (path !== undefined && /^rediss?:\/\//i.test(path)) return openFleetRegistry(path);
  const registry = new DeviceRegistry({
    ...(path !== undefined ? { path } : {}),
    ...(legacySources !== undefined ? { legacySources: [...legacySources] } : {}),
  });
  await registry.scan();
  return registry;
}

/**
 * A fleet registry (`redis://…[/db]/namespace`), through `@modelpool/registry-redis` when it is installed:
 * the command line does not depend on a Redis client unless it is used with one.
 */
async function openFleetRegistry(url: string): Promise<RegistryStore> {
  let fleet: typeof import("@modelpool/registry-redis");
  try {
    fleet = await import("@modelpool/registry-redis");
  } catch {
    throw new UsageError(
      "--registry names a Redis registry: install @modelpool/registry-redis where you run modelpool (npm install @modelpool/registry-redis)",
    );
  }
  const store = fleet.RedisRegistry.fromUrl(url);
  try {
    await store.scan();
  } catch (error) {
    await store.close();
    throw error;
  }
  return store;
}
