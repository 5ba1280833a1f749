import { afterAll, expect, test } from "vitest";
import { reportRace } from "./reporter.js";
import { isHostile, raceRuns, raceTimeout } from "./world.js";

/** What one run of a race may return: counts of what it did (`{ leases: 64 }`), summed over the runs and reported. */
export type RunDetail = Record<string, number>;

export type RaceOptions = {
  /** How long one run takes on an idle machine, roughly: each run's timeout is made from it. */
  perRunMs: number;
  /** Runs in `npm test` (without `MODELPOOL_RACE_RUNS`); 0 leaves the race to the hostile suite. Default 1. */
  defaultRuns?: number;
  /** Why this machine cannot run the race (e.g. `smallDiskUnavailable()`): skipped, with the reason in its name. */
  skip?: string | undefined;
};

/**
 * A safety race: `name`'s body runs `MODELPOOL_RACE_RUNS` times (20 under `npm run test:hostile`;
 * `defaultRuns` in `npm test`), each run a fresh start with its own temp files and processes (vitest's
 * `repeats`: the test's `onTestFinished` cleanups run after each run). A run whose body throws or times
 * out is a violation; the runs go on, so the report says how many of how many broke the invariant. The
 * counts go to the shared reporter (see `reportRace`) once the file's tests end; the test fails on any
 * violation. Call it at the top level of a test file, as `test` itself.
 */
export function raceTest(
  name: string,
  options: RaceOptions,
  body: (run: number) => Promise<RunDetail | unknown>,
): void {
  const runs = raceRuns(options.defaultRuns ?? 1);
  let started = 0;
  let passed = 0;
  let file: string | undefined;
  const detail: Record<string, number> = {};
  test.skipIf(runs === 0 || options.skip !== undefined)(
    options.skip === undefined ? name : `${name} (skipped: ${options.skip})`,
    { repeats: Math.max(0, runs - 1), timeout: raceTimeout(options.perRunMs, 1) },
    async () => {
      file ??= expect.getState().testPath;
      started++;
      const done = await body(started);
      for (const [key, value] of Object.entries(done ?? {})) {
        if (typeof value === "number") detail[key] = (detail[key] ?? 0) + value;
      }
      passed++;
    },
  );
  // After the file's tests: a run that timed out never returned, and is counted here all the same.
  afterAll(() => {
    if (started === 0) return;
    const violations = started - passed;
    reportRace({ race: name, runs: started, violations, detail, ...(file ? { file } : {}) });
    const did = Object.entries(detail).map(([key, value]) => `${value} ${key}`);
    const world = isHostile("load") ? "hostile race" : "race";
    console.log(`${world}: ${name}: ${[`${started} runs`, ...did, `${violations} violations`].join(", ")}`);
  });
}
