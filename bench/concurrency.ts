import { join } from "node:path";
import { DeviceRegistry } from "@modelpool/core";
import { naiveCount } from "./naive-registry.js";
import { runTogether, stopPids } from "./processes.js";

export type ContentionRow = {
  mode: string;
  written: number;
  kept: number;
  lost: number;
  wallMs: number;
  perSecond: number;
};
export type StormRow = { mode: string; spawns: number; distinctWorkers: number; allReadyMs: number };

const PROCESSES = 8;
const UPDATES = 50;

export async function measureContention(dir: string): Promise<ContentionRow[]> {
  const rows: ContentionRow[] = [];
  for (const mode of ["naive", "modelpool"]) {
    const path = join(dir, mode === "naive" ? "contention-naive.json" : "contention-registry");
    const { startAt, outputs } = await runTogether(
      "./contention-child.ts",
      (n) => [mode, path, `p${n}`, String(UPDATES)],
      PROCESSES,
    );
    const wallMs = Math.max(...outputs.map(Number)) - startAt;
    const kept =
      mode === "naive"
        ? await naiveCount(path)
        : (await new DeviceRegistry({ path, legacySources: false }).list()).length;
    const written = PROCESSES * UPDATES;
    rows.push({ mode, written, kept, lost: written - kept, wallMs, perSecond: (written / wallMs) * 1000 });
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
