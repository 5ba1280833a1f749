import { realpathSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { processShared } from "../process/process-shared.js";
import { isLiveHolder } from "../process/recorded-process.js";
import type { LeaseHolder, ProcessIdentity, WorkerRecord } from "../schema/worker-record.js";

/**
 * This process's leases per worker, all its pools together, kept up to date by every lease book as it
 * changes (a sum over the books at each question would cost as much as there are pools). A record holds
 * one holder entry per process, this sum, so a process that creates a pool per task still adds one
 * entry, not one per pool. `books`: how many books count the worker. Shared by every copy of modelpool
 * in the process (on `globalThis`): they write the same entry, so each must write the whole sum.
 * Keyed by registry and record id (`leaseKey`): a record id copied into a second registry is another
 * worker, and a lease on one never keeps the other held.
 */
const processLeases = processShared(
  "processLeasesByRegistry",
  () => new Map<string, { leases: number; lastUsedAt: number; books: number }>(),
);

/** The key of one registry's record in this process's sums. */
export function leaseKey(scope: string, id: string): string {
  return `${scope}\u0000${id}`;
}

/**
 * What identifies a registry in this process's sums: the same registry must give the same scope however
 * it was named (two pools reaching one directory through a symlink write the same holder entry, so they
 * must count one sum: two sums would let one overwrite the other's "held"). A directory registry is its
 * real path; any other store is its `location`; no registry at all is one scope of its own.
 */
export function leaseScope(registry: { location: string; path?: unknown } | undefined): string {
  if (!registry) return "";
  if (typeof registry.path === "string") {
    try {
      return realpathSync.native(registry.path);
    } catch {
      return registry.path; // not created yet: created at this path, which is then its real path
    }
  }
  return registry.location;
}

/** A book dropped without `close()` (its pool forgotten) stops counting once it is collected. */
const dropped = new FinalizationRegistry<Map<string, number>>((counts) => {
  for (const [key, count] of counts) leaveProcessCount(key, count);
});

/**
 * A book stops counting a worker. `gone`: the worker was stopped, nothing of it is kept once no book
 * counts it; else (a pool closed or collected) the entry stays, so the registry can still be told that
 * this process holds no lease on it and when it last used it.
 */
function leaveProcessCount(key: string, count: number, gone = false): void {
  const total = processLeases.get(key);
  if (!total) return;
  total.leases = Math.max(0, total.leases - count);
  total.books = Math.max(0, total.books - 1);
  if (gone && total.books === 0) processLeases.delete(key);
}

/** This process's holder entry with these leases and last use: how it is written, whoever writes it. */
export function holderEntry(self: ProcessIdentity, leases: number, lastUsedAt: number): LeaseHolder {
  return { pid: self.pid, ...(self.start ? { start: self.start } : {}), pool: PROCESS_HOLDER, leases, lastUsedAt };
}

/** Marks this process's holder entry (entries of earlier modelpool versions carried a per-pool id). */
const PROCESS_HOLDER = "process";

/**
 * One pool's leases per worker, and when it last used each. The registry learns of them lazily
 * (`flush`, coalesced) so that handing out a lease stays a memory operation.
 */
export class LeaseBook {
  /** The registry these leases are recorded in (see `leaseScope`). */
  readonly scope: string;
  /** The host this process runs on, as that registry names it (its `hostId`). */
  readonly #host: string | undefined;
  /** This book's leases per worker, by `leaseKey` (the key of the process's sum it adds to). */
  readonly #counts = new Map<string, number>();
  /** The same moments on the monotonic clock: how long this process left a worker unused, whatever the wall clock does. */
  readonly #lastUsedMono = new Map<string, number>();
  readonly #dirty = new Set<string>();
  /** Workers just spawned whose spawner has not leased them yet: busy here, never idle (see `pin`). */
  readonly #pinned = new Set<string>();
  readonly #listeners = new Set<() => void>();

  constructor(scope = "", host?: string) {
    this.scope = scope;
    this.#host = host;
    dropped.register(this, this.#counts, this);
  }

  /**
   * Leases this process holds on a worker of this registry, all its pools together: when it is not 0, the
   * worker's record already names this process as a holder (written when it went from 0 to 1).
   */
  processCount(id: string): number {
    return processLeases.get(leaseKey(this.scope, id))?.leases ?? 0;
  }

  /**
   * Whether a lease entry is this process's own: its pid and start token, on this host. Hosts in pid
   * namespaces of their own (containers on one kernel, say) can have a process of the same pid started in
   * the same clock tick: only the host tells such an entry from this process's. An entry naming no host is
   * of the registry's host (entries were so before hosts were named).
   */
  isOwn(holder: LeaseHolder, self: ProcessIdentity): boolean {
    return (
      holder.pid === self.pid &&
      holder.start === self.start &&
      (holder.host === undefined || this.#host === undefined || holder.host === this.#host)
    );
  }

  /** This process's holder entry for a worker (all its pools together), or undefined when it never used the worker. */
  processEntry(id: string, self: ProcessIdentity): LeaseHolder | undefined {
    const total = processLeases.get(leaseKey(this.scope, id));
    return total ? holderEntry(self, total.leases, total.lastUsedAt) : undefined;
  }

  /** Stops counting this book in this process's holder entry (its pool is closed). */
  close(): void {
    dropped.unregister(this);
    for (const [key, count] of this.#counts) leaveProcessCount(key, count);
    this.#counts.clear();
  }

  acquire(id: string, now = Date.now()): void {
    const count = this.count(id);
    this.#change(id, count, count + 1, now);
    if (count === 0) this.#dirty.add(id);
  }

  /** Returns false if there was no lease to release (a second release() of the same lease). */
  release(id: string, now = Date.now()): boolean {
    const count = this.count(id);
    if (count === 0) return false;
    this.#change(id, count, count - 1, now);
    if (count === 1) {
      this.#dirty.add(id);
      for (const listener of this.#listeners) listener();
    }
    return true;
  }

  /** One lease more or less, here and in this process's sum. */
  #change(id: string, from: number, to: number, now: number): void {
    const key = leaseKey(this.scope, id);
    const joining = !this.#counts.has(key);
    this.#counts.set(key, to);
    this.#lastUsedMono.set(id, performance.now());
    const total = processLeases.get(key);
    if (!total) {
      processLeases.set(key, { leases: to, lastUsedAt: now, books: 1 });
      return;
    }
    total.leases += to - from;
    total.lastUsedAt = Math.max(total.lastUsedAt, now);
    if (joining) total.books += 1;
  }

  count(id: string): number {
    return this.#counts.get(leaseKey(this.scope, id)) ?? 0;
  }

  /** Counts a fresh worker as in use until `unpin`: between its record and its first lease it is nobody's idle worker. */
  pin(id: string): void {
    this.#pinned.add(id);
  }

  /**
   * Ends a pin. The record was first written as leased once by this process: if its spawner has leased it
   * that is still true; if not, the registry must be told it is not leased after all.
   */
  unpin(id: string): void {
    if (!this.#pinned.delete(id) || this.count(id) > 0) return;
    this.#dirty.add(id);
    for (const listener of this.#listeners) listener();
  }

  forget(id: string): void {
    const key = leaseKey(this.scope, id);
    const count = this.#counts.get(key);
    if (count !== undefined) leaveProcessCount(key, count, true);
    this.#pinned.delete(id);
    this.#lastUsedMono.delete(id);
    this.#counts.delete(key);
    this.#dirty.delete(id);
  }

  /** Called whenever a worker's last lease in this process is released. */
  onIdle(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** The registry must be told this worker's state again (an earlier write of it failed). */
  markDirty(id: string): void {
    this.#dirty.add(id);
  }

  /** The registry has just been told this worker's state: nothing left to flush for it. */
  clean(id: string): void {
    this.#dirty.delete(id);
  }

  hasDirty(): boolean {
    return this.#dirty.size > 0;
  }

  /** Worker ids whose lease state the registry has not seen yet; taking them clears the list. */
  takeDirty(): string[] {
    const ids = [...this.#dirty];
    this.#dirty.clear();
    return ids;
  }

  /** The record's holders with this process's entry (all its pools together) brought up to date and dead holders dropped. */
  holdersFor(record: WorkerRecord, self: ProcessIdentity): LeaseHolder[] {
    // Entries of this process: its one entry, and per-pool entries an earlier version wrote.
    const others = liveHolders(record).filter((holder) => !this.isOwn(holder, self));
    const mine = this.processEntry(record.id, self);
    return mine ? [...others, mine] : others;
  }

  /**
   * How long the worker has gone unused. This process's own uses are timed on the monotonic clock (a
   * wall-clock step neither ages nor rejuvenates them); another process's are known only by the wall-clock
   * time it wrote (`lastUsedAt`), the only time processes share.
   */
  idleForMs(record: WorkerRecord, self: ProcessIdentity, now = Date.now()): number {
    const mono = this.#lastUsedMono.get(record.id);
    if (mono === undefined) return now - this.usage(record, self).idleSince;
    const ownIdle = performance.now() - mono;
    const others = liveHolders(record).filter((holder) => !this.isOwn(holder, self));
    if (others.length === 0) return ownIdle;
    return Math.min(ownIdle, now - Math.max(...others.map((holder) => holder.lastUsedAt)));
  }

  /**
   * Leases held on `record` by live processes (this one counted from memory, others from the registry),
   * and since when it has been unused when none are held.
   */
  usage(record: WorkerRecord, self: ProcessIdentity): { leases: number; idleSince: number } {
    const usage = leaseUsage(record, this.holdersFor(record, self));
    return this.#pinned.has(record.id) ? { ...usage, leases: usage.leases + 1 } : usage;
  }
}

/** The record's lease holders whose process is still the recorded one (a dead holder holds nothing). */
export function liveHolders(record: WorkerRecord): LeaseHolder[] {
  return (record.holders ?? []).filter(isLiveHolder);
}

/** Leases held on a worker, and since when it has been unused when none are. */
export function leaseUsage(record: WorkerRecord, holders = liveHolders(record)): { leases: number; idleSince: number } {
  const leases = holders.reduce((sum, holder) => sum + holder.leases, 0);
  return { leases, idleSince: Math.max(record.startedAt, ...holders.map((holder) => holder.lastUsedAt)) };
}
