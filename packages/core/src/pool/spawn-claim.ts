import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import type { DeviceRegistry } from "../registry/DeviceRegistry.js";
import { staleReason } from "../registry/stale-record.js";
import { fingerprintKey } from "../schema/fingerprint.js";
import type { ResolvedWorkerRequest } from "../schema/request.js";
import type { ProcessIdentity, WorkerRecord } from "../schema/worker-record.js";

export type SpawnClaim =
  | { readonly kind: "claimed"; readonly record: WorkerRecord }
  | { readonly kind: "wait"; readonly rival: WorkerRecord }
  | { readonly kind: "finished"; readonly worker: WorkerRecord };

/**
 * A `starting` entry claims the spawn of one workerId + fingerprint, machine-wide, for up to `ttlMs`.
 * `seen` holds the ids the caller already judged through canReuse: a live worker of the same fingerprint
 * that is not among them finished spawning while the caller was deciding, and is shared, not duplicated.
 */
export function claimSpawn(
  registry: DeviceRegistry,
  request: ResolvedWorkerRequest,
  seen: ReadonlySet<string>,
  owner: ProcessIdentity,
  backend: string,
  ttlMs: number,
): Promise<SpawnClaim> {
  const key = fingerprintKey(request.fingerprint);
  const sameFingerprint = (record: WorkerRecord) =>
    record.workerId === request.workerId &&
    record.fingerprint !== undefined &&
    fingerprintKey(record.fingerprint) === key;
  return registry.mutate((draft): SpawnClaim => {
    const now = Date.now();
    const sameSpawn = (record: WorkerRecord) => record.status === "starting" && sameFingerprint(record);
    const finished = draft.find(
      (record) =>
        (record.status === "ready" || record.status === "busy") &&
        !seen.has(record.id) &&
        sameFingerprint(record) &&
        staleReason(record, now) === undefined,
    );
    if (finished) return { kind: "finished", worker: finished };
    const rival = draft.find((record) => sameSpawn(record) && staleReason(record, now) === undefined);
    if (rival) return { kind: "wait", rival };
    draft.remove((record) => sameSpawn(record)); // abandoned claims of crashed or timed-out spawners
    const record: WorkerRecord = {
      kind: "worker",
      id: randomUUID(),
      workerId: request.workerId,
      pid: owner.pid,
      ...(owner.start !== undefined ? { pidStart: owner.start } : {}),
      fingerprint: request.fingerprint,
      status: "starting",
      backend,
      owner,
      claimExpiresAt: now + ttlMs,
      startedAt: now,
      updatedAt: now,
    };
    draft.upsert(record);
    return { kind: "claimed", record };
  });
}

/**
 * Waits for another process's claim to settle: resolves with its worker once ready, or with undefined when
 * the claim failed, vanished or went stale (the caller may then claim the spawn itself).
 */
export async function waitForClaim(
  registry: DeviceRegistry,
  claim: WorkerRecord,
  signal: AbortSignal,
  pollMs = 25,
): Promise<WorkerRecord | undefined> {
  for (;;) {
    signal.throwIfAborted();
    const current = (await registry.findByWorkerId(claim.workerId)).find((record) => record.id === claim.id);
    if (!current) return undefined;
    const stale = staleReason(current, Date.now());
    if (current.status === "ready" || current.status === "busy") return stale === undefined ? current : undefined;
    if (stale !== undefined) return undefined;
    await sleep(pollMs, undefined, { signal });
  }
}
