import { readFileSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { z } from "zod";
import { CorruptRegistryError } from "../errors/CorruptRegistryError.js";
import { InvalidOptionsError } from "../errors/InvalidOptionsError.js";
import { InvalidRequestError } from "../errors/InvalidRequestError.js";
import { RegistryVersionError } from "../errors/RegistryVersionError.js";
import { parseOrThrow } from "../schema/parse-or-throw.js";
import { type WorkerRecord, WorkerRecordSchema } from "../schema/worker-record.js";
import { writeFileDurably } from "./atomic-write.js";
import { defaultRegistryPath } from "./default-path.js";
import { type FileLockOptions, withFileLock } from "./file-lock.js";
import { assertSafeRegistryFile, ensureSafeRegistryDirectory } from "./permissions.js";
import { quarantineFile } from "./quarantine.js";
import { RegistryDraft } from "./RegistryDraft.js";
import { decodeRegistry, EMPTY_CONTENTS, encodeRegistry, type RegistryContents } from "./registry-contents.js";
import { REGISTRY_VERSION } from "./schema/index.js";
import { staleReason } from "./stale-record.js";

export const DeviceRegistryOptionsSchema = z.object({
  /** Defaults to `defaultRegistryPath()`. */
  path: z.string().min(1).optional(),
  /** How long a write waits for the inter-process lock before failing with LockTimeoutError. */
  lockTimeoutMs: z.number().int().positive().default(10_000),
  /** After how long without a refresh a lock is deemed left by a dead holder (at least 2000, proper-lockfile's floor). */
  lockStaleMs: z.number().int().min(2_000).default(10_000),
});
export type DeviceRegistryOptions = z.input<typeof DeviceRegistryOptionsSchema>;

export type PrunedRecord = { readonly record: WorkerRecord; readonly reason: string };

/** A file written this recently may be rewritten within the same mtime tick; do not trust a cache of it. */
const RACY_WINDOW_MS = 100;

type CachedRead = {
  key: string;
  trusted: boolean;
  contents: RegistryContents;
  byWorkerId?: Map<string, WorkerRecord[]>;
};

/**
 * The per-machine list of workers any process spawned. Reads are lock-free (writes are atomic renames)
 * and parse the file only when it changed; every read-modify-write holds an inter-process lock.
 */
export class DeviceRegistry {
  readonly path: string;
  readonly #lock: FileLockOptions;
  #cache: CachedRead | undefined;
  #directory: Promise<void> | undefined;

  constructor(options: DeviceRegistryOptions = {}) {
    const parsed = parseOrThrow(
      DeviceRegistryOptionsSchema,
      options,
      (issues) => new InvalidOptionsError("DeviceRegistry", issues),
    );
    this.path = resolve(parsed.path ?? defaultRegistryPath());
    this.#lock = { timeoutMs: parsed.lockTimeoutMs, staleMs: parsed.lockStaleMs };
  }

  /** The whole registry as it is now. Throws CorruptRegistryError after moving a corrupt file aside. */
  async read(): Promise<RegistryContents> {
    return (await this.#readCached()).contents;
  }

  /** Every worker record. */
  async list(): Promise<WorkerRecord[]> {
    return [...(await this.read()).workers];
  }

  /** The records of one workerId, from an index kept until the file changes. */
  async findByWorkerId(workerId: string): Promise<readonly WorkerRecord[]> {
    return (await this.lookup(workerId)).records;
  }

  /** The records of one workerId and the contents they come from, in one (cached) read. */
  async lookup(workerId: string): Promise<{ contents: RegistryContents; records: readonly WorkerRecord[] }> {
    const cached = await this.#readCached();
    if (!cached.byWorkerId) {
      cached.byWorkerId = new Map();
      for (const record of cached.contents.workers) {
        const list = cached.byWorkerId.get(record.workerId);
        if (list) list.push(record);
        else cached.byWorkerId.set(record.workerId, [record]);
      }
    }
    return { contents: cached.contents, records: cached.byWorkerId.get(workerId) ?? [] };
  }

  /** Inserts the record, or replaces the one with the same `id`. */
  async upsert(record: WorkerRecord): Promise<WorkerRecord> {
    const valid = parseOrThrow(WorkerRecordSchema, record, (issues) => new InvalidRequestError(issues));
    await this.mutate((draft) => draft.upsert(valid));
    return valid;
  }

  /** Removes the record with this `id`, or every record the predicate selects; returns what was removed. */
  async remove(target: string | ((record: WorkerRecord) => boolean)): Promise<WorkerRecord[]> {
    const predicate = typeof target === "string" ? (record: WorkerRecord) => record.id === target : target;
    return this.mutate((draft) => draft.remove(predicate));
  }

  /**
   * Removes records that no longer describe a usable worker: dead or recycled pids, stopped workers,
   * failed spawns, abandoned spawn claims. Never signals any process.
   */
  async prune(now = Date.now()): Promise<PrunedRecord[]> {
    return this.mutate((draft) => {
      const pruned: PrunedRecord[] = [];
      draft.remove((record) => {
        const reason = staleReason(record, now);
        if (reason !== undefined) pruned.push({ record, reason });
        return reason !== undefined;
      });
      return pruned;
    });
  }

  /**
   * Read-modify-write under the inter-process lock: `change` sees the freshest entries and edits the draft;
   * the file is rewritten atomically only if the draft changed. Other entries are carried over untouched.
   */
  async mutate<T>(change: (draft: RegistryDraft) => T | Promise<T>): Promise<T> {
    await this.#ensureDirectory();
    return withFileLock(this.path, this.#lock, async (guard) => {
      const current = await this.#readFreshOrQuarantine();
      if (current.readOnly) throw new RegistryVersionError(this.path, current.version, REGISTRY_VERSION);
      const draft = new RegistryDraft(current.workers);
      const result = await change(draft);
      if (draft.changed) {
        guard.assertHeld();
        await writeFileDurably(this.path, encodeRegistry(current, draft.workers, Date.now()));
        this.#cache = undefined;
      }
      return result;
    });
  }

  async #readCached(): Promise<CachedRead> {
    await this.#ensureDirectory();
    const stats = statSync(this.path, { bigint: true, throwIfNoEntry: false });
    if (!stats) return { key: "missing", trusted: true, contents: EMPTY_CONTENTS };
    assertSafeRegistryFile(this.path, { mode: Number(stats.mode), uid: Number(stats.uid) });
    const key = `${stats.dev}:${stats.ino}:${stats.size}:${stats.mtimeNs}:${stats.ctimeNs}`;
    if (this.#cache?.key === key && this.#cache.trusted) return this.#cache;
    const trusted = Date.now() - Number(stats.mtimeMs) > RACY_WINDOW_MS;
    const text = readText(this.path);
    if (text === undefined) return { key: "missing", trusted: true, contents: EMPTY_CONTENTS };
    const decoded = decodeRegistry(text);
    if (decoded.ok) {
      this.#cache = { key, trusted, contents: decoded.contents };
      return this.#cache;
    }
    // Moving a file aside is a write: re-check under the lock, where no modelpool writer is midway.
    await withFileLock(this.path, this.#lock, () => this.#readFreshOrQuarantine());
    return this.#readCached();
  }

  /** Under the lock: the file's contents, or (if corrupt) the file moved aside and a CorruptRegistryError. */
  async #readFreshOrQuarantine(): Promise<RegistryContents> {
    const stats = statSync(this.path, { throwIfNoEntry: false });
    if (!stats) return EMPTY_CONTENTS;
    assertSafeRegistryFile(this.path, stats);
    const text = readText(this.path);
    if (text === undefined) return EMPTY_CONTENTS;
    const decoded = decodeRegistry(text);
    if (decoded.ok) return decoded.contents;
    const quarantined = await quarantineFile(this.path);
    this.#cache = undefined;
    throw new CorruptRegistryError(this.path, decoded.detail, quarantined);
  }

  #ensureDirectory(): Promise<void> {
    this.#directory ??= ensureSafeRegistryDirectory(dirname(this.path)).catch((error: unknown) => {
      this.#directory = undefined;
      throw error;
    });
    return this.#directory;
  }
}

/** The file's text, or undefined if it vanished since it was stat'ed (moved aside by another process). */
function readText(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}
