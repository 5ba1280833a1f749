import { readdirSync, readFileSync } from "node:fs";
import { identityToRecord } from "./recorded-identity.js";
import type { RecordedProcess } from "./recorded-process.js";

/** The environment variable that carries a spawn's token into the worker's process (see `SpawnContext.spawnId`). */
export const SPAWN_ID_VARIABLE = "MODELPOOL_SPAWN_ID";

/**
 * This user's processes whose environment carries `spawnId` — the processes one spawn started, found even
 * when its requester died before it could record them — each identified as it runs now (pid, start time,
 * session), so that the stop that follows signals exactly them. Linux only (elsewhere: none found).
 * Reads every process's environment: only for the rare takeover of a dead requester's spawn.
 */
export function findProcessesOfSpawn(spawnId: string): RecordedProcess[] {
  if (process.platform !== "linux") return [];
  const needle = Buffer.from(`\u0000${SPAWN_ID_VARIABLE}=${spawnId}\u0000`);
  const found: RecordedProcess[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    let environ: Buffer;
    try {
      environ = readFileSync(`/proc/${pid}/environ`); // another user's process: EACCES, skipped
    } catch {
      continue;
    }
    if (!Buffer.concat([Buffer.from([0]), environ]).includes(needle)) continue;
    const identity = identityToRecord(pid);
    if (identity.pidStart !== undefined) found.push({ pid, startedAt: Date.now(), ...identity });
  }
  return found;
}
