// The premise checks of the decision measures: what a lease left on disk, read from the registry's files
// themselves (never from the pool that is measured).
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

/**
 * Lease entries of process `pid` that hold at least one lease, in one workerId's directory (`*.holder`
 * files, each a JSON object naming its pid and lease count; a file without a count holds by existing).
 */
export function heldLeaseEntries(registryPath: string, workerId: string, pid = process.pid): number {
  const dir = join(registryPath, "workers", workerId);
  let held = 0;
  for (const name of readdirSync(dir)) {
    if (!name.endsWith(".holder")) continue;
    let entry: { pid?: unknown; leases?: unknown };
    try {
      entry = JSON.parse(readFileSync(join(dir, name), "utf8")) as typeof entry;
    } catch {
      continue; // removed meanwhile
    }
    if (entry.pid === pid && (entry.leases === undefined || (entry.leases as number) > 0)) held++;
  }
  return held;
}

/** Fails the whole bench, loudly, when what a measure assumes did not happen. */
export function premise(holds: boolean, what: string): void {
  if (!holds) throw new Error(`bench premise failed: ${what}`);
}
