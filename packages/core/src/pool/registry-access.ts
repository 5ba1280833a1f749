import { isRegistryUnavailableError } from "../errors/RegistryUnavailableError.js";
import { isRegistryVersionError } from "../errors/RegistryVersionError.js";
import type { RegistryStore, UnreadableRecord } from "../registry/store/RegistryStore.js";
import type { WorkerRecord } from "../schema/worker-record.js";
import type { PoolWarning } from "./hooks.js";

/** `fail`: a registry that cannot be reached fails the request. `local-only`: warn, and go on with this pool's own workers. */
export type RegistryUnavailablePolicy = "fail" | "local-only";

/**
 * How the pool's parts use the registry: a newer registry is read-only (warn, skip), writes the pool can
 * do without become warnings, and an unreachable registry fails or is worked around as configured.
 */
export class RegistryAccess {
  readonly store: RegistryStore | undefined;
  readonly warn: (warning: PoolWarning) => void;
  readonly #onUnavailable: RegistryUnavailablePolicy;
  readonly #warnedUnreadable = new Set<string>();

  constructor(
    store: RegistryStore | undefined,
    onUnavailable: RegistryUnavailablePolicy,
    warn: (warning: PoolWarning) => void,
  ) {
    this.store = store;
    this.#onUnavailable = onUnavailable;
    this.warn = warn;
  }

  /** Runs a registry write. A registry of a newer version is read-only: warn and skip (undefined). Anything else propagates. */
  async write<T>(write: (registry: RegistryStore) => Promise<T>): Promise<T | undefined> {
    const registry = this.store;
    if (!registry) return undefined;
    try {
      return await write(registry);
    } catch (error) {
      if (isRegistryVersionError(error)) {
        this.warn({ code: "REGISTRY_READ_ONLY", message: error.message, error });
        return undefined;
      }
      throw error;
    }
  }

  /** A registry write the caller can do without: a failure becomes a REGISTRY_WRITE_FAILED warning. */
  async writeOrWarn(what: string, write: (registry: RegistryStore) => Promise<unknown>): Promise<void> {
    try {
      await this.write(write);
    } catch (error) {
      this.warn({ code: "REGISTRY_WRITE_FAILED", message: `could not ${what}: ${String(error)}`, error });
    }
  }

  /**
   * The registry's records of one workerId. Unreachable: with `local-only`, a REGISTRY_UNAVAILABLE warning
   * and no records (the pool goes on with its own workers); with `fail`, the error.
   */
  async lookup(workerId: string): Promise<readonly WorkerRecord[]> {
    const registry = this.store;
    if (!registry) return [];
    try {
      const read = await registry.lookup(workerId);
      this.#noticeUnreadable(read.unreadable);
      return read.records;
    } catch (error) {
      if (this.#onUnavailable === "local-only" && isRegistryUnavailableError(error)) {
        this.warn({
          code: "REGISTRY_UNAVAILABLE",
          message: `${error.message}; going on with this pool's own workers`,
          error,
        });
        return [];
      }
      throw error;
    }
  }

  /**
   * The records of one workerId as the store last read them, without a request — only from a store that
   * checks a lease judged from them in the same step as it writes it (`holdJudged`); else undefined.
   */
  recent(workerId: string): readonly WorkerRecord[] | undefined {
    const registry = this.store;
    if (!registry?.recent || !registry.holdJudged) return undefined;
    const read = registry.recent(workerId);
    if (!read) return undefined;
    this.#noticeUnreadable(read.unreadable);
    return read.records;
  }

  /** Whether an error is one the pool works around (`local-only` and the registry unreachable). */
  worksAround(error: unknown): boolean {
    return this.#onUnavailable === "local-only" && isRegistryUnavailableError(error);
  }

  /** Warns once per unreadable record and reason (they are kept as they are and never reused). */
  #noticeUnreadable(all: readonly UnreadableRecord[]): void {
    const unreadable = all.filter((entry) => !this.#warnedUnreadable.has(`${entry.location}\u0000${entry.reason}`));
    const first = unreadable[0];
    if (!first) return;
    // Bounded: a registry full of broken files must not grow this set without end.
    if (this.#warnedUnreadable.size > 10_000) this.#warnedUnreadable.clear();
    for (const entry of unreadable) this.#warnedUnreadable.add(`${entry.location}\u0000${entry.reason}`);
    this.warn({
      code: "REGISTRY_ENTRIES_UNREADABLE",
      message: `${unreadable.length} record${unreadable.length === 1 ? "" : "s"} of registry ${this.store?.location} could not be read and will never be reused (kept as they are); first, ${first.location}: ${first.reason}`,
    });
  }
}
