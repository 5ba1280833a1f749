import { performance } from "node:perf_hooks";
import type { PoolEvents } from "../diagnostics/pool-events.js";
import { isLockTimeoutError } from "../errors/LockTimeoutError.js";
import { processShared } from "../process/process-shared.js";
import type { RecordRef, RegistryStore } from "../registry/store/RegistryStore.js";
import type { LeaseHolder, ProcessIdentity, WorkerRecord } from "../schema/worker-record.js";
import type { Decision } from "./hooks.js";
import { holderEntry, type LeaseBook, leaseKey } from "./lease-book.js";
import type { RegistryAccess } from "./registry-access.js";

/**
 * The check of this process's first lease on each worker while it is under way (all copies of modelpool
 * in the process: they share the lease counts).
 */
const firstLeaseChecks = processShared("firstLeaseChecksByRegistry", () => new Map<string, Promise<boolean>>());

/**
 * What `getOrSpawn` hands back: the worker to use, why it was chosen, and `release()` to call when done
 * with it (idle TTL, draining and capacity count leases). Releasing twice is harmless; `await using`
 * releases it at the end of the block.
 */
export type WorkerLease = {
  readonly worker: WorkerRecord;
  readonly decision: Decision;
  release(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
};

/**
 * This pool's leases, and how other processes learn of them: the record's holder entry for this process
 * (all its pools together) is written before `getOrSpawn` returns when this process's count of that
 * worker goes from 0 to 1 — so no other process stops, evicts or drains a worker this one holds — and,
 * coalesced, when it goes back to 0.
 */
export class Leases {
  readonly book: LeaseBook;
  readonly #registry: RegistryAccess;
  readonly #self: ProcessIdentity;
  readonly #events: PoolEvents;
  /** Which record each leased worker is, so its lease count can be written to the right record. */
  readonly #refs = new Map<string, RecordRef>();
  /** Runs after a worker's last lease in this process is released (it may be what a sweep waits for). */
  readonly #onIdle: (ref: RecordRef) => Promise<void>;
  #flush: Promise<void> | undefined;
  #flushAgain = false;
  /** Workers whose lease state could not be written; retried every `retryEveryMs` until written. */
  readonly #failed = new Set<string>();
  readonly #retryEveryMs: number;
  #retryTimer: NodeJS.Timeout | undefined;

  constructor(
    book: LeaseBook,
    registry: RegistryAccess,
    self: ProcessIdentity,
    events: PoolEvents,
    onIdle: (ref: RecordRef) => Promise<void>,
    retryEveryMs = 1_000,
  ) {
    this.#retryEveryMs = retryEveryMs;
    this.#events = events;
    this.book = book;
    this.#registry = registry;
    this.#self = self;
    this.#onIdle = onIdle;
  }

  /**
   * Takes a lease on `worker`; resolves once other processes can see it (a memory operation without a
   * registry), or to undefined when the registry says the worker was stopped or marked draining meanwhile
   * (the holder entry and that change are one atomic update each: exactly one of them wins).
   * `mustBeRecorded`: a worker known only from the registry is refused once its record is gone.
   * `judged`: the worker was judged from the store's recent read (`recent`): its entry is written by
   * `holdJudged`, which refuses (and so this lease is undefined) unless the record is still that one.
   */
  async lease(
    worker: WorkerRecord,
    decision: Decision,
    mustBeRecorded: boolean,
    judged = false,
  ): Promise<WorkerLease | undefined> {
    // Written when this process's count goes from 0 to 1, not each pool's: a pool per task in a process
    // that already holds the worker finds the record naming this process already.
    const first = this.book.processCount(worker.id) === 0;
    // A judgement from a recent read is checked only by the entry written with it: none to write, no lease.
    if (judged && (!first || !this.#registry.store)) return undefined;
    this.book.acquire(worker.id);
    const ref = { workerId: worker.workerId, id: worker.id };
    this.#refs.set(worker.id, ref);
    // A later lease of this process shares the first one's check while it is under way: if the worker
    // turns out stopped or draining, neither is handed it.
    const key = leaseKey(this.book.scope, worker.id);
    let usable = firstLeaseChecks.get(key);
    if (first && this.#registry.store) {
      usable = judged ? this.#recordJudgedLease(worker) : this.#recordFirstLease(ref, mustBeRecorded);
      firstLeaseChecks.set(key, usable);
      const check = usable;
      const done = () => {
        if (firstLeaseChecks.get(key) === check) firstLeaseChecks.delete(key);
      };
      check.then(done, done);
    }
    if (usable && !(await usable)) {
      // Taken back at once: an entry naming this process as a holder would keep others from stopping it.
      this.book.release(worker.id);
      await this.flush();
      return undefined;
    }
    let released = false;
    const leasedAt = performance.now();
    this.#events.emit("leased", { code: "LEASED", workerId: worker.workerId, id: worker.id, record: worker, decision });
    const release = async () => {
      if (released) return;
      released = true;
      if (!this.book.release(worker.id)) return;
      this.#events.emit("released", { code: "RELEASED", ...ref, record: worker, heldMs: performance.now() - leasedAt });
      await this.flush();
      if (this.book.count(worker.id) === 0) await this.#onIdle(ref);
    };
    return { worker, decision, release, [Symbol.asyncDispose]: release };
  }

  /**
   * Holds a worker just recorded until whoever spawned it has leased it: counted as leased from the
   * moment it exists, so no concurrent request sees it idle and evicts or sweeps it first. Let go on
   * the next turn of the event loop, after the spawner's own lease (taken in the same turn).
   */
  holdNew(id: string, ref: RecordRef): () => void {
    this.book.pin(id);
    this.#refs.set(id, ref);
    return () => {
      this.book.unpin(id);
      if (this.book.hasDirty()) void this.flush();
    };
  }

  /** This process's holder entry for a worker it is about to record: other processes see it held from its first write. */
  firstHolder(): LeaseHolder {
    return holderEntry(this.#self, 1, Date.now());
  }

  /**
   * Writes this process's holder entry and reads the worker's state back; false when it was stopped or
   * marked draining meanwhile (the entry is then corrected by the next flush, which the caller starts).
   */
  async #recordFirstLease(ref: RecordRef, mustBeRecorded: boolean): Promise<boolean> {
    let written: { after: WorkerRecord | undefined } | undefined;
    try {
      written = await this.#registry.write(async (store) => ({
        after: await this.#writeHolderEntry(store, ref, isUsable),
      }));
    } catch (error) {
      // A store still busy with an update of the record (a stop, perhaps) after the wait: not this worker.
      if (isLockTimeoutError(error)) return false;
      // The worker was judged usable a moment ago; a registry that cannot take the lease costs visibility, not the lease.
      this.#registry.warn({
        code: "REGISTRY_WRITE_FAILED",
        message: `could not record a lease on ${ref.id}: ${String(error)}`,
        error,
      });
      return true;
    }
    if (written === undefined) return true; // a registry this version only reads: nothing can be written there
    const { after } = written;
    if (after === undefined) return !mustBeRecorded || (await this.#stillListed(ref, isUsable));
    this.book.clean(ref.id);
    return isUsable(after);
  }

  /**
   * This process's holder entry onto a record judged from the store's recent read, written only if the
   * record is still the one judged (`holdJudged`: one request). False when it was not written, for any
   * reason: unchecked, the judgement hands out nothing, and the pool decides again from a fresh lookup
   * (which meets a lasting store failure itself, and reports it as every lookup does).
   */
  async #recordJudgedLease(worker: WorkerRecord): Promise<boolean> {
    const entry = this.book.processEntry(worker.id, this.#self) ?? holderEntry(this.#self, 0, Date.now());
    try {
      const held = await this.#registry.write((store) =>
        store.holdJudged ? store.holdJudged(worker, entry) : Promise.resolve(undefined),
      );
      if (held === undefined) return false;
      this.book.clean(worker.id);
      return isUsable(held);
    } catch {
      return false;
    }
  }

  /**
   * This process's holder entry onto the record: with the store's `hold` when it has one (no lock: the
   * store reads the record back once the entry is visible, and a stop or drain racing it is seen by one
   * side or the other), else one atomic update. `onlyIf`: an update leaves a record failing it untouched.
   */
  async #writeHolderEntry(
    store: RegistryStore,
    ref: RecordRef,
    onlyIf: (record: WorkerRecord) => boolean = () => true,
  ): Promise<WorkerRecord | undefined> {
    // No entry in this process (a fresh worker whose spawner never leased it): it holds nothing, said so.
    const entry = this.book.processEntry(ref.id, this.#self) ?? holderEntry(this.#self, 0, Date.now());
    if (store.hold) return store.hold(ref, entry);
    return store.update(ref, (current) =>
      onlyIf(current) ? { ...current, holders: this.book.holdersFor(current, this.#self) } : undefined,
    );
  }

  /** A record `update` cannot reach may still be listed: a legacy source the store reads but never writes. */
  async #stillListed(ref: RecordRef, usable: (record: WorkerRecord) => boolean): Promise<boolean> {
    const store = this.#registry.store;
    if (!store) return false;
    const found = (await store.lookup(ref.workerId)).records.find((record) => record.id === ref.id);
    return found !== undefined && usable(found);
  }

  forget(id: string): void {
    this.book.forget(id);
    this.#refs.delete(id);
    this.#failed.delete(id);
  }

  /** Tells the registry this process's lease counts of the workers whose count went to or from zero; coalesced. */
  flush(): Promise<void> {
    if (!this.#registry.store) {
      this.book.takeDirty();
      return Promise.resolve();
    }
    if (this.#flush) {
      this.#flushAgain = true;
      return this.#flush;
    }
    this.#flush = (async () => {
      do {
        this.#flushAgain = false;
        for (const id of this.book.takeDirty()) {
          const ref = this.#refs.get(id);
          if (!ref) continue;
          try {
            await this.#registry.write((store) => this.#writeHolderEntry(store, ref));
          } catch (error) {
            this.#registry.warn({
              code: "REGISTRY_WRITE_FAILED",
              message: `could not record leases on ${id} (retried): ${String(error)}`,
              error,
            });
            // Never dropped: an entry left saying "held" keeps every other process from stopping or
            // draining the worker while this process lives. Written again later, as it is by then.
            this.#failed.add(id);
          }
        }
      } while (this.#flushAgain);
    })().finally(() => {
      this.#flush = undefined;
      this.#retryFailedLater();
    });
    return this.#flush;
  }

  /** Marks the entries whose write failed dirty again, and flushes them after a pause (unref'd: never keeps the process alive). */
  #retryFailedLater(): void {
    if (this.#failed.size === 0 || this.#retryTimer) return;
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined;
      for (const id of this.#failed) if (this.#refs.has(id)) this.book.markDirty(id);
      this.#failed.clear();
      void this.flush();
    }, this.#retryEveryMs);
    this.#retryTimer.unref();
  }
}

/** Whether a record, as the registry has it after a lease entry was written, may still be handed out. */
function isUsable(record: WorkerRecord): boolean {
  return (record.status === "ready" || record.status === "busy") && !record.draining;
}
