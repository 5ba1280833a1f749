import { createHash } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { checkRecordLiveness } from "../process/record-liveness.js";
import type { RegistryStore } from "../registry/store/RegistryStore.js";
import { fingerprintKey } from "../schema/fingerprint.js";
import type { ResolvedWorkerRequest } from "../schema/request.js";
import { type ClaimFailure, type ClaimOwner, isClaimFailure, type SpawnClaim } from "../schema/spawn-claim.js";
import type { WorkerRecord } from "../schema/worker-record.js";
import { stopAbandonedWorkers, stopSpawnOfDeadClaimant } from "./abandoned-workers.js";
import { namesNoWorker } from "./names-no-worker.js";

export type SpawnClaimOutcome =
  /** This process won the claim: it spawns, then releases the claim. */
  | { readonly kind: "claimed"; readonly claim: SpawnClaim }
  /** A worker of the same fingerprint became ready (another process's spawn, or one finished meanwhile). */
  | { readonly kind: "finished"; readonly worker: WorkerRecord }
  /** The spawn this request waited for failed; its failure is shared until `retryAfter`. */
  | { readonly kind: "failed"; readonly failure: ClaimFailure };

/** How long a claim lasts without a renewal; its holder renews it while it lives (a dead one is taken over at once). */
export const CLAIM_TTL_MS = 15_000;
const POLL_MS = 25;

/**
 * The key of the spawn of one workerId + fingerprint, the same in every process and on every host, and
 * bounded (a fingerprint's attributes may be long): the fingerprint enters as its SHA-256.
 */
export function spawnClaimKey(request: ResolvedWorkerRequest): string {
  const fingerprint = createHash("sha256").update(fingerprintKey(request.fingerprint), "utf8").digest("hex");
  return `spawn\u0000${request.workerId}\u0000${fingerprint}`;
}

/**
 * Claims the spawn of one workerId + fingerprint store-wide, or waits for whoever holds it. `seen` holds
 * the ids the caller already judged through canReuse: a live worker of the same fingerprint that is not
 * among them became ready while the caller was deciding, and is shared, not duplicated. The winner looks
 * once more after winning, because a rival may have finished (and released) just before.
 */
export async function claimOrWait(
  store: RegistryStore,
  request: ResolvedWorkerRequest,
  seen: ReadonlySet<string>,
  owner: ClaimOwner,
  signal: AbortSignal,
  reachable: (record: WorkerRecord) => boolean = () => true,
): Promise<SpawnClaimOutcome> {
  const key = spawnClaimKey(request);
  for (;;) {
    signal.throwIfAborted();
    const attempt = await store.acquireClaim({ key, workerId: request.workerId, owner, ttlMs: CLAIM_TTL_MS, signal });
    if (attempt.acquired) {
      // A claimant that died mid-spawn left its worker starting with nobody to finish it: stop it first,
      // recorded (`starting`) or not yet (found by the spawn's token).
      if (attempt.replaced) await stopSpawnOfDeadClaimant(store, attempt.replaced);
      await stopAbandonedWorkers(store, (await store.lookup(request.workerId)).records, { startsOnly: true });
      const finished = await findFinished(store, request, seen, reachable);
      if (!finished) return { kind: "claimed", claim: attempt.claim };
      await store.releaseClaim(attempt.claim);
      return { kind: "finished", worker: finished };
    }
    if ("failed" in attempt) return { kind: "failed", failure: attempt.failed };
    for (;;) {
      await sleep(POLL_MS, undefined, { signal });
      // The holder writes its worker's record before it releases the claim: look for the worker first.
      const finished = await findFinished(store, request, seen, reachable);
      if (finished) return { kind: "finished", worker: finished };
      const current = await store.readClaim(key);
      if (current === undefined) break; // released or gone stale: claim it
      if (isClaimFailure(current)) return { kind: "failed", failure: current };
    }
  }
}

/**
 * A ready, live, not draining worker of the request's workerId and fingerprint that the caller has not
 * judged yet, and can reach (another host's worker only through its URL, when allowed).
 */
async function findFinished(
  store: RegistryStore,
  request: ResolvedWorkerRequest,
  seen: ReadonlySet<string>,
  reachable: (record: WorkerRecord) => boolean,
): Promise<WorkerRecord | undefined> {
  const key = fingerprintKey(request.fingerprint);
  const now = Date.now();
  return (await store.lookup(request.workerId)).records.find(
    (record) =>
      (record.status === "ready" || record.status === "busy") &&
      !record.draining &&
      !seen.has(record.id) &&
      record.fingerprint !== undefined &&
      fingerprintKey(record.fingerprint) === key &&
      checkRecordLiveness(record, store.hostId, now).ok &&
      !namesNoWorker(record, store.hostId) &&
      reachable(record),
  );
}

/**
 * Keeps a claim alive while its holder works (a spawn may wait for capacity, then take minutes to load a
 * model). Stops on its own once the claim is lost. The timer never keeps the process alive.
 */
export function keepClaimAlive(store: RegistryStore, claim: SpawnClaim): { current(): SpawnClaim; stop(): void } {
  let current = claim;
  let lost = false;
  const timer = setInterval(() => {
    if (lost) return;
    store.renewClaim(current, CLAIM_TTL_MS).then(
      (renewed) => {
        if (renewed) current = renewed;
        else lost = true;
      },
      () => undefined, // the next tick tries again; a claim that lapses is taken over, never corrupted
    );
  }, CLAIM_TTL_MS / 3);
  timer.unref();
  return { current: () => current, stop: () => clearInterval(timer) };
}
