import type { WorkerRecord } from "../schema/worker-record.js";
import type { CandidateSource } from "./hooks.js";
import { namesNoWorker } from "./names-no-worker.js";
import type { RegistryAccess } from "./registry-access.js";

export type Candidate = { readonly record: WorkerRecord; readonly source: CandidateSource };

/**
 * The records a request could be given, freshest view first: this pool's own workers (as the registry
 * has them when it has them — another process may have marked one draining or leased it), then the
 * registry's other running records of the same workerId. Judging them is the gate's job, not this.
 * `read`: the registry's records as already read (the store's recent read), instead of a lookup.
 */
export async function findCandidates(
  workerId: string,
  own: ReadonlyMap<string, WorkerRecord>,
  registry: RegistryAccess,
  read?: readonly WorkerRecord[],
): Promise<Candidate[]> {
  const recorded = read ?? (await registry.lookup(workerId));
  const candidates: Candidate[] = [];
  const byId = new Map<string, WorkerRecord>();
  for (const record of recorded) byId.set(record.id, record);
  for (const record of own.values()) {
    if (record.workerId !== workerId) continue;
    candidates.push({ record: withRegistryView(record, byId.get(record.id)), source: "memory" });
  }
  const hostId = registry.store?.hostId;
  for (const record of recorded) {
    if (own.has(record.id) || (record.status !== "ready" && record.status !== "busy")) continue;
    if (namesNoWorker(record, hostId)) continue;
    candidates.push({ record, source: "registry" });
  }
  return candidates;
}

/** This pool's record of its worker, with what other processes can change about it: draining and holders. */
export function withRegistryView(own: WorkerRecord, recorded: WorkerRecord | undefined): WorkerRecord {
  if (!recorded) return own;
  const draining = own.draining || recorded.draining;
  if (draining === own.draining && recorded.holders === own.holders) return own;
  return {
    ...own,
    ...(draining ? { draining } : {}),
    ...(recorded.holders ? { holders: recorded.holders } : {}),
  };
}
