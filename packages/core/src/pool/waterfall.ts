import type { AsyncSeriesWaterfallHook } from "tapable";

/** Interceptor hooks that act while the hook runs (tapable weaves them into its generated code). */
const RUN_INTERCEPTORS = ["call", "tap", "loop", "error", "result", "done", "context"] as const;

/**
 * `hook.promise(value, context)` for the canReuse waterfall, run in plain code when the hook holds only
 * what tapable would run as a plain loop: `tapPromise` taps (every policy helper taps so) and interceptors
 * that act at registration only (the pool's own guard). Anything else — a sync or callback tap, the
 * deprecated `context` option, an interceptor with `call`, `tap`, `result`... — goes to tapable itself.
 *
 * Why: on its first call tapable generates the hook's code as a string and compiles it with
 * `new Function`, the costliest single step of judging the first candidate in a new process. What it
 * generates for promise taps is exactly this: each tap in turn, given the value so far and the context;
 * a result other than undefined becomes the value; the first rejection is the run's (a falsy rejection
 * reason wrapped in an Error, with tapable's own message).
 */
export async function runWaterfall<T, C>(hook: AsyncSeriesWaterfallHook<[T, C]>, value: T, context: C): Promise<T> {
  const plain =
    hook.taps.every((tap) => tap.type === "promise" && !(tap as { context?: boolean }).context) &&
    hook.interceptors.every((interceptor) =>
      RUN_INTERCEPTORS.every((key) => (interceptor as Record<string, unknown>)[key] === undefined),
    );
  if (!plain) return hook.promise(value, context);
  // The taps as they are now, as tapable's compiled code captures them: a tap added meanwhile waits for the next run.
  const fns = hook.taps.map((tap) => tap.fn as (value: T, context: C) => Promise<T | undefined>);
  let current = value;
  for (const fn of fns) {
    const pending = fn(current, context);
    if (!pending || !(pending as { then?: unknown }).then) {
      throw new Error(`Tap function (tapPromise) did not return promise (returned ${pending})`);
    }
    let result: T | undefined;
    try {
      result = await pending;
    } catch (error) {
      throw error || new Error(`Tap function (tapPromise) rejects "${error}" value`);
    }
    if (result !== undefined) current = result;
  }
  return current;
}
