import type { ClaimFailure, ClaimOwner, SpawnClaim } from "../../schema/spawn-claim.js";
import type { LeaseHolder, WorkerRecord } from "../../schema/worker-record.js";

/** A record `prune` removed, and why it no longer described a usable worker. */
export type PrunedRecord = { readonly record: WorkerRecord; readonly reason: string };

/** Names one record: the workerId it serves and its own id (unique per spawned worker). */
export type RecordRef = { readonly workerId: string; readonly id: string };

/** A stored record that could not be read: kept as it is, never reused, reported with where and why. */
export type UnreadableRecord = {
  /** A path, a key: enough for a person to find it. */
  readonly location: string;
  readonly reason: string;
};

/**
 * A record lock, spawn claim or update announcement held right now, and by which live process (`scan`
 * reports them so that a person can see who a waiting writer waits for).
 */
export type HeldByProcess = {
  readonly what: "record lock" | "spawn claim" | "update";
  /** A path, a key: enough for a person to find it. */
  readonly location: string;
  readonly workerId: string;
  /** The record, for a record lock or an update. */
  readonly recordId?: string | undefined;
  readonly pid: number;
  readonly start?: string | undefined;
  readonly host?: string | undefined;
};

/** What a read found: the records that passed validation, and those that did not. */
export type StoreRead = {
  readonly records: readonly WorkerRecord[];
  readonly unreadable: readonly UnreadableRecord[];
  /** Only from `scan`, and only where a store can tell: who holds each lock, claim and announcement. */
  readonly held?: readonly HeldByProcess[] | undefined;
};

/**
 * What `update` does with the current record: return the next record (same `workerId` and `id`), or
 * `undefined` to leave it as it is. It may be called more than once (optimistic stores retry on conflict),
 * so it must not have side effects.
 */
export type RecordChange = (current: WorkerRecord) => WorkerRecord | undefined;

export type ClaimRequest = {
  /** What is claimed: e.g. one workerId + fingerprint. Any string; stores hash or encode it as they need. */
  readonly key: string;
  readonly workerId: string;
  readonly owner: ClaimOwner;
  /** The claim lapses this long after it was acquired or last renewed. */
  readonly ttlMs: number;
  /**
   * The caller's signal: a store that waits before it answers (a fleet store in its grace after the server
   * lost its data) stops waiting when it aborts, and rejects with its reason, having taken nothing.
   */
  readonly signal?: AbortSignal | undefined;
};

export type ClaimAttempt =
  /** `replaced`: an expired claim, or one whose owner is gone, that this acquisition took over. */
  | { readonly acquired: true; readonly claim: SpawnClaim; readonly replaced?: SpawnClaim | undefined }
  /** Someone else holds it, and still may. */
  | { readonly acquired: false; readonly holder: SpawnClaim }
  /** The last holder's spawn failed recently: share its failure instead of trying again before `retryAfter`. */
  | { readonly acquired: false; readonly failed: ClaimFailure };

/** How a claim ends. A failure is remembered for `backoffMs` so that waiters share it. */
export type ClaimRelease = { readonly failure?: { readonly message: string; readonly backoffMs: number } };

/**
 * Where workers are recorded so that other processes (and, for a fleet store, other machines) can reuse
 * them. Record-level on purpose: no operation reads or rewrites everybody's records, so writers of
 * different records never wait for each other, and one unreadable record affects only itself.
 *
 * Implementations: `DeviceRegistry` (a directory, one file per record, for one machine); a fleet store
 * keeps one key per record and claims as `SET NX PX` keys. Every record read is validated before it is
 * returned; a store never trusts what it reads.
 *
 * Errors are typed (`ModelpoolError` subclasses): unsafe location, lock timeout, store unavailable.
 */
export interface RegistryStore {
  /** Where the records are, for people: a path, or a URL without its credentials. */
  readonly location: string;
  /**
   * The host this store runs on. Records of this host are judged by their process (pid and start time);
   * records of another host only by their heartbeat (`aliveUntil`).
   */
  readonly hostId: string;

  /** The records of one workerId, and only those: the cost of a lookup does not grow with the registry. */
  lookup(workerId: string): Promise<StoreRead>;
  /** Every readable record (device-wide capacity, scripts). */
  list(): Promise<WorkerRecord[]>;
  /** Every record, and where and why each unreadable one could not be read (the CLI). */
  scan(): Promise<StoreRead>;
  /** Creates the record, or replaces the one with the same workerId and id, whole; resolves to it as stored. */
  put(record: WorkerRecord): Promise<WorkerRecord>;
  /**
   * Read-modify-write of one record, atomic against every other write of that record (and only of it).
   * Resolves to the record as it is afterwards, or `undefined` when there is no such record.
   */
  update(ref: RecordRef, change: RecordChange): Promise<WorkerRecord | undefined>;
  /** Removes one record; resolves to whether it was there. */
  remove(ref: RecordRef): Promise<boolean>;
  /**
   * Sets the lease entry of the calling process (`holder.pid` and `holder.start` name it) among the
   * record's `holders`, replacing that process's earlier entry, and resolves to the record as it stands
   * once the entry is visible to every reader — or `undefined` when there is no such record. Against an
   * `update` of the same record it must be linearizable: an update that runs after the entry is visible
   * sees it in `current.holders`, and a hold that runs after an update sees that update's result.
   *
   * Optional: without it the pool writes the entry with `update`. A store implements it when it can do
   * better than a locked read-modify-write (the directory store writes one small file per holder).
   */
  hold?(ref: RecordRef, holder: LeaseHolder): Promise<WorkerRecord | undefined>;

  /**
   * The records of one workerId as this store last read them, without asking anyone: `undefined` when it
   * has not read them (or no longer trusts what it read). Possibly out of date, so a pool judges from it
   * only to lease with `holdJudged`, which checks the judgement in the same step as it writes the lease;
   * a decision on a worker the store has read before is then one request. Optional, and only with
   * `holdJudged`: without them the pool looks up, judges, then writes its entry (`hold` or `update`).
   */
  recent?(workerId: string): StoreRead | undefined;
  /**
   * `hold`, on the condition that the stored record is still the one `judged` shows (every field but its
   * lease entries and the computed `aliveUntil`), and that its process still lives by its heartbeat when
   * it is another host's, checked in the same atomic step as the entry is written. Resolves to the record
   * as written, or `undefined` when nothing was written: the record changed, is gone, or is dead — the
   * pool then decides again from a fresh lookup. Never writes onto a record the caller did not judge.
   */
  holdJudged?(judged: WorkerRecord, holder: LeaseHolder): Promise<WorkerRecord | undefined>;

  /**
   * Creates the claim if nobody holds it — exactly one winner however many processes race — taking over
   * a claim whose owner is gone: on this host, its process is no longer the recorded one (a live owner
   * keeps its claim however late its renewals); of another host, its claim expired (the signal that host
   * renews).
   */
  acquireClaim(request: ClaimRequest): Promise<ClaimAttempt>;
  /** The live claim on `key`, the failure it recently ended with, or `undefined` when it is free. */
  readClaim(key: string): Promise<SpawnClaim | ClaimFailure | undefined>;
  /** Extends a claim still held; `undefined` when it was lost (expired and taken over). */
  renewClaim(claim: SpawnClaim, ttlMs: number): Promise<SpawnClaim | undefined>;
  /** Gives a claim up, if still held (never someone else's). */
  releaseClaim(claim: SpawnClaim, release?: ClaimRelease): Promise<void>;

  /**
   * Removes records that no longer describe a usable worker (dead, stopped, failed, heartbeat expired),
   * never signalling any process and never touching a record it cannot read. Optional for stores that
   * expire records on their own.
   */
  prune?(): Promise<readonly PrunedRecord[]>;

  /** Lets go of connections and timers; records stay. Optional: a directory has nothing to close. */
  close?(): Promise<void>;
}

/** Whether `value` looks like a `RegistryStore` (duck-typed: any implementation from any copy of core). */
export function isRegistryStore(value: unknown): value is RegistryStore {
  const store = value as Partial<Record<keyof RegistryStore, unknown>> | null;
  return (
    typeof store === "object" &&
    store !== null &&
    typeof store.location === "string" &&
    typeof store.hostId === "string" &&
    (
      [
        "lookup",
        "list",
        "scan",
        "put",
        "update",
        "remove",
        "acquireClaim",
        "readClaim",
        "renewClaim",
        "releaseClaim",
      ] as const
    ).every((method) => typeof store[method] === "function")
  );
}
