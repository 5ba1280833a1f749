import { randomUUID } from "node:crypto";

/**
 * What this store knows of the server's data: the epoch (a random value kept in one key, `epoch`) it last
 * saw, and until when it distrusts what it reads.
 *
 * Why a key and not only the run id: the run id is read by the heartbeat, up to one period after a
 * restart; in that gap a stop could trust an empty lease set, or a claim attempt a free claim, that the
 * restart emptied. The epoch key is read by the very script that stops or claims, on the same server in
 * the same step: a server that lost its data has no epoch key (the script writes a new one), a promoted
 * replica gets a new one from the first host whose heartbeat sees its run id, and either way the script
 * answers "changed" instead of acting. A store that never saw an epoch adopts what it finds (it cannot
 * know what came before it).
 */
export class ServerEpoch {
  #known: string | undefined;
  /** Until when (performance.now()) lease sets and free claims read here may lack what other hosts re-assert. */
  #graceUntil = 0;
  /** A change seen by a step of this store since the heartbeat last read the run id (`takeChangeSeen`). */
  #changeSeen = false;
  readonly #graceMs: number;
  /** Told once per change seen (the store re-asserts its lease entries and claims). */
  onChanged: () => Promise<void> = async () => {};

  constructor(graceMs: number) {
    this.#graceMs = graceMs;
  }

  /** The epoch this store knows, '' when none yet (what a script compares with). */
  get known(): string {
    return this.#known ?? "";
  }

  /** A fresh value, written by a script that finds no epoch key (the server lost its data). */
  propose(): string {
    return randomUUID();
  }

  /** Whether the server changed less than a grace ago: no empty lease set and no free claim is trusted. */
  inGrace(): boolean {
    return performance.now() < this.#graceUntil;
  }

  /** Milliseconds of grace left (0 outside it). */
  graceLeftMs(): number {
    return Math.max(0, this.#graceUntil - performance.now());
  }

  /**
   * The epoch a script read (or wrote). A different one than known starts the grace — before anything
   * else runs, so no step of this store acts on the new server unguarded — then re-asserts.
   */
  async observe(epoch: unknown): Promise<boolean> {
    if (typeof epoch !== "string" || epoch.length === 0) return false;
    const changed = this.#known !== undefined && this.#known !== epoch;
    this.#known = epoch;
    if (!changed) return false;
    this.#changeSeen = true;
    await this.startGrace();
    return true;
  }

  /** Starts (or extends) the grace and re-asserts: a change seen by other means (the run id). */
  async startGrace(): Promise<void> {
    this.beginGrace();
    await this.onChanged();
  }

  /** The grace alone, from now (before the first await: every step this store starts sees it). */
  beginGrace(): void {
    this.#graceUntil = Math.max(this.#graceUntil, performance.now() + this.#graceMs);
  }

  /**
   * Whether this store saw the epoch change since the last call (the heartbeat's, each time it reads the
   * run id): a new run id is then the data loss already seen, not a promoted replica to announce. Announcing
   * it again would write another epoch, and every host would start a second grace (stops refused past the
   * documented one). Limit: a failover within one heartbeat period of a data loss seen this way is not
   * announced by this host (by the first host whose heartbeat had not seen the change, if any).
   */
  takeChangeSeen(): boolean {
    const seen = this.#changeSeen;
    this.#changeSeen = false;
    return seen;
  }

  /** A new epoch this store wrote itself (after seeing a new run id): known from now on. */
  adopt(epoch: string): void {
    this.#known = epoch;
  }
}
