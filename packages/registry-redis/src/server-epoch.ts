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

  /** A new epoch this store wrote itself (after seeing a new run id): known from now on. */
  adopt(epoch: string): void {
    this.#known = epoch;
  }
}
