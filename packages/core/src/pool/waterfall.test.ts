import fc from "fast-check";
import { AsyncSeriesWaterfallHook } from "tapable";
import { describe, expect, test } from "vitest";
import { runWaterfall } from "./waterfall.js";

// runWaterfall must answer as tapable's own generated code does, for every kind of tap list it runs by
// itself; the rest it hands to tapable.

type Step = { kind: "value"; value: number } | { kind: "undefined" } | { kind: "throw"; reason: unknown };

const step = fc.oneof(
  fc.record({ kind: fc.constant("value" as const), value: fc.integer() }),
  fc.constant({ kind: "undefined" as const }),
  fc.record({
    kind: fc.constant("throw" as const),
    reason: fc.oneof(fc.constant(new Error("tap failed")), fc.constantFrom(undefined, null, 0, "", false, "why")),
  }),
);

function hookOf(steps: readonly { step: Step; stage: number }[], register = true) {
  const hook = new AsyncSeriesWaterfallHook<[number, { seen: number[] }]>(["value", "context"]);
  // Like the pool's guard: an interceptor that acts at registration only, wrapping each tap.
  if (register) hook.intercept({ register: (tap) => ({ ...tap, fn: tap.fn }) });
  steps.forEach(({ step, stage }, index) => {
    hook.tapPromise({ name: `tap${index}`, stage }, async (value, context) => {
      context.seen.push(value);
      if (step.kind === "throw") throw step.reason;
      // tapable's types say a waterfall tap returns the value; at run time undefined keeps the previous one.
      return (step.kind === "value" ? step.value + value : undefined) as number;
    });
  });
  return hook;
}

async function outcome(run: () => Promise<number>) {
  try {
    return { value: await run() };
  } catch (error) {
    return { error: error instanceof Error ? error.message : error };
  }
}

describe("runWaterfall answers as tapable does", () => {
  test("for any list of promise taps, whatever they return or throw, at any stages", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ step, stage: fc.integer({ min: -2, max: 2 }) }), { maxLength: 6 }),
        fc.integer(),
        async (steps, start) => {
          const mine = { seen: [] as number[] };
          const theirs = { seen: [] as number[] };
          const ours = await outcome(() => runWaterfall(hookOf(steps), start, mine));
          const tapables = await outcome(() => hookOf(steps).promise(start, theirs));
          expect(ours).toEqual(tapables);
          expect(mine.seen).toEqual(theirs.seen);
        },
      ),
      { numRuns: 300 },
    );
  });

  test("hands a hook with a sync tap, or an interceptor that acts on runs, to tapable", async () => {
    const withSync = hookOf([{ step: { kind: "value", value: 1 }, stage: 0 }]);
    withSync.tap("sync", (value) => value * 10);
    const runs: number[] = [];
    const intercepted = hookOf([{ step: { kind: "value", value: 1 }, stage: 0 }]);
    intercepted.intercept({ call: (value) => runs.push(value) });
    expect(await runWaterfall(withSync, 1, { seen: [] })).toBe(20);
    expect(await runWaterfall(intercepted, 5, { seen: [] })).toBe(6);
    expect(runs).toEqual([5]);
  });
});
