import type { RecordRef } from "../registry/store/RegistryStore.js";
import type { LeaseHolder, ProcessIdentity, WorkerRecord } from "../schema/worker-record.js";
import type { Decision } from "./hooks.js";
import type { LeaseBook } from "./lease-book.js";
import type { RegistryAccess } from "./registry-access.js";

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
  /** Which record each leased worker is, so its lease count can be written to the right record. */
  readonly #refs = new Map<string, RecordRef>();
  /** Runs after a worker's last lease in this process is released (it may be what a sweep waits for). */
  readonly #onIdle: (id: string) => Promise<void>;
  #flush: Promise<void> | undefined;
  #flushAgain = false;

  constructor(book: LeaseBook, registry: RegistryAccess, self: ProcessIdentity, onIdle: (id: string) => Promise<void>) {
    this.book = book;
    this.#registry = registry;
    this.#self = self;
    this.#onIdle = onIdle;
  }

  /** Takes a lease on `worker`; resolves once other processes can see it (a memory operation without a registry). */
  async lease(worker: WorkerRecord, decision: Decision): Promise<WorkerLease> {
    this.book.acquire(worker.id);
    this.#refs.set(worker.id, { workerId: worker.workerId, id: worker.id });
    if (this.book.hasDirty() && this.#registry.store) await this.flush();
    let released = false;
    const release = async () => {
      if (released) return;
      released = true;
      if (!this.book.release(worker.id)) return;
      await this.flush();
      if (this.book.count(worker.id) === 0) await this.#onIdle(worker.id);
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
    const self = this.#self;
    return {
      pid: self.pid,
      ...(self.start ? { start: self.start } : {}),
      pool: "process",
      leases: 1,
      lastUsedAt: Date.now(),
    };
  }

  forget(id: string): void {
    this.book.forget(id);
    this.#refs.delete(id);
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
          await this.#registry.writeOrWarn("record leases", (store) =>
            store.update(ref, (record) => ({ ...record, holders: this.book.holdersFor(record, this.#self) })),
          );
        }
      } while (this.#flushAgain);
    })().finally(() => {
      this.#flush = undefined;
    });
    return this.#flush;
  }
}
