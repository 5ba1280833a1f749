import { homedir } from "node:os";
import { isAbsolute, join, resolve } from "node:path";

/**
 * Where the device registry lives unless told otherwise: `$MODELPOOL_REGISTRY`, else
 * `$XDG_STATE_HOME/modelpool/registry.json`, else `~/.local/state/modelpool/registry.json`.
 */
export function defaultRegistryPath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.MODELPOOL_REGISTRY) return resolve(env.MODELPOOL_REGISTRY);
  // The XDG spec says relative values are invalid and must be ignored.
  const stateHome =
    env.XDG_STATE_HOME && isAbsolute(env.XDG_STATE_HOME) ? env.XDG_STATE_HOME : join(homedir(), ".local", "state");
  return join(stateHome, "modelpool", "registry.json");
}
