import { NotAPoolError } from "../errors/NotAPoolError.js";
import { type ReuseVerdict, VerdictCode } from "../schema/verdict.js";
import type { PoolHooks, ReuseContext } from "./hooks.js";
import { OVERRIDE_TAP_OPTION } from "./tap-guard.js";

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
 * Core enforces the second rule whatever a tap returns (tap-guard.ts); this helper just reads that way.
 */
export function composeVerdict(incoming: ReuseVerdict, mine: ReuseVerdict): ReuseVerdict {
  if (incoming.by === undefined) return mine;
  if (!incoming.reuse) return incoming;
  if (!mine.reuse) return mine;
  const rank = mine.rank ?? incoming.rank;
  return {
    reuse: true,
    reason: `${incoming.reason}; ${mine.reason}`,
    code: mine.code ?? incoming.code ?? VerdictCode.REUSE_ALLOWED,
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

/**
 * Connects an override to `canReuse`: the one kind of tap whose verdict may replace an earlier denial,
 * and only when that verdict says `override: true`. Core ignores `override` from any other tap, so an
 * override is always declared where it is registered, never smuggled in a verdict. Use sparingly (an
 * operator's allow-list, a test harness); it runs at `stage` like any tap.
 */
export function tapReuseOverride(
  pool: unknown,
  tap: { readonly name: string; readonly stage: number },
  judge: (verdict: ReuseVerdict, context: ReuseContext) => ReuseVerdict | Promise<ReuseVerdict>,
): void {
  assertWorkerPool(pool, tap.name);
  // tapable keeps extra tap options on the tap; the guard reads this one.
  const options = { name: tap.name, stage: tap.stage, [OVERRIDE_TAP_OPTION]: true };
  pool.hooks.canReuse.tapPromise(options, async (verdict, context) => judge(verdict, context));
}

/** The denial every fingerprint-comparing policy gives a legacy entry that never recorded a model. */
export function noFingerprintVerdict(by: string): ReuseVerdict {
  return {
    reuse: false,
    reason: "the worker has no recorded model (a legacy registry entry); it cannot be matched",
    code: VerdictCode.NO_RECORDED_MODEL,
    by,
  };
}
