import { homedir } from "node:os";
import { isAbsolute, join, resolve } from "node:path";

// The XDG spec says relative values are invalid and must be ignored.
function xdgHome(value: string | undefined, fallback: string[]): string {
  return value && isAbsolute(value) ? value : join(homedir(), ...fallback);
}

/**
 * Where the device registry (a directory) lives unless told otherwise: `$MODELPOOL_REGISTRY`, else
 * `$XDG_STATE_HOME/modelpool/registry`, else `~/.local/state/modelpool/registry`.
 */
export function defaultRegistryPath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.MODELPOOL_REGISTRY) return resolve(env.MODELPOOL_REGISTRY);
  return join(xdgHome(env.XDG_STATE_HOME, [".local", "state"]), "modelpool", "registry");
}

/**
 * The single-file registries read, never written, beside the default registry: modelpool 0.1's
 * version-2 file and the orchestrator's version-1 file.
 */
export function defaultLegacySources(env: NodeJS.ProcessEnv = process.env): string[] {
  return [
    join(xdgHome(env.XDG_STATE_HOME, [".local", "state"]), "modelpool", "registry.json"),
    join(xdgHome(env.XDG_CONFIG_HOME, [".config"]), "opencode", "orchestrator-device-registry.json"),
  ];
}
