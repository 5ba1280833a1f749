import { checkRecordLiveness, type WorkerRecord } from "@modelpool/core";
import type { RegistryKeys } from "./keys.js";
import type { RedisConnection } from "./RedisConnection.js";
import { heartbeat } from "./scripts.js";

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
  /** Until when (performance.now()) lease sets read here may lack entries other hosts are re-asserting. */
  #graceUntil = 0;
  /** Told when the server's run id changed (the store re-asserts this process's lease entries). */
  onServerChanged: () => Promise<void> = async () => {};

  constructor(options: {
    connection: RedisConnection;
    keys: RegistryKeys;
    hostId: string;
    periodMs: number;
    ttlMs: number;
    onError: (error: unknown) => void;
  }) {
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
   * Whether the server changed (restart, promoted replica) less than a TTL ago: every live host re-asserts
   * its records and lease entries within one period, so until then no lease set read can be trusted empty.
   */
  inGrace(): boolean {
    return performance.now() < this.#graceUntil;
  }

  /** Reads the server's run id; a change starts the grace and re-asserts this process's lease entries. */
  async #checkServer(): Promise<void> {
    const info = await this.#connection.send(["INFO", "server"]);
    const runId = /run_id:(\w+)/.exec(String(info))?.[1];
    if (runId === undefined) return;
    const changed = this.#runId !== undefined && this.#runId !== runId;
    this.#runId = runId;
    if (!changed) return;
    this.#graceUntil = performance.now() + this.#ttlMs;
    await this.onServerChanged();
  }

  async #beatOnce(): Promise<void> {
    const renewals: Promise<unknown>[] = [this.#checkServer()];
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
