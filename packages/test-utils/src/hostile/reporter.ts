import { appendFileSync } from "node:fs";
import { relative } from "node:path";
import { expect } from "vitest";
import { RACE_REPORT_ENV } from "./world.js";

/** One race's counts, as a race reports them and the hostile runner sums them. */
export type RaceCount = {
  /** The test file, relative to the working directory. */
  file: string;
  /** The race's name (its test's full name by default). */
  race: string;
  /** How many times it ran. */
  runs: number;
  /** How many runs broke the invariant the race checks (0 is the only passing count). */
  violations: number;
  /** What the runs did, for a reader to judge the race's power (`{ leases: 1284, stops: 61 }`). */
  detail?: Record<string, number>;
};

/**
 * Appends a race's counts, one JSON line, to the file named by `MODELPOOL_RACE_REPORT` (the hostile runner
 * sets it and sums the lines); without it, nothing is written. One short `O_APPEND` write per line, so
 * test files in parallel workers never interleave their lines.
 */
export function reportRace(counts: Omit<RaceCount, "file" | "race"> & { race?: string; file?: string }): void {
  const file = process.env[RACE_REPORT_ENV];
  if (file === undefined || file === "") return;
  const state = expect.getState();
  const line: RaceCount = {
    file: relative(process.cwd(), counts.file ?? state.testPath ?? "unknown"),
    race: counts.race ?? state.currentTestName ?? "unknown",
    runs: counts.runs,
    violations: counts.violations,
    ...(counts.detail ? { detail: counts.detail } : {}),
  };
  appendFileSync(file, `${JSON.stringify(line)}\n`);
}
