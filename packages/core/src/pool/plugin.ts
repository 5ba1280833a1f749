import type { PoolHooks } from "./hooks.js";

/** What a plugin is given: anything with the pool's hooks (a `WorkerPool`). */
export interface PluginHost {
  readonly hooks: PoolHooks;
}

/** A policy or any other extension: `apply` connects it to the pool's hooks, once. */
export interface PoolPlugin {
  apply(pool: PluginHost): void;
}
