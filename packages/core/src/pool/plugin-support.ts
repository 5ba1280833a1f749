import { NotAPoolError } from "../errors/NotAPoolError.js";
import type { ReuseVerdict } from "../schema/verdict.js";
import type { PoolHooks, ReuseContext } from "./hooks.js";

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

/**
 * Connects a policy to `canReuse`: checks it was given a pool, taps by `name` at `stage`, and composes
 * the policy's own verdict with the incoming one (`composeVerdict`), so every policy reads the same way.
 */
export function tapReusePolicy(
  pool: unknown,
  tap: { readonly name: string; readonly stage: number },
  judge: (context: ReuseContext) => ReuseVerdict | Promise<ReuseVerdict>,
): void {
  assertWorkerPool(pool, tap.name);
  pool.hooks.canReuse.tapPromise({ name: tap.name, stage: tap.stage }, async (verdict, context) =>
    composeVerdict(verdict, await judge(context)),
  );
}

/** The denial every fingerprint-comparing policy gives a legacy entry that never recorded a model. */
export function noFingerprintVerdict(by: string): ReuseVerdict {
  return {
    reuse: false,
    reason: "the worker has no recorded model (a legacy registry entry); it cannot be matched",
    by,
  };
}
