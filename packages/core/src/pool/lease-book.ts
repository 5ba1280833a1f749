import { randomUUID } from "node:crypto";
import { checkRecordedProcess } from "../process/recorded-process.js";
import type { LeaseHolder, ProcessIdentity, WorkerRecord } from "../schema/worker-record.js";

/**
 * This process's leases per worker, and when it last used each. The registry learns of them lazily
 * (`flush`, coalesced) so that handing out a lease stays a memory operation.
 */
export class LeaseBook {
  /** Tells this book's holder entries from those of other pools in the same process. */
  readonly #pool = randomUUID().slice(0, 8);
  readonly #counts = new Map<string, number>();
  readonly #lastUsed = new Map<string, number>();
  readonly #dirty = new Set<string>();
  readonly #listeners = new Set<() => void>();

  acquire(id: string, now = Date.now()): void {
    const count = this.count(id);
    this.#counts.set(id, count + 1);
    this.#lastUsed.set(id, now);
    if (count === 0) this.#dirty.add(id);
  }

  /** Returns false if there was no lease to release (a second release() of the same lease). */
  release(id: string, now = Date.now()): boolean {
    const count = this.count(id);
    if (count === 0) return false;
    this.#counts.set(id, count - 1);
    this.#lastUsed.set(id, now);
    if (count === 1) {
      this.#dirty.add(id);
      for (const listener of this.#listeners) listener();
    }
    return true;
  }

  count(id: string): number {
    return this.#counts.get(id) ?? 0;
  }

  lastUsedAt(id: string): number | undefined {
    return this.#lastUsed.get(id);
  }

  forget(id: string): void {
    this.#counts.delete(id);
    this.#lastUsed.delete(id);
    this.#dirty.delete(id);
  }

  /** Called whenever a worker's last lease in this process is released. */
  onIdle(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
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

  #isMine(holder: LeaseHolder, self: ProcessIdentity): boolean {
    return holder.pid === self.pid && holder.start === self.start && holder.pool === this.#pool;
  }

  /** The record's holders with this process's entry brought up to date and dead holders dropped. */
  holdersFor(record: WorkerRecord, self: ProcessIdentity): LeaseHolder[] {
    const others = liveHolders(record).filter((holder) => !this.#isMine(holder, self));
    const lastUsedAt = this.lastUsedAt(record.id);
    if (lastUsedAt === undefined) return others;
    const mine = { pid: self.pid, ...(self.start ? { start: self.start } : {}), pool: this.#pool };
    return [...others, { ...mine, leases: this.count(record.id), lastUsedAt }];
  }

  /**
   * Leases held on `record` by live processes (this one counted from memory, others from the registry),
   * and since when it has been unused when none are held.
   */
  usage(record: WorkerRecord, self: ProcessIdentity): { leases: number; idleSince: number } {
    return leaseUsage(record, this.holdersFor(record, self));
  }
}

/** The record's lease holders whose process is still the recorded one (a dead holder holds nothing). */
export function liveHolders(record: WorkerRecord): LeaseHolder[] {
  return (record.holders ?? []).filter(
    (holder) => checkRecordedProcess({ pid: holder.pid, pidStart: holder.start, startedAt: holder.lastUsedAt }).ok,
  );
}

/** Leases held on a worker, and since when it has been unused when none are. */
export function leaseUsage(record: WorkerRecord, holders = liveHolders(record)): { leases: number; idleSince: number } {
  const leases = holders.reduce((sum, holder) => sum + holder.leases, 0);
  return { leases, idleSince: Math.max(record.startedAt, ...holders.map((holder) => holder.lastUsedAt)) };
}
