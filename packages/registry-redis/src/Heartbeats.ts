import { checkRecordLiveness, type WorkerRecord } from "@modelpool/core";
import type { RegistryKeys } from "./keys.js";
import type { RedisConnection } from "./RedisConnection.js";
import { heartbeat, readEpoch } from "./scripts.js";
import type { ServerEpoch } from "./server-epoch.js";

/**
 * This host's side of liveness: every `periodMs`, for each record of this host whose process is still the
 * recorded one, renews its heartbeat key for `ttlMs`, and publishes the record again if Redis lost it. A
 * record whose process is gone is dropped here and left to expire: other hosts then take it for dead.
 *
 * The copy kept here is what this store last wrote or read of each record; a re-publication after a Redis
 * restart writes that copy (a flag another host set since, such as `draining`, can be lost with the restart).
 */
export class Heartbeats {
  readonly #records = new Map<string, WorkerRecord>();
  /** Liveness keys of the processes (this one) that hold leases through this store: renewed while it is open. */
  readonly #holderKeys = new Set<string>();
  readonly #connection: RedisConnection;
  readonly #keys: RegistryKeys;
  readonly #hostId: string;
  readonly #periodMs: number;
  readonly #ttlMs: number;
  readonly #onError: (error: unknown) => void;
  #timer: NodeJS.Timeout | undefined;
  #beating: Promise<void> | undefined;
  /** The server's run id as last seen: a new one means a restart or a failover (its data may be lost). */
  #runId: string | undefined;
  readonly #epoch: ServerEpoch;

  constructor(options: {
    connection: RedisConnection;
    keys: RegistryKeys;
    hostId: string;
    periodMs: number;
    ttlMs: number;
    onError: (error: unknown) => void;
    epoch: ServerEpoch;
  }) {
    this.#epoch = options.epoch;
    this.#connection = options.connection;
    this.#keys = options.keys;
    this.#hostId = options.hostId;
    this.#periodMs = options.periodMs;
    this.#ttlMs = options.ttlMs;
    this.#onError = options.onError;
  }

  get ttlMs(): number {
    return this.#ttlMs;
  }

  /** Keeps a record of this host alive from now on (no-op for another host's record or a finished worker). */
  track(record: WorkerRecord): void {
    if (record.host !== this.#hostId || record.status === "stopped" || record.status === "error") {
      this.forget(record);
      return;
    }
    this.#records.set(this.#keys.record(record.workerId, record.id), record);
    // Unref'd: heartbeats never keep a process alive that has nothing else to do.
    this.#timer ??= setInterval(() => void this.beat(), this.#periodMs).unref();
  }

  /**
   * Renews `key` every period from now on: the liveness key of a process of this host that holds leases
   * through this store (this process). Other hosts judge its lease entries by it.
   */
  trackHolder(key: string): void {
    this.#holderKeys.add(key);
    this.#timer ??= setInterval(() => void this.beat(), this.#periodMs).unref();
  }

  forget(record: Pick<WorkerRecord, "workerId" | "id">): void {
    this.#records.delete(this.#keys.record(record.workerId, record.id));
  }

  /** One round of heartbeats (the timer calls it; tests and `close` may too). Never overlaps itself. */
  beat(): Promise<void> {
    this.#beating ??= this.#beatOnce().finally(() => {
      this.#beating = undefined;
    });
    return this.#beating;
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /**
   * Reads the server's run id and its epoch key (sent together: one round trip). A server without an
   * epoch lost its data; a new run id with the old epoch is a promoted replica (asynchronous replication
   * may have lost the last writes): this host then writes a new epoch, so that every other host's next
   * stop or claim sees the change in the same step as it acts, even before its own heartbeat reads the
   * run id. Either change starts the grace and re-asserts this process's lease entries and claims.
   */
  async #checkServer(): Promise<void> {
    const [info, epoch] = await Promise.all([
      this.#connection.send(["INFO", "server"]),
      readEpoch.run(this.#connection, [this.#keys.epoch()], [this.#epoch.propose()]),
    ]);
    await this.#epoch.observe(epoch);
    // This step's epoch change or one an earlier step of this store saw (a put, a lookup, a stop on the
    // emptied server): a new run id is that data loss, already announced by the epoch written then.
    const epochChanged = this.#epoch.takeChangeSeen();
    const runId = /run_id:(\w+)/.exec(String(info))?.[1];
    if (runId === undefined) return;
    const changed = this.#runId !== undefined && this.#runId !== runId;
    this.#runId = runId;
    if (!changed || epochChanged) return;
    // The grace first (no step of this store acts unguarded meanwhile), then the news for the others.
    this.#epoch.beginGrace();
    const next = this.#epoch.propose();
    await this.#connection.send(["SET", this.#keys.epoch(), next]);
    this.#epoch.adopt(next);
    await this.#epoch.startGrace();
  }

  async #beatOnce(): Promise<void> {
    // Within the grace, re-asserted again every period: a lease entry onto a record its owner had not put
    // back yet could not be written the first time.
    const reasserting = this.#epoch.inGrace() ? this.#epoch.onChanged() : Promise.resolve();
    const renewals: Promise<unknown>[] = [this.#checkServer(), reasserting];
    for (const [key, record] of this.#records) {
      if (!checkRecordLiveness(record, this.#hostId).ok) {
        this.#records.delete(key);
        continue;
      }
      const { aliveUntil: _ignored, ...stored } = record;
      renewals.push(
        heartbeat.run(
          this.#connection,
          [
            key,
            this.#keys.workerIndex(record.workerId),
            this.#keys.workerIds(),
            this.#keys.heartbeat(record.workerId, record.id),
          ],
          [JSON.stringify(stored), record.id, record.workerId, String(this.#ttlMs)],
        ),
      );
    }
    for (const key of this.#holderKeys) {
      renewals.push(this.#connection.send(["SET", key, "1", "PX", String(this.#ttlMs)]));
    }
    // Sent together: the client pipelines them, one round trip for the whole host.
    const results = await Promise.allSettled(renewals);
    // One report per round, not one per record: a Redis outage is one problem.
    const failure = results.find((result) => result.status === "rejected");
    if (failure) this.#onError(failure.reason);
  }
}
