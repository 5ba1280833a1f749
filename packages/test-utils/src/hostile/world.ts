/**
 * The hostile world a race runs in, as the hostile runner (`npm run test:hostile`) describes it to the test
 * processes through the environment. Outside that runner every attack is off and races run a few times.
 */

/** The attacks a race's participants are exposed to. CPU load is the runner's own, outside any test. */
export type Attack = "load" | "pause" | "strace" | "enospc";

const ATTACKS = ["load", "pause", "strace", "enospc"] as const;

/** Environment variable naming the attacks in force, comma-separated (set by the hostile runner only). */
export const HOSTILE_ENV = "MODELPOOL_HOSTILE";
/** Environment variable with each race's repetition count (races read it through `raceRuns`). */
export const RACE_RUNS_ENV = "MODELPOOL_RACE_RUNS";
/** Environment variable naming the file races append their counts to (JSON lines; see `reportRace`). */
export const RACE_REPORT_ENV = "MODELPOOL_RACE_REPORT";

/** The attacks in force in this process: none unless the hostile runner started it. */
export function hostileAttacks(env: NodeJS.ProcessEnv = process.env): ReadonlySet<Attack> {
  const named = (env[HOSTILE_ENV] ?? "").split(",").map((name) => name.trim());
  return new Set(ATTACKS.filter((attack) => named.includes(attack)));
}

export function isHostile(attack: Attack, env: NodeJS.ProcessEnv = process.env): boolean {
  return hostileAttacks(env).has(attack);
}

/**
 * How many times each race repeats: `MODELPOOL_RACE_RUNS` (the hostile runner sets 20), else `fallback`
 * (what `npm test` runs: enough to catch a regression, cheap enough for a newcomer's suite).
 */
export function raceRuns(fallback = 1, env: NodeJS.ProcessEnv = process.env): number {
  const value = Number(env[RACE_RUNS_ENV]);
  return Number.isInteger(value) && value > 0 ? value : fallback;
}

/**
 * A vitest timeout for a race of `raceRuns()` runs of about `perRunMs` each on an idle machine; the hostile
 * world (load at 4x the cores, paused participants, delayed syscalls) slows each run several times over.
 * A timeout is never what a race asserts: it only bounds how long a hung race holds the suite.
 */
export function raceTimeout(perRunMs: number, runs: number = raceRuns()): number {
  const slowdown = hostileAttacks().size > 0 ? 6 : 2;
  return Math.max(30_000, perRunMs * runs * slowdown);
}
