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
  // The schema's rules, checked by hand first: a verdict is judged on every reuse, and a valid one is the rule.
  if (looksValid(raw)) return normalize(raw);
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

const VERDICT_KEYS = new Set(["reuse", "reason", "code", "by", "rank", "supersedes", "override"]);
const CODE = /^[A-Z][A-Z0-9_]*$/;

/** Exactly what ReuseVerdictSchema accepts (anything else goes to the schema, for its issues). */
function looksValid(raw: unknown): raw is ReuseVerdict {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return false;
  const v = raw as Record<string, unknown>;
  for (const key in v) if (!VERDICT_KEYS.has(key) || !Object.hasOwn(v, key)) return false;
  return (
    typeof v.reuse === "boolean" &&
    typeof v.reason === "string" &&
    v.reason.length > 0 &&
    v.reason.length <= 4096 &&
    (v.code === undefined || (typeof v.code === "string" && v.code.length <= 64 && CODE.test(v.code))) &&
    (v.by === undefined || (typeof v.by === "string" && v.by.length <= 256)) &&
    (v.rank === undefined || (typeof v.rank === "number" && Number.isFinite(v.rank))) &&
    (v.supersedes === undefined || typeof v.supersedes === "boolean") &&
    (v.override === undefined || typeof v.override === "boolean")
  );
}

/** Microtask turns a tap gets to answer before a timer is armed for it (most policies answer at once). */
const QUICK_TURNS = 4;

async function bounded(work: () => unknown, tapName: string, bounds: TapRunBounds): Promise<unknown> {
  const { signal, timeoutMs } = bounds;
  signal?.throwIfAborted();
  // Most taps answer within a few microtask turns: no timer and no listener for those.
  let answer: { value: unknown } | { error: unknown } | undefined;
  const pending = Promise.resolve(work());
  pending.then(
    (value) => {
      answer = { value };
    },
    (error: unknown) => {
      answer = { error };
    },
  );
  for (let turn = 0; turn < QUICK_TURNS && answer === undefined; turn++) await undefined;
  if (answer !== undefined) {
    if ("error" in answer) throw answer.error;
    return answer.value;
  }
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  try {
    return await new Promise<unknown>((resolve, reject) => {
      timer = setTimeout(() => reject(new PolicyTimeoutError(tapName, timeoutMs)), timeoutMs);
      if (signal) {
        onAbort = () => reject(signal.reason);
        signal.addEventListener("abort", onAbort, { once: true });
      }
      pending.then(resolve, reject);
    });
  } finally {
    clearTimeout(timer);
    if (onAbort) signal?.removeEventListener("abort", onAbort);
  }
}
