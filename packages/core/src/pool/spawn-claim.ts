import { createHash } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { checkRecordLiveness } from "../process/record-liveness.js";
import { checkRecordedProcess } from "../process/recorded-process.js";
import { checkOwner } from "../registry/stale-record.js";
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
      if (finished) {
        await store.releaseClaim(attempt.claim);
        return { kind: "finished", worker: finished };
      }
      // A free claim is not proof that nobody spawns: the claim key may have vanished (Redis lost it, it
      // lapsed while its holder was paused) while its holder's worker is starting. Its live `starting`
      // record is a spawn under way like a held claim: given back (its holder may re-assert it) and waited for.
      if (!(await findStartUnderWay(store, request, owner))) return { kind: "claimed", claim: attempt.claim };
      await store.releaseClaim(attempt.claim);
    } else if ("failed" in attempt) return { kind: "failed", failure: attempt.failed };
    for (;;) {
      await sleep(POLL_MS, undefined, { signal });
      // The holder writes its worker's record before it releases the claim: look for the worker first.
      const finished = await findFinished(store, request, seen, reachable);
      if (finished) return { kind: "finished", worker: finished };
      const current = await store.readClaim(key);
      if (current !== undefined && isClaimFailure(current)) return { kind: "failed", failure: current };
      // Released, lapsed, or never there while a start went on: claim it once no spawn is under way.
      if (current === undefined && !(await findStartUnderWay(store, request, owner))) break;
    }
  }
}

/**
 * Another spawner's `starting` record of the request's workerId and fingerprint whose spawner is alive: on
 * this host, its owner process is the recorded one (pid and start time); of another host, the worker's
 * heartbeat and the spawner's own entry (0 leases, written with the start) are both fresh — the store
 * judges that entry by the liveness key the spawner's store renews, so a start whose spawner died lapses
 * for other hosts within one TTL while its worker, still running on its host, keeps its record. No
 * deadline ends the wait for a live spawner: its own `spawnTimeoutMs` bounds its start, after which its
 * record is ready or gone. A start of the calling process is its own business (forceNew).
 */
async function findStartUnderWay(
  store: RegistryStore,
  request: ResolvedWorkerRequest,
  self: ClaimOwner,
): Promise<WorkerRecord | undefined> {
  const key = fingerprintKey(request.fingerprint);
  const now = Date.now();
  return (await store.lookup(request.workerId)).records.find((record) => {
    if (record.status !== "starting" || record.fingerprint === undefined) return false;
    if (fingerprintKey(record.fingerprint) !== key) return false;
    const local = record.host === undefined || record.host === store.hostId;
    if (!local) return checkRecordLiveness(record, store.hostId, now).ok && spawnerSignalFresh(record, now);
    if (record.owner?.pid === self.pid && record.owner.start === self.start && self.host === store.hostId) return false;
    return checkOwner(record).ok && checkRecordedProcess(record).ok;
  });
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

/** What `keepClaimAlive` gives its holder. */
export type KeptClaim = {
  /** The claim as last renewed (or had back). */
  current(): SpawnClaim;
  /**
   * Renews it now and resolves to whether it is still this holder's: what a spawner asks before it records
   * its worker ready. A store that cannot be reached says nothing about who holds it: true then (its record
   * cannot be written either, and a fleet store re-asserts a claim its server lost).
   */
  confirm(): Promise<boolean>;
  stop(): void;
};

/**
 * Keeps a claim alive while its holder works (a spawn may wait for capacity, then take minutes to load a
 * model). A renewal that finds the claim gone asks `reacquire` (when given) for it back; a claim that
 * another holder has, or that cannot be had back, is lost: the renewals stop and `onLost` is called once —
 * like proper-lockfile's `onCompromised`, a holder never goes on working under a claim that is no longer
 * its own. The timer never keeps the process alive.
 */
export function keepClaimAlive(
  store: RegistryStore,
  claim: SpawnClaim,
  options: { onLost?: () => void; reacquire?: () => Promise<SpawnClaim | undefined> } = {},
): KeptClaim {
  let current = claim;
  let lost = false;
  const renew = async (): Promise<boolean> => {
    if (lost) return false;
    const next = (await store.renewClaim(current, CLAIM_TTL_MS)) ?? (await options.reacquire?.());
    if (lost) return false;
    if (next) {
      current = next;
      return true;
    }
    lost = true;
    clearInterval(timer);
    options.onLost?.();
    return false;
  };
  let renewing: Promise<boolean> | undefined;
  // One renewal at a time: a timer tick and a confirmation never race each other's re-acquisition.
  const renewOnce = () => {
    renewing ??= renew().finally(() => {
      renewing = undefined;
    });
    return renewing;
  };
  const timer = setInterval(() => {
    // A failed renewal is tried again at the next tick; a claim that lapses is taken over, never corrupted.
    renewOnce().catch(() => undefined);
  }, CLAIM_TTL_MS / 3);
  timer.unref();
  return {
    current: () => current,
    confirm: async () => {
      try {
        return await renewOnce();
      } catch {
        return !lost;
      }
    },
    stop: () => clearInterval(timer),
  };
}

/**
 * A spawner's claim that vanished (a renewal found no claim at all: it lapsed while its holder was paused,
 * or a store lost it where it cannot tell), taken again with a new token — unless another spawn of the
 * same workerId + fingerprint may have run meanwhile: anyone may have claimed the free key, finished and
 * released it. So the claim is had back only when no other ready worker of that fingerprint and no other
 * live start is recorded; otherwise it is lost, and the spawner's worker must not become a second one.
 */
export async function reacquireClaim(
  store: RegistryStore,
  request: ResolvedWorkerRequest,
  owner: ClaimOwner,
): Promise<SpawnClaim | undefined> {
  const attempt = await store.acquireClaim({
    key: spawnClaimKey(request),
    workerId: request.workerId,
    owner,
    ttlMs: CLAIM_TTL_MS,
  });
  if (!attempt.acquired) return undefined;
  const other =
    attempt.replaced !== undefined ||
    (await findFinished(store, request, new Set(), () => true)) !== undefined ||
    (await findStartUnderWay(store, request, owner)) !== undefined;
  if (!other) return attempt.claim;
  await store.releaseClaim(attempt.claim);
  return undefined;
}

/**
 * Whether a remote start's spawner still renews its liveness signal: its own entry among the record's
 * holders (pid and start of the record's owner) with a fresh `aliveUntil`. A start written without one (an
 * older modelpool) is judged by the worker's heartbeat alone.
 */
function spawnerSignalFresh(record: WorkerRecord, now: number): boolean {
  const owner = record.owner;
  if (!owner) return true;
  const entry = record.holders?.find((holder) => holder.pid === owner.pid && holder.start === owner.start);
  if (!entry) return true;
  return entry.aliveUntil !== undefined && entry.aliveUntil > now;
}
