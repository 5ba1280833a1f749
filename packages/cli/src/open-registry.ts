import { existsSync, statSync } from "node:fs";
import { DeviceRegistry, type RegistryStore } from "@modelpool/core";
import { MissingRegistryError } from "./missing-registry-error.js";
import { UsageError } from "./usage-error.js";

/** The registry a command works on, whether it exists yet, and notes for the user (printed on stderr). */
export type OpenedRegistry = { readonly registry: RegistryStore; readonly exists: boolean; readonly notes: string[] };

/**
 * The registry a command works on, read once up front (reading creates and changes nothing): every
 * command then fails the same way, with the same exit code, on a path that is not a registry or is
 * unsafe. `legacySources` (`--from`) replaces the default legacy files. A `redis://` or `rediss://` URL
 * names a fleet registry.
 */
export async function openRegistry(
  path: string | undefined,
  legacySources?: readonly string[],
): Promise<OpenedRegistry> {
  if (path !== undefined && /^rediss?:\/\//i.test(path)) {
    return { registry: await openFleetRegistry(path), exists: true, notes: [] };
  }
  const registry = new DeviceRegistry({
    ...(path !== undefined ? { path } : {}),
    ...(legacySources !== undefined ? { legacySources: [...legacySources] } : {}),
  });
  await registry.scan();
  const exists = existsSync(registry.path) || registry.legacySources.some((source) => existsSync(source.path));
  const notes =
    /\.json$/i.test(registry.path) && isDirectory(registry.path)
      ? [
          `note: ${registry.path} is a registry directory (a registry is a directory of records; the .json is only part of its name)`,
        ]
      : [];
  return { registry, exists, notes };
}

/** What to say of a registry path that does not exist: where it was looked for, and what a .json path means. */
export function missingRegistry(path: string): MissingRegistryError {
  const single = /\.json$/i.test(path)
    ? `; a registry is a directory (it is created there by the first pool that records a worker): a single-file registry of modelpool 0.1 or the orchestrator is read with --from ${path}`
    : " (no pool has recorded a worker there yet; --json lists it as empty)";
  return new MissingRegistryError(`registry ${path} does not exist${single}`);
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
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
