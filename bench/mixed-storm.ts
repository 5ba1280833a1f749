import { execFile } from "node:child_process";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { DeviceRegistry, readLiveProcess } from "@modelpool/core";
import { runTogether, stopPids } from "./processes.js";

export type MixedStormRow = {
  processes: number;
  leases: number;
  forced: number;
  stops: number;
  failures: number;
  prunes: number;
  wrongModel: number;
  deadWorker: number;
  orphans: number;
  duplicateRecords: number;
  /** Recorded workers still running after every process ended (drained ones nobody swept yet); stopped after counting. */
  leftRunning: number;
  wallMs: number;
  errors: string[];
};

const PROCESSES = 12;
const STEPS = 12;
const CLI = fileURLToPath(new URL("../packages/cli/bin/modelpool.js", import.meta.url));
const MODEL_SERVER = "model-server.mjs";

/**
 * 12 OS processes at once on one registry and one workerId: mixed models, forceNew, releases and stops,
 * while `modelpool prune` runs alongside. Counted: leases on the wrong model or on a dead worker (by each
 * process, at lease time), then orphans (model servers still running that no record describes) and
 * duplicate records (two records for one process).
 */
export async function measureMixedStorm(dir: string): Promise<MixedStormRow> {
  const path = join(dir, "mixed-storm-registry");
  // Created before the storm: 12 processes creating one registry directory at once is another race
  // (the directory's first write), not what this section measures.
  const registry = new DeviceRegistry({ path, legacySources: false });
  const claim = await registry.acquireClaim({
    key: "create",
    workerId: "storm",
    owner: { pid: process.pid, host: registry.hostId },
    ttlMs: 1_000,
  });
  if (claim.acquired) await registry.releaseClaim(claim.claim);
  const before = new Set(await modelServerPids());
  let prunes = 0;
  let storming = true;
  const pruning = (async () => {
    while (storming) {
      await promisify(execFile)(process.execPath, [CLI, "prune", "--registry", path]).catch(() => undefined);
      prunes++;
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
  })();
  const { startAt, outputs } = await runTogether(
    "./mixed-storm-child.ts",
    (n) => [path, String(n + 1), String(STEPS)],
    PROCESSES,
  ).finally(() => {
    storming = false;
  });
  const wallMs = Date.now() - startAt;
  await pruning;
  const results = outputs.map(
    (out) =>
      JSON.parse(out.split("\n").at(-1) as string) as {
        leases: number;
        forced: number;
        stops: number;
        failures: number;
        wrongModel: number;
        deadWorker: number;
        errors: string[];
      },
  );
  const records = await new DeviceRegistry({ path, legacySources: false }).list();
  const recordedPids = new Set(records.map((record) => record.pid));
  const orphans = (await modelServerPids()).filter((pid) => !before.has(pid) && !recordedPids.has(pid));
  await stopPids(orphans);
  const leftRunning = records.filter((record) => {
    const live = readLiveProcess(record.pid);
    return live.running && !live.zombie;
  });
  await stopPids(leftRunning.map((record) => record.pid));
  const sum = (key: "leases" | "forced" | "stops" | "failures" | "wrongModel" | "deadWorker") =>
    results.reduce((total, result) => total + result[key], 0);
  return {
    processes: PROCESSES,
    leases: sum("leases"),
    forced: sum("forced"),
    stops: sum("stops"),
    failures: sum("failures"),
    prunes,
    wrongModel: sum("wrongModel"),
    deadWorker: sum("deadWorker"),
    orphans: orphans.length,
    duplicateRecords: records.length - recordedPids.size,
    leftRunning: leftRunning.length,
    wallMs,
    errors: results.flatMap((result) => result.errors).slice(0, 5),
  };
}

/** Running model servers of this user (Linux: /proc). */
async function modelServerPids(): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir("/proc").catch(() => [])) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid <= 1) continue;
    const cmdline = await readFile(join("/proc", entry, "cmdline"), "utf8").catch(() => "");
    if (!cmdline.includes(MODEL_SERVER)) continue;
    const live = readLiveProcess(pid);
    if (live.running && !live.zombie) pids.push(pid);
  }
  return pids;
}
