import { NotAPoolError } from "../errors/NotAPoolError.js";
import type { ReuseVerdict } from "../schema/verdict.js";
import type { PoolHooks } from "./hooks.js";

/**
 * For a plugin's `apply`: fails clearly unless `pool` has the pool's hooks. Duck-typed on purpose: a
 * policy package may be installed against another copy of @modelpool/core than the pool's.
 */
export function assertWorkerPool(pool: unknown, plugin: string): asserts pool is { hooks: PoolHooks } {
  const hooks = (pool as { hooks?: Partial<PoolHooks> } | null | undefined)?.hooks;
  if (typeof hooks?.canReuse?.tapPromise !== "function") throw new NotAPoolError(plugin, pool);
}

/**
 * How compatibility policies compose on the `canReuse` waterfall: every registered policy must allow.
 * - The verdict nobody has signed yet (no `by`, the pool's initial "no policy registered") is replaced.
 * - A denial signed by an earlier policy stands: a later policy never overturns it.
 * - An allow signed by an earlier policy stays an allow only if this policy allows too; the reasons are
 *   joined, and this policy's rank (if it gives one) replaces the earlier rank.
 */
export function composeVerdict(incoming: ReuseVerdict, mine: ReuseVerdict): ReuseVerdict {
  if (incoming.by === undefined) return mine;
  if (!incoming.reuse) return incoming;
  if (!mine.reuse) return mine;
  const rank = mine.rank ?? incoming.rank;
  return {
    reuse: true,
    reason: `${incoming.reason}; ${mine.reason}`,
    by: `${incoming.by}+${mine.by ?? "?"}`,
    ...(rank !== undefined ? { rank } : {}),
  };
}
