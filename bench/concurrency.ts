import { join } from "node:path";
import { DeviceRegistry } from "@modelpool/core";
import { naiveCount } from "./naive-registry.js";
import { runTogether, stopPids } from "./processes.js";

export type ContentionRow = {
  mode: string;
  processes: number;
  written: number;
  /** Per trial. */
  lost: number[];
  wallMs: number[];
};
export type StormRow = { mode: string; spawns: number; distinctWorkers: number; allReadyMs: number };

const PROCESSES = 8;
const UPDATES = 50;

/**
 * `processes` OS processes × 50 record writes of their own, all started at one instant, `trials` times
 * (a fresh file or directory each trial), the baseline and modelpool alternating.
 */
export async function measureContention(dir: string, processes: number, trials = 5): Promise<ContentionRow[]> {
  const rows = ["naive", "modelpool"].map((mode) => ({
    mode,
    processes,
    written: processes * UPDATES,
    lost: [] as number[],
    wallMs: [] as number[],
  }));
  for (let trial = 0; trial < trials; trial++) {
    for (const row of rows) {
      const name = `contention-${processes}-${trial}`;
      const path = join(dir, row.mode === "naive" ? `${name}.json` : name);
      const { startAt, outputs } = await runTogether(
        "./contention-child.ts",
        (n) => [row.mode, path, `p${n}`, String(UPDATES)],
        processes,
      );
      row.wallMs.push(Math.max(...outputs.map(Number)) - startAt);
      const kept =
        row.mode === "naive"
          ? await naiveCount(path)
          : (await new DeviceRegistry({ path, legacySources: false }).list()).length;
      row.lost.push(row.written - kept);
    }
  }
  return rows;
}

export async function measureSpawnStorm(dir: string): Promise<StormRow[]> {
  const rows: StormRow[] = [];
  for (const mode of ["naive", "modelpool"]) {
    const path = join(dir, mode === "naive" ? "storm-naive.json" : "storm-registry");
    const { startAt, outputs } = await runTogether("./storm-child.ts", () => [mode, path], PROCESSES);
    const results = outputs.map(
      (line) => JSON.parse(line.split("\n").at(-1) as string) as { pid: number; spawned: boolean; doneAt: number },
    );
    const pids = new Set(results.map((r) => r.pid));
    rows.push({
      mode,
      spawns: results.filter((r) => r.spawned).length,
      distinctWorkers: pids.size,
      allReadyMs: Math.max(...results.map((r) => r.doneAt)) - startAt,
    });
    await stopPids(pids);
  }
  return rows;
}
