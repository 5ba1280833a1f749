import type { WorkerRecord } from "../schema/worker-record.js";

/** The worker entries of a registry being changed under its lock; written back only if something changed. */
export class RegistryDraft {
  #workers: WorkerRecord[];
  #changed = false;

  constructor(workers: readonly WorkerRecord[]) {
    this.#workers = [...workers];
  }

  get workers(): readonly WorkerRecord[] {
    return this.#workers;
  }

  get changed(): boolean {
    return this.#changed;
  }

  find(predicate: (record: WorkerRecord) => boolean): WorkerRecord | undefined {
    return this.#workers.find(predicate);
  }

  /** Replaces the record with the same `id`, or appends it. */
  upsert(record: WorkerRecord): void {
    const index = this.#workers.findIndex((existing) => existing.id === record.id);
    if (index === -1) this.#workers.push(record);
    else this.#workers[index] = record;
    this.#changed = true;
  }

  /** Removes and returns every record `predicate` selects. */
  remove(predicate: (record: WorkerRecord) => boolean): WorkerRecord[] {
    const removed = this.#workers.filter(predicate);
    if (removed.length > 0) {
      this.#workers = this.#workers.filter((record) => !predicate(record));
      this.#changed = true;
    }
    return removed;
  }
}
