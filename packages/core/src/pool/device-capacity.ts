import { isRegistryVersionError } from "../errors/RegistryVersionError.js";
import { checkRecordedProcess } from "../process/recorded-process.js";
import type { RegistryStore } from "../registry/store/RegistryStore.js";
import type { ClaimOwner, SpawnClaim } from "../schema/spawn-claim.js";
import type { ProcessIdentity, WorkerRecord } from "../schema/worker-record.js";
import { stopAbandonedWorkers } from "./abandoned-workers.js";
import type { PoolWarning } from "./hooks.js";
import { CLAIM_TTL_MS, keepClaimAlive } from "./spawn-claim.js";

/**
 * Spawns that may be under way on one device at once under `maxWorkersPerDevice` (a limit higher than
 * this makes further spawns wait for one of them to be recorded, never exceed the limit). Every count
 * reads this many slots, whatever its own limit: pools with different limits still see each other's.
 */
export const DEVICE_SLOTS = 64;
/**
 * A turn lasts one count (milliseconds). A holder that stalls longer may lose it; it then withdraws the
 * slot it took (the turn is checked again before a slot is kept), so two counts never overlap unseen.
 */
const TURN_TTL_MS = 5_000;

/** Room for one spawn on the device, held until given back (renewed meanwhile; gone at once if its process dies). */
export type DeviceSlot = { release(): Promise<void> };

export type DeviceAttempt =
  | { readonly kind: "reserved"; readonly slot: DeviceSlot }
  /** No room: `workers` are this host's running workers, among which an idle one may be stopped to make room. */
  | { readonly kind: "full"; readonly limit: number; readonly workers: readonly WorkerRecord[] }
  /** Another process is counting, or room was just made: look again shortly. */
  | { readonly kind: "retry" };

/**
 * `maxWorkersPerDevice` as a reservation that holds across processes, built only on the store's claims
 * (create-if-absent, one winner, a dead owner's claim taken over at once), so any `RegistryStore` has it:
 *
 * - The device's **turn** (claim `capacity\0<host>\0turn`): only its holder counts and takes room, in any
 *   process. It is held for one count and never while waiting, so a process that only waits for room
 *   holds nothing anyone counts.
 * - **Slots** (claims `capacity\0<host>\0<i>`): room taken for a spawn under way. Its spawner holds one
 *   from its count until its worker's record is written, renewing it; from then on the record counts.
 * - **The count**: this host's records whose process runs, whatever their status (a worker being stopped
 *   occupies the device until it has exited) + slots held, by any pool of any process (each spawn once,
 *   however many pools a process has) + this pool's workers the registry does not have (a failed write).
 *   Other hosts' workers of a fleet store never count: the limit is per device.
 *
 * Slots are read before records: a spawner writes its record before it gives its slot up, so a spawn
 * missed by one read is seen by the other. For that moment it counts twice: room is refused, never
 * given twice.
 *
 * Why a turn rather than slots alone (take a slot, then count the others'): reservers counting at the same
 * time see each other's slots and all give up, over and over, while the device has room: the fault of
 * waiting processes counting against each other. Taking turns, exactly the spawns that fit hold slots.
 */
export class DeviceCapacity {
  readonly #store: RegistryStore;
  readonly #limit: number;
  readonly #owner: ClaimOwner;
  readonly #warn: (warning: PoolWarning) => void;

  constructor(store: RegistryStore, limit: number, self: ProcessIdentity, warn: (warning: PoolWarning) => void) {
    this.#store = store;
    this.#limit = limit;
    this.#owner = { pid: self.pid, ...(self.start !== undefined ? { start: self.start } : {}), host: store.hostId };
    this.#warn = warn;
  }

  get limit(): number {
    return this.#limit;
  }

  /** One look at the device: a slot when there is room, else what runs there (or: look again). */
  async tryReserve(workerId: string, own: readonly WorkerRecord[]): Promise<DeviceAttempt> {
    // A look without the turn first: a process waiting on a full device (the usual reason to look again)
    // delays nobody's turn. Only room seen here is worth the turn, and is counted again under it.
    const first = await this.#count(own);
    if (first.full) return this.#full(first.running);
    let turn: SpawnClaim | undefined;
    try {
      const attempt = await this.#store.acquireClaim({
        key: this.#key("turn"),
        workerId,
        owner: this.#owner,
        ttlMs: TURN_TTL_MS,
      });
      if (!attempt.acquired) return { kind: "retry" };
      turn = attempt.claim;
    } catch (error) {
      // A registry of a newer modelpool is read-only here: the count still holds, nothing can be reserved.
      if (!isRegistryVersionError(error)) throw error;
      return { kind: "reserved", slot: { release: async () => undefined } };
    }
    try {
      const count = await this.#count(own);
      if (count.full) return { kind: "full", limit: this.#limit, workers: count.running };
      return await this.#takeSlot(workerId, count.free, turn);
    } finally {
      await this.#giveBack(turn, "the device's capacity turn");
    }
  }

  /**
   * This host's running workers, and whether they with the spawns under way fill the device. Slots are
   * read before records (see the class comment).
   */
  async #count(own: readonly WorkerRecord[]): Promise<{ full: boolean; running: WorkerRecord[]; free: number[] }> {
    const slots = await Promise.all(
      Array.from({ length: DEVICE_SLOTS }, (_, i) => this.#store.readClaim(this.#key(String(i)))),
    );
    const hostId = this.#store.hostId;
    const running = (await this.#store.list()).filter(
      (record) => (record.host === undefined || record.host === hostId) && checkRecordedProcess(record).ok,
    );
    const recorded = new Set(running.map((record) => record.id));
    const unrecorded = own.filter((record) => !recorded.has(record.id) && checkRecordedProcess(record).ok);
    const free = slots.flatMap((slot, i) => (slot === undefined ? [i] : []));
    const reserved = DEVICE_SLOTS - free.length;
    return { full: running.length + unrecorded.length + reserved >= this.#limit, running, free };
  }

  /** Takes the first free slot, under the turn; keeps it only if the turn was this count's throughout. */
  async #takeSlot(workerId: string, free: readonly number[], turn: SpawnClaim): Promise<DeviceAttempt> {
    for (const i of free) {
      const attempt = await this.#store.acquireClaim({
        key: this.#key(String(i)),
        workerId,
        owner: this.#owner,
        ttlMs: CLAIM_TTL_MS,
      });
      if (!attempt.acquired) continue;
      // Renewed, the turn was this count's all along: no other count ran meanwhile that could have missed this slot.
      const stillOurs = await this.#store.renewClaim(turn, TURN_TTL_MS).catch(async (error: unknown) => {
        await this.#giveBack(attempt.claim, "a device slot");
        throw error;
      });
      if (!stillOurs) {
        await this.#giveBack(attempt.claim, "a device slot");
        return { kind: "retry" };
      }
      return { kind: "reserved", slot: this.#hold(attempt.claim) };
    }
    return { kind: "retry" }; // DEVICE_SLOTS spawns under way: wait for one to be recorded
  }

  /**
   * No room. Workers whose spawner died before they were ready take room that nobody can ever use (nobody
   * will record them ready): those are stopped, and the device is looked at again.
   */
  async #full(running: WorkerRecord[]): Promise<DeviceAttempt> {
    const stopped = await stopAbandonedWorkers(this.#store, running, { startsOnly: true });
    if (stopped.some(({ report }) => report.outcome === "stopped" || report.outcome === "already-gone")) {
      return { kind: "retry" };
    }
    return { kind: "full", limit: this.#limit, workers: running };
  }

  /** Renews the slot while its spawn runs (a model may take minutes to load); `release` gives it back once. */
  #hold(claim: SpawnClaim): DeviceSlot {
    const alive = keepClaimAlive(this.#store, claim);
    let released: Promise<void> | undefined;
    return {
      release: () => {
        alive.stop();
        released ??= this.#giveBack(alive.current(), "a device slot");
        return released;
      },
    };
  }

  /** Releases a claim; one that cannot be released is no longer renewed, so it lapses within its TTL. */
  async #giveBack(claim: SpawnClaim, what: string): Promise<void> {
    try {
      await this.#store.releaseClaim(claim);
    } catch (error) {
      this.#warn({ code: "REGISTRY_WRITE_FAILED", message: `could not release ${what}: ${String(error)}`, error });
    }
  }

  /** Per host: a fleet store holds the claims of every host, and each device has its own limit. */
  #key(name: string): string {
    return `capacity\u0000${this.#store.hostId}\u0000${name}`;
  }
}
