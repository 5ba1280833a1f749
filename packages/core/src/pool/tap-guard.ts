import type { AsyncSeriesWaterfallHook } from "tapable";
import { InvalidVerdictError } from "../errors/InvalidVerdictError.js";
import { PolicyTimeoutError } from "../errors/PolicyTimeoutError.js";
import { PARSE_CONTEXT } from "../schema/parse-or-throw.js";
import { type JudgedVerdict, type ReuseVerdict, ReuseVerdictSchema, VerdictCode } from "../schema/verdict.js";
import { deepFreeze } from "./frozen-copy.js";
import type { ReuseContext } from "./hooks.js";

/** What one run of the waterfall is bounded by: the request's signal and stopAll(), and the policy timeout. */
export type TapRunBounds = { readonly signal: AbortSignal | undefined; readonly timeoutMs: number };

/** Each run's bounds, keyed by the (frozen) context object every tap of that run receives. */
const runBounds = new WeakMap<ReuseContext, TapRunBounds>();
/** The verdicts runs start from: a denial that is one of these was not given by any tap. */
const startingVerdicts = new WeakSet<ReuseVerdict>();
/** Without bounds (a caller running the hook by hand), a tap still cannot hang forever. */
const DEFAULT_TIMEOUT_MS = 30_000;

/** Tap option that marks a tap allowed to overturn an earlier denial (see `tapReuseOverride`). */
export const OVERRIDE_TAP_OPTION = "override";

export function startRun(start: ReuseVerdict, context: ReuseContext, bounds: TapRunBounds): void {
  startingVerdicts.add(start);
  runBounds.set(context, bounds);
}

/**
 * Makes the composition rules of `canReuse` a property of core, not a convention each policy must
 * follow: every tap, however it was registered, is wrapped so that
 * - its result must be a verdict (`undefined` or a wrong shape is an InvalidVerdictError naming the tap);
 * - an earlier denial stands, unless the tap was registered as an override and its verdict says
 *   `override: true`;
 * - it answers within the run's bounds (request signal, stopAll(), policyTimeoutMs) or is abandoned
 *   with a PolicyTimeoutError naming it;
 * - what it returns is frozen, so a later tap cannot change it in place.
 */
export function guardCanReuse(hook: AsyncSeriesWaterfallHook<[ReuseVerdict, ReuseContext]>): void {
  hook.intercept({
    register: (tap) => {
      const run = tap.fn as (verdict: ReuseVerdict, context: ReuseContext) => unknown;
      const isOverride = (tap as unknown as Record<string, unknown>)[OVERRIDE_TAP_OPTION] === true;
      const guarded = async (incoming: ReuseVerdict, context: ReuseContext): Promise<JudgedVerdict> => {
        const bounds = runBounds.get(context) ?? { signal: undefined, timeoutMs: DEFAULT_TIMEOUT_MS };
        const raw = await bounded(() => run(incoming, context), tap.name, bounds);
        const verdict = checkVerdict(raw, tap.name);
        const deniedEarlier = !incoming.reuse && !startingVerdicts.has(incoming);
        if (deniedEarlier && !(isOverride && verdict.override === true)) return normalize(incoming);
        return verdict;
      };
      return { ...tap, fn: guarded };
    },
  });
}

/** The verdict a tap returned, validated, with a code, frozen; or an InvalidVerdictError naming the tap. */
export function checkVerdict(raw: unknown, tapName: string): JudgedVerdict {
  const parsed = ReuseVerdictSchema.safeParse(raw, PARSE_CONTEXT);
  if (!parsed.success) throw new InvalidVerdictError([tapName], parsed.error.issues);
  return normalize(parsed.data);
}

/** Gives a verdict its default code (so every verdict core reports has one), frozen. */
export function normalize(verdict: ReuseVerdict): JudgedVerdict {
  if (verdict.code !== undefined && Object.isFrozen(verdict)) return verdict as JudgedVerdict;
  const code = verdict.code ?? (verdict.reuse ? VerdictCode.REUSE_ALLOWED : VerdictCode.REUSE_DENIED);
  return deepFreeze({ ...verdict, code });
}

async function bounded(work: () => unknown, tapName: string, bounds: TapRunBounds): Promise<unknown> {
  const { signal, timeoutMs } = bounds;
  signal?.throwIfAborted();
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  try {
    return await new Promise<unknown>((resolve, reject) => {
      timer = setTimeout(() => reject(new PolicyTimeoutError(tapName, timeoutMs)), timeoutMs);
      if (signal) {
        onAbort = () => reject(signal.reason);
        signal.addEventListener("abort", onAbort, { once: true });
      }
      try {
        Promise.resolve(work()).then(resolve, reject);
      } catch (error) {
        reject(error);
      }
    });
  } finally {
    clearTimeout(timer);
    if (onAbort) signal?.removeEventListener("abort", onAbort);
  }
}
