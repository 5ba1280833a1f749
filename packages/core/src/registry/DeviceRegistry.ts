import { lstatSync, readdirSync, rmdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import * as z from "zod";
import { InvalidOptionsError } from "../errors/InvalidOptionsError.js";
import { InvalidRequestError } from "../errors/InvalidRequestError.js";
import { LockTimeoutError } from "../errors/LockTimeoutError.js";
import { NotARegistryError } from "../errors/NotARegistryError.js";
import { localHostId } from "../process/host-id.js";
import { ownProcessStart } from "../process/process-identity.js";
import { checkRecordedProcess, isLiveHolder } from "../process/recorded-process.js";
import { lazySchema } from "../schema/lazy-schema.js";
import { parseOrThrow } from "../schema/parse-or-throw.js";
import { type ClaimFailure, claimRequestSchema, type SpawnClaim } from "../schema/spawn-claim.js";
import { type LeaseHolder, LeaseHolderSchema, type WorkerRecord, WorkerRecordSchema } from "../schema/worker-record.js";
import { defaultLegacySources, defaultRegistryPath } from "./default-path.js";
import { MAX_RECORD_BYTES } from "./device/bounded-json.js";
import { ClaimDirectory, type StaleJudge } from "./device/claim-directory.js";
import { encodeFileName, hashedFileName, inDirectory } from "./device/file-names.js";
import {
  forgetHolderFile,
  holderFilesOf,
  removeHolderFiles,
  removeSupersededAndGoneHolders,
  replaceOwnHolderFile,
} from "./device/holder-entries.js";
import { encodeHolderFile, holderEntryName, holderFileName, nextHolderGeneration } from "./device/holder-file.js";
import { ensureOwnDirectory } from "./device/own-directory.js";
import { readRecordDirectory, recordsWithHolders, withHolders, withoutFileHolders } from "./device/record-directory.js";
import { encodeRecord, readRecordFile } from "./device/record-file.js";
import { RegistryRoot } from "./device/registry-root.js";
import { createNewFile, replaceFile, TEMP_PREFIX, unlinkQuietly } from "./device/replace-file.js";
import {
  announceUpdate,
  endUpdate,
  INTENT_SUFFIX,
  isVoidIntent,
  readIntent,
  updateUnderWay,
} from "./device/update-intent.js";
import type { LegacyRegistryFile } from "./legacy/LegacyRegistryFile.js";
import { LegacySources, MAX_LEGACY_SOURCES, sameWorkerRecord, withLegacy } from "./legacy/legacy-sources.js";
import { staleReason } from "./stale-record.js";
import type {
  ClaimAttempt,
  ClaimRelease,
  ClaimRequest,
  HeldByProcess,
  PrunedRecord,
  RecordChange,
  RecordRef,
  RegistryStore,
  StoreRead,
  UnreadableRecord,
} from "./store/RegistryStore.js";

/** Built on the first registry construction, not at import (see lazySchema). */
export const deviceRegistryOptionsSchema = lazySchema(() =>
  z.strictObject({
    /** The registry directory. Default: `defaultRegistryPath()`. */
    path: z.string().min(1).optional(),
    /**
     * Single-file registries of older formats to read as candidates (never written): paths, or a function
     * returning them, called on each lookup. Default: modelpool 0.1's file and the orchestrator's file at
     * their default paths when `path` is the default too, else none.
     */
    legacySources: z
      .union([
        z.array(z.string().min(1)).max(MAX_LEGACY_SOURCES),
        z.literal(false),
        // Asked again on each lookup (see LegacySources).
        z.custom<() => readonly string[] | false>((value) => typeof value === "function", "a function returning paths"),
      ])
      .optional(),
    /** How long a write waits for a record's lock (or a contended claim) before a LockTimeoutError. */
    lockTimeoutMs: z.number().int().positive().max(2_147_483_647).default(10_000),
    /**
     * Accepted for callers of earlier versions, and no longer deciding anything: a record lock whose holder
     * is alive is never taken over, however old (a dead holder's is taken over at once). A writer that
     * waits longer than `lockTimeoutMs` gets a LockTimeoutError naming the holder.
     * @deprecated no deadline decides for a live holder; this option has no effect.
     */
    lockStaleMs: z.number().int().positive().max(2_147_483_647).default(5_000),
    /** This machine's id in records (default `localHostId()`). */
    hostId: z.string().min(1).max(256).optional(),
  }),
);
export type DeviceRegistryOptions = z.input<ReturnType<typeof deviceRegistryOptionsSchema>>;

/** A directory changed this recently may change again within the same timestamp tick: re-read it next time. */
const RACY_WINDOW_MS = 50;
/** Temp files of writers killed midway are removed by `prune` once surely abandoned. */
const ABANDONED_TEMP_MS = 60_000;
/**
 * What a record lock's file says of its expiry: read by modelpool versions that took a lock over by its
 * age (those then wait for a live holder far longer than their lockTimeoutMs), never by this one.
 */
const LOCK_TTL_MS = 2_147_483_647;
/** Released claims and locks are cleared by `prune` after this long. */
const SETTLED_CLAIM_MS = 10 * 60_000;

type CachedLookup = { readonly key: string; readonly read: StoreRead };

/**
 * The per-machine registry: a directory with one small file per worker record
 * (`workers/<workerId>/<id>.json`), spawn claims and record locks as directories of exclusively created
 * files. No global lock: writers of different records never wait for each other. A lookup reads only the
 * requested workerId's files, and only when its directory changed since the last lookup.
 */
export class DeviceRegistry implements RegistryStore {
  readonly path: string;
  readonly location: string;
  readonly hostId: string;
  readonly #legacy: LegacySources;
  readonly #root: RegistryRoot;
  readonly #lockTimeoutMs: number;
  readonly #lookups = new Map<string, CachedLookup>();
  /**
   * workerId directories the last lookup of each found to be real directories (lstat: never a symlink),
   * each taken by the next `hold` on it instead of a second lstat — a lease right after its decision's
   * lookup. Taken once: any later write checks again.
   */
  readonly #justChecked = new Set<string>();
  readonly #judge: StaleJudge;
  readonly #lockJudge: StaleJudge;

  constructor(options: DeviceRegistryOptions = {}) {
    const parsed = parseOrThrow(
      deviceRegistryOptionsSchema(),
      options,
      (issues) => new InvalidOptionsError("DeviceRegistry", issues),
    );
    const isDefault = parsed.path === undefined && !process.env.MODELPOOL_REGISTRY;
    this.path = resolve(parsed.path ?? defaultRegistryPath());
    this.location = this.path;
    this.hostId = parsed.hostId ?? localHostId();
    this.#legacy = new LegacySources(parsed.legacySources ?? (isDefault ? defaultLegacySources() : false));
    this.#root = new RegistryRoot(this.path);
    this.#lockTimeoutMs = parsed.lockTimeoutMs;
    // A claim or a record lock is free only once its holder is gone. On this host that is its process
    // (pid and start time): a live holder keeps it however late its renewals are (a loaded machine, a
    // SIGSTOP, a paused VM), so a spawn under way is never started a second time and a write is never
    // overtaken. No clock decides for it. Another host's holder cannot be checked here: a claim's expiry
    // is the only signal it renews (its lapse says it is gone), and a record lock of another host is
    // waited for.
    this.#judge = (holder, now) => {
      if (holder.owner.host !== this.hostId) return holder.expiresAt <= now ? "it expired" : undefined;
      return ownerGone(holder);
    };
    this.#lockJudge = (holder) => (holder.owner.host === this.hostId ? ownerGone(holder) : undefined);
  }

  /** The legacy files read now (a `legacySources` function is asked again each time). */
  get legacySources(): readonly LegacyRegistryFile[] {
    return this.#legacy.current().files;
  }

  // ---- reading -------------------------------------------------------------------------------------

  async lookup(workerId: string): Promise<StoreRead> {
    const own = this.#root.readable() ? this.#lookupOwn(workerId) : { records: [], unreadable: [] };
    const { files, problem } = this.#legacy.current();
    if (files.length === 0 && !problem) return own;
    return withLegacy(
      own,
      files.map((source) => source.lookup(workerId)),
      problem,
    );
  }

  async list(): Promise<WorkerRecord[]> {
    return [...(await this.scan()).records];
  }

  async scan(): Promise<StoreRead> {
    const listed = this.#listOwn();
    const held: HeldByProcess[] = [];
    const unreadable = [...listed.unreadable, ...this.#inspectAnnouncements(held), ...this.#inspectClaims(held)];
    const own: StoreRead = { records: listed.records, unreadable, held };
    const { files, problem } = this.#legacy.current();
    if (files.length === 0 && !problem) return own;
    return withLegacy(
      own,
      files.map((source) => source.list()),
      problem,
    );
  }

  /**
   * Update announcements for people: those that do not read as one (reported; they hold nothing off) and
   * those under way now (added to `held`: owner alive and holding the record's lock).
   */
  #inspectAnnouncements(held: HeldByProcess[]): UnreadableRecord[] {
    const unreadable: UnreadableRecord[] = [];
    if (!this.#root.readable()) return unreadable;
    for (const dir of this.#workerDirectories()) {
      const names = readdirSync(dir).filter((name) => name.endsWith(INTENT_SUFFIX));
      if (names.length === 0) continue;
      const records = readRecordDirectory(dir, undefined).records;
      for (const name of names) {
        const read = readIntent(join(dir, name));
        if (!read.ok) {
          if (!read.missing) unreadable.push({ location: join(dir, name), reason: read.reason });
          continue;
        }
        const record = records.find((found) => name.startsWith(`${encodeFileName(found.id)}.`));
        const holder = record && this.#recordLock(record).holder();
        if (record && holder && holder.owner.pid === read.intent.pid && holder.owner.start === read.intent.start) {
          held.push({
            what: "update",
            location: join(dir, name),
            workerId: record.workerId,
            recordId: record.id,
            pid: read.intent.pid,
            start: read.intent.start,
          });
        }
      }
    }
    return unreadable;
  }

  /** Record locks and spawn claims for people: who holds each now, and files in them that are not claims. */
  #inspectClaims(held: HeldByProcess[]): UnreadableRecord[] {
    const unreadable: UnreadableRecord[] = [];
    if (!this.#root.readable()) return unreadable;
    for (const [parent, what] of [
      [this.#root.locks, "record lock"],
      [this.#root.claims, "spawn claim"],
    ] as const) {
      if (!lstatSync(parent, { throwIfNoEntry: false })?.isDirectory()) continue;
      for (const name of readdirSync(parent)) {
        if (name.startsWith(".")) continue;
        const dir = join(parent, name);
        if (!lstatSync(dir, { throwIfNoEntry: false })?.isDirectory()) {
          unreadable.push({ location: dir, reason: "not a directory (never followed)" });
          continue;
        }
        const inspected = new ClaimDirectory(dir, what === "record lock" ? this.#lockJudge : this.#judge).inspect();
        unreadable.push(...inspected.unreadable);
        const holder = inspected.holder;
        if (!holder) continue;
        const [, workerId, recordId] = what === "record lock" ? holder.key.split("\u0000") : [];
        held.push({
          what,
          location: dir,
          workerId: workerId ?? holder.workerId,
          ...(recordId === undefined ? {} : { recordId }),
          pid: holder.owner.pid,
          start: holder.owner.start,
          host: holder.owner.host,
        });
      }
    }
    return unreadable;
  }

  /** Every record of this registry's own directory (not of legacy sources). */
  #listOwn(): StoreRead {
    const records: WorkerRecord[] = [];
    const unreadable: UnreadableRecord[] = [];
    if (!this.#root.readable()) return { records, unreadable };
    let entries: import("node:fs").Dirent[];
    try {
      entries = readdirSync(this.#root.workers, { withFileTypes: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return { records, unreadable };
      throw error;
    }
    for (const entry of entries) {
      if (entry.name.startsWith(".")) continue;
      const dir = join(this.#root.workers, entry.name);
      if (!entry.isDirectory()) {
        unreadable.push({ location: dir, reason: "not a directory (never followed)" });
        continue;
      }
      const read = recordsWithHolders(readRecordDirectory(dir, undefined));
      for (const record of read.records) {
        if (encodeFileName(record.workerId) === entry.name) records.push(record);
        else
          unreadable.push({
            location: join(dir, `${encodeFileName(record.id)}.json`),
            reason: `it names workerId ${JSON.stringify(record.workerId)} but is filed under another`,
          });
      }
      unreadable.push(...read.unreadable);
    }
    return { records, unreadable };
  }

  #lookupOwn(workerId: string): StoreRead {
    const dir = inDirectory(this.#root.workers, encodeFileName(workerId));
    const stats = lstatSync(dir, { bigint: true, throwIfNoEntry: false });
    // When the directory was looked at, not when reading it ended: a slow read must not make a change
    // of the same timestamp tick look older than it is.
    const statedAt = Date.now();
    if (!stats) {
      this.#lookups.delete(workerId);
      return { records: [], unreadable: [] };
    }
    if (!stats.isDirectory()) {
      this.#justChecked.delete(dir);
      return { records: [], unreadable: [{ location: dir, reason: "not a directory (never followed)" }] };
    }
    if (this.#justChecked.size >= 1_024) this.#justChecked.clear();
    this.#justChecked.add(dir);
    const key = `${stats.ino}:${stats.mtimeNs}:${stats.ctimeNs}`;
    const cached = this.#lookups.get(workerId);
    if (cached?.key === key) return cached.read;
    const read = recordsWithHolders(readRecordDirectory(dir, workerId));
    // Trusted only once the directory's timestamp is older than a tick: a change within the same tick
    // would leave the key as it is.
    if (statedAt - Number(stats.mtimeMs) > RACY_WINDOW_MS) this.#lookups.set(workerId, { key, read });
    else this.#lookups.delete(workerId);
    return read;
  }

  // ---- writing records ------------------------------------------------------------------------------

  async put(record: WorkerRecord): Promise<WorkerRecord> {
    const valid = this.#validRecord(record);
    await this.#withRecordLock(valid, (write) => {
      const dir = this.#recordDirectory(valid.workerId, true);
      // Its holders first, each as its own file: the record is held from the instant it is visible.
      const files = (valid.holders ?? []).map((holder) => ({ ...holder, record: valid.id }));
      for (const file of files) {
        const name = holderFileName(valid.id, file, nextHolderGeneration());
        write(dir, name, encodeHolderFile(valid.id, file));
        // This process's own entry: its next generation replaces this one directly (see `hold`).
        if (file.pid === process.pid && file.start === ownProcessStart()) {
          replaceOwnHolderFile(dir, holderEntryName(valid.id, file), name, file);
        }
      }
      write(dir, `${encodeFileName(valid.id)}.json`, encodeRecord(withoutFileHolders(valid, files)));
    });
    return valid;
  }

  /** `put`, only if no file stands at the record's name (readable or not). */
  async #putIfAbsent(record: WorkerRecord): Promise<boolean> {
    const valid = this.#validRecord(record);
    return this.#withRecordLock(valid, (write) => {
      const dir = this.#recordDirectory(valid.workerId, true);
      const name = `${encodeFileName(valid.id)}.json`;
      if (lstatSync(join(dir, name), { throwIfNoEntry: false })) return false;
      write(dir, name, encodeRecord(valid));
      return true;
    });
  }

  /** Old name of `put`, kept for callers of modelpool 0.1. */
  upsert(record: WorkerRecord): Promise<WorkerRecord> {
    return this.put(record);
  }

  /**
   * Under the record's lock, and announced (`update-intent.ts`): the announcement is written first, then
   * the lease entries are read and `change` decides with them, then the record is written and the
   * announcement removed. A lease entry written meanwhile waits for the announcement to end before its
   * process reads the record (see `hold`): one of the two always sees the other, and nothing provisional
   * is ever written. Entries of processes that are gone are cleared on the way.
   */
  async update(ref: RecordRef, change: RecordChange): Promise<WorkerRecord | undefined> {
    if (!this.#root.readable()) return undefined;
    return this.#withRecordLock(ref, (write, lockToken) => {
      const dir = this.#recordDirectory(ref.workerId, false);
      const name = `${encodeFileName(ref.id)}.json`;
      const stored = readRecordFile(join(dir, name), ref);
      if (!stored.ok) return undefined; // absent, or unreadable: kept as it is, never rewritten
      const intent = announceUpdate(dir, ref.id, { pid: process.pid, start: ownProcessStart(), lock: lockToken });
      try {
        const directory = readRecordDirectory(dir, ref.workerId);
        removeSupersededAndGoneHolders(dir, directory);
        const files = holderFilesOf(directory, ref.id).filter(isLiveHolder);
        const current = withHolders(stored.record, files);
        const next = change(current);
        if (next === undefined) return current;
        // Validated as the file holds it: entries with files of their own are not part of it.
        const valid = this.#validRecord(withoutFileHolders(next, files));
        if (valid.workerId !== ref.workerId || valid.id !== ref.id) {
          throw new InvalidRequestError([{ path: ["id"], message: "update may not change a record's workerId or id" }]);
        }
        // Written while the announcement holds: no lease reads the record before this lands (or this
        // process dies, and then nothing lands).
        write(dir, name, encodeRecord(valid));
        return withHolders(valid, files);
      } finally {
        endUpdate(intent);
      }
    });
  }

  /**
   * Writes this process's lease entry on a record (`holder`: its pid, start token, count and last use)
   * as a small file of its own — no lock, no rewrite of the record — then, once no update of the record
   * is under way (see `update`), reads the record file again: resolves to the record as it stands once
   * the entry is visible (a caller checks it was not stopped or drained meanwhile), with this entry among
   * its holders; or `undefined` when there is no such record (the entry is taken back). Other processes'
   * entries are not read again here (`lookup` reads them). A release (`leases: 0`) also clears entries of
   * processes that are gone.
   */
  async hold(ref: RecordRef, holder: LeaseHolder): Promise<WorkerRecord | undefined> {
    if (!this.#root.readable()) return undefined;
    const entry = parseOrThrow(LeaseHolderSchema, holder, (issues) => new InvalidRequestError(issues));
    this.#prepareForWriting();
    const dir = this.#recordDirectory(ref.workerId, false, true);
    let name: string;
    try {
      // Always under a new name (the next generation), created exclusively in one call and written in
      // one: see `holder-file.ts` for why not over the old one, and why a reader that sees it before its
      // content takes it for not written yet (an update reading then is seen by this lease in turn).
      // A stray file at a name of ours (nobody else writes our entry's names) is passed over.
      for (let tries = 1; ; tries++) {
        name = holderFileName(ref.id, entry, nextHolderGeneration());
        if (createNewFile(dir, name, encodeHolderFile(ref.id, entry))) break;
        if (tries >= 8) throw new NotARegistryError(dir, `files stand at this process's lease entry names (${name})`);
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined; // no directory: no record
      throw error;
    }
    const key = replaceOwnHolderFile(dir, holderEntryName(ref.id, entry), name, { ...entry, record: ref.id });
    const takeBack = () => {
      unlinkQuietly(inDirectory(dir, name));
      forgetHolderFile(key, name);
    };
    try {
      await this.#untilNoUpdate(dir, ref);
    } catch (error) {
      // The record was never read: this entry must not stand as a lease the caller may not get.
      takeBack();
      throw error;
    }
    const current = readRecordFile(inDirectory(dir, `${encodeFileName(ref.id)}.json`), ref);
    if (!current.ok) {
      takeBack();
      return undefined;
    }
    if (entry.leases === 0) removeSupersededAndGoneHolders(dir, readRecordDirectory(dir, ref.workerId));
    return withHolders(current.record, [{ ...entry, record: ref.id }]);
  }

  /**
   * Waits until no announced update of the record is under way: until it ends or its updater dies, never
   * until some time says a live updater may be ignored. Bounded by `lockTimeoutMs`, after which the
   * caller refuses the lease (LockTimeoutError naming the updater).
   */
  async #untilNoUpdate(dir: string, ref: RecordRef): Promise<void> {
    const started = performance.now();
    const lock = this.#recordLock(ref);
    const lockHolder = () => lock.holder();
    for (let attempt = 0; ; attempt++) {
      const updater = updateUnderWay(dir, ref.id, lockHolder);
      if (!updater) return;
      if (performance.now() - started >= this.#lockTimeoutMs) {
        throw new LockTimeoutError(
          dir,
          this.#lockTimeoutMs,
          "an announced update of the record did not end",
          updater.start === undefined ? { pid: updater.pid } : { pid: updater.pid, start: updater.start },
        );
      }
      await sleep(Math.min(1 + attempt, 10));
    }
  }

  /** Removes one record, named by reference or (searching every workerId) by its id alone. */
  async remove(target: RecordRef | string): Promise<boolean> {
    if (!this.#root.readable()) return false;
    const ref = typeof target === "string" ? this.#listOwn().records.find((record) => record.id === target) : target;
    if (!ref) return false;
    return this.#withRecordLock(ref, () => {
      const dir = this.#recordDirectory(ref.workerId, false);
      const path = join(dir, `${encodeFileName(ref.id)}.json`);
      // Only a record that reads as the one named: an unreadable file is kept for a person to look at.
      if (!(readRecordFile(path, ref).ok && unlinkQuietly(path))) return false;
      removeHolderFiles(dir, readRecordDirectory(dir, ref.workerId), ref.id);
      return true;
    });
  }

  /**
   * Removes records that no longer describe a usable worker — dead or recycled pids, stopped workers,
   * failed spawns, abandoned starts — and temp files of writers killed midway. Never signals a process,
   * never touches an unreadable record or a legacy file.
   */
  async prune(now = Date.now()): Promise<PrunedRecord[]> {
    if (!this.#root.readable()) return [];
    const pruned: PrunedRecord[] = [];
    for (const record of this.#listOwn().records) {
      const reason = staleReason(record, this.hostId, now);
      if (reason === undefined) continue;
      const removed = await this.#withRecordLock(record, () => {
        const path = join(this.#recordDirectory(record.workerId, false), `${encodeFileName(record.id)}.json`);
        const current = readRecordFile(path, record);
        // Judged again under the lock: it may have been rewritten (a restart, a lease) since it was listed.
        return current.ok && staleReason(current.record, this.hostId, now) !== undefined && unlinkQuietly(path);
      });
      if (removed) pruned.push({ record, reason });
    }
    this.#removeStrayHolderFiles();
    // By the real clock, whatever `now` says of records: a temp file is a writer's until surely abandoned.
    this.#removeAbandonedTempFiles(Date.now());
    const existing = new Set(this.#listOwn().records.map((record) => hashedFileName(recordLockKey(record))));
    removeSettledLockDirectories(this.#root.locks, existing, now);
    return pruned;
  }

  /**
   * Lease entries of processes that are gone, and of records that are gone (a holder killed mid-`hold`),
   * and announcements whose owner does not hold the record's lock (gone, or done and left it behind).
   */
  #removeStrayHolderFiles(): void {
    for (const dir of this.#workerDirectories()) {
      const directory = readRecordDirectory(dir, undefined);
      for (const name of readdirSync(dir)) {
        if (!name.endsWith(INTENT_SUFFIX)) continue;
        // The encoded record id is the name up to its first dot (encodings have none). An announcement
        // of a record not in the listing is left alone: that record may have been written since.
        const record = directory.records.find((found) => name.startsWith(`${encodeFileName(found.id)}.`));
        if (!record) continue;
        const lock = this.#recordLock(record);
        const holder = () => lock.holder();
        if (isVoidIntent(join(dir, name), holder)) unlinkQuietly(join(dir, name));
      }
      removeSupersededAndGoneHolders(dir, directory);
      const ids = new Set(directory.records.map((record) => record.id));
      for (const recordId of directory.holders.keys())
        if (!ids.has(recordId)) removeHolderFiles(dir, directory, recordId);
    }
  }

  /** Every workerId directory (real directories only, never followed). */
  #workerDirectories(): string[] {
    if (!lstatSync(this.#root.workers, { throwIfNoEntry: false })?.isDirectory()) return [];
    return readdirSync(this.#root.workers)
      .filter((name) => !name.startsWith("."))
      .map((name) => join(this.#root.workers, name))
      .filter((dir) => lstatSync(dir, { throwIfNoEntry: false })?.isDirectory() === true);
  }

  #removeAbandonedTempFiles(now: number): void {
    for (const dir of this.#workerDirectories()) {
      for (const name of readdirSync(dir)) {
        if (!name.startsWith(TEMP_PREFIX)) continue;
        const stats = lstatSync(join(dir, name), { throwIfNoEntry: false });
        if (stats?.isFile() && now - stats.mtimeMs > ABANDONED_TEMP_MS) unlinkQuietly(join(dir, name));
      }
    }
  }

  /**
   * Creates the registry if missing. A path that is a file, FIFO or symlink makes `mkdir` fail with
   * EEXIST: said as what it is (NotARegistryError), as reads say it, and nothing is changed.
   */
  #prepareForWriting(): void {
    try {
      this.#root.prepareForWriting();
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const stats = code === "EEXIST" ? lstatSync(this.path, { throwIfNoEntry: false }) : undefined;
      if (stats && !stats.isDirectory()) {
        throw new NotARegistryError(
          this.path,
          stats.isSymbolicLink() ? "it is a symbolic link (never followed)" : "it exists and is not a directory",
        );
      }
      throw error;
    }
  }

  #validRecord(record: WorkerRecord): WorkerRecord {
    const valid = parseOrThrow(WorkerRecordSchema, record, (issues) => new InvalidRequestError(issues));
    return valid.host === undefined ? { ...valid, host: this.hostId } : valid;
  }

  #recordDirectory(workerId: string, create: boolean, afterLookup = false): string {
    const dir = inDirectory(this.#root.workers, encodeFileName(workerId));
    if (create) ensureOwnDirectory(dir);
    // A lease right after its lookup: that lookup's lstat found a real directory (see #justChecked).
    else if (afterLookup && this.#justChecked.delete(dir)) return dir;
    else if (lstatSync(dir, { throwIfNoEntry: false })?.isDirectory() === false) {
      throw new NotARegistryError(dir, "it is a symbolic link or not a directory, and is never followed");
    }
    return dir;
  }

  /**
   * Runs `work` holding the record's lock (never taken from a live holder: see `#lockJudge`). `work`
   * hands its writes to `write`, which checks the lock is still held just before the rename — a last
   * line should anything else ever clear it (a person, a prune of a lock thought settled).
   */
  async #withRecordLock<T>(
    ref: RecordRef,
    work: (write: (dir: string, name: string, text: string) => void, lockToken: string) => T,
  ): Promise<T> {
    this.#prepareForWriting();
    const key = recordLockKey(ref);
    const lock = this.#recordLock(ref);
    const claim = await this.#acquireWaiting(lock, { key, workerId: ref.workerId, ttlMs: LOCK_TTL_MS });
    try {
      return work(
        (dir, name, text) =>
          replaceFile(dir, name, text, () => {
            if (!lock.stillHolds(claim)) {
              throw new LockTimeoutError(lock.dir, 0, "the lock was cleared while this write was under way");
            }
          }),
        claim.token,
      );
    } finally {
      lock.release(claim);
    }
  }

  /** The lock of one record: a claim directory that only a gone holder loses. */
  #recordLock(ref: RecordRef): ClaimDirectory {
    return new ClaimDirectory(join(this.#root.locks, hashedFileName(recordLockKey(ref))), this.#lockJudge);
  }

  /**
   * One acquisition, retried while racers keep winning the next number ("contended") and, with
   * `waitForHolder`, while someone holds it; bounded by `lockTimeoutMs`.
   */
  async #acquire(
    directory: ClaimDirectory,
    request: ClaimRequest,
    options: { waitForHolder: boolean },
  ): Promise<ClaimAttempt> {
    const started = performance.now();
    for (let attempt = 0; ; attempt++) {
      const result = directory.acquire((token) => {
        const now = Date.now();
        const { key, workerId, owner, ttlMs } = request;
        return { key, token, workerId, owner, acquiredAt: now, expiresAt: now + ttlMs };
      });
      if (result !== "contended" && (result.acquired || !options.waitForHolder)) return result;
      const waited = performance.now() - started;
      if (waited >= this.#lockTimeoutMs) {
        const holder = result !== "contended" && "holder" in result ? result.holder : undefined;
        throw new LockTimeoutError(
          directory.dir,
          Math.round(waited),
          holder ? "another process holds it" : "too many writers at once",
          holder &&
            (holder.owner.start === undefined
              ? { pid: holder.owner.pid }
              : { pid: holder.owner.pid, start: holder.owner.start }),
        );
      }
      await sleep(Math.min(1 + attempt, 20));
    }
  }

  async #acquireWaiting(
    directory: ClaimDirectory,
    request: { key: string; workerId: string; ttlMs: number },
  ): Promise<SpawnClaim> {
    const attempt = await this.#acquire(directory, { ...request, owner: this.#self() }, { waitForHolder: true });
    if (!attempt.acquired) throw new Error("unreachable: #acquire waits until acquired"); // for the type only
    return attempt.claim;
  }

  #self(): SpawnClaim["owner"] {
    const live = ownProcessStart();
    return { pid: process.pid, ...(live ? { start: live } : {}), host: this.hostId };
  }

  #claimDirectory(dir: string): ClaimDirectory {
    return new ClaimDirectory(dir, this.#judge);
  }

  /** The directory of the spawn claim on `key`. */
  #spawnClaim(key: string): ClaimDirectory {
    return this.#claimDirectory(join(this.#root.claims, hashedFileName(key)));
  }

  // ---- spawn claims -------------------------------------------------------------------------------

  async acquireClaim(input: ClaimRequest): Promise<ClaimAttempt> {
    const request = parseOrThrow(claimRequestSchema(), input, (issues) => new InvalidRequestError(issues));
    this.#prepareForWriting();
    return this.#acquire(this.#spawnClaim(request.key), request, { waitForHolder: false });
  }

  async readClaim(key: string): Promise<SpawnClaim | ClaimFailure | undefined> {
    if (!this.#root.readable()) return undefined;
    const read = this.#spawnClaim(key).read();
    return read?.key === key ? read : undefined;
  }

  async renewClaim(claim: SpawnClaim, ttlMs: number): Promise<SpawnClaim | undefined> {
    if (!this.#root.readable()) return undefined;
    return this.#spawnClaim(claim.key).renew(claim, ttlMs);
  }

  async releaseClaim(claim: SpawnClaim, release?: ClaimRelease): Promise<void> {
    if (!this.#root.readable()) return;
    this.#spawnClaim(claim.key).release(claim, release);
  }

  // ---- legacy -------------------------------------------------------------------------------------

  /**
   * Copies the workers of the legacy sources into this registry (same ids, every field kept), leaving
   * the legacy files exactly as they are. Records already here, and unreadable entries, are skipped.
   */
  async migrateLegacy(): Promise<{
    copied: WorkerRecord[];
    skipped: { record: WorkerRecord; reason: string }[];
    unreadable: UnreadableRecord[];
    /** Legacy files that could not be read at all (the CLI exits non-zero on them). */
    unreadableSources: string[];
  }> {
    const ownRecords = this.#listOwn().records;
    const own = new Set(ownRecords.map((record) => `${record.workerId}\u0000${record.id}`));
    const copied: WorkerRecord[] = [];
    const skipped: { record: WorkerRecord; reason: string }[] = [];
    const unreadable: UnreadableRecord[] = [];
    const unreadableSources: string[] = [];
    for (const source of this.legacySources) {
      const read = source.list();
      unreadable.push(...read.unreadable);
      // The file itself could not be read (as opposed to some of its entries): the caller must know.
      if (read.unreadable.some((entry) => entry.location === source.path)) unreadableSources.push(source.path);
      for (const record of read.records) {
        const key = `${record.workerId}\u0000${record.id}`;
        if (own.has(key)) {
          skipped.push({ record, reason: "already in this registry" });
          continue;
        }
        const same = sameWorkerRecord(record, ownRecords);
        if (same) {
          skipped.push({ record, reason: `the same worker as record ${same.id}` });
          continue;
        }
        // Only what this registry's reader takes back: a bigger record file would be refused forever.
        if (Buffer.byteLength(encodeRecord(record)) > MAX_RECORD_BYTES) {
          skipped.push({ record, reason: `larger than the ${MAX_RECORD_BYTES} bytes a record file may have` });
          continue;
        }
        // Created only where no file of that name exists: an unreadable record with that id is kept.
        if (!(await this.#putIfAbsent(record))) {
          skipped.push({ record, reason: "a record file with that id exists here (unreadable: kept as it is)" });
          continue;
        }
        own.add(key);
        copied.push(record);
      }
    }
    return { copied, skipped, unreadable, unreadableSources };
  }
}

function recordLockKey(ref: RecordRef): string {
  return `record\u0000${ref.workerId}\u0000${ref.id}`;
}

/**
 * The lock directories of records that no longer exist, once every file in them is released and older
 * than `SETTLED_CLAIM_MS` (one is left per record ever written). Removing a directory restarts its
 * numbering, which is only safe where nobody will take that lock for a record that matters again: record
 * ids are never reused, and a write racing this removal finds no record. Spawn claims are never removed
 * (there is one per workerId and fingerprint, a bounded set).
 */
function removeSettledLockDirectories(parent: string, existing: ReadonlySet<string>, now: number): void {
  if (!lstatSync(parent, { throwIfNoEntry: false })?.isDirectory()) return;
  for (const name of readdirSync(parent)) {
    if (existing.has(name)) continue;
    const dir = join(parent, name);
    if (!lstatSync(dir, { throwIfNoEntry: false })?.isDirectory()) continue;
    const entries = readdirSync(dir);
    const settled = entries.every((entry) => {
      const stats = lstatSync(join(dir, entry), { throwIfNoEntry: false });
      return (
        (entry.endsWith(".released") || entry.startsWith(TEMP_PREFIX)) &&
        (!stats || now - stats.mtimeMs > SETTLED_CLAIM_MS)
      );
    });
    if (!settled) continue;
    for (const entry of entries) unlinkQuietly(join(dir, entry));
    try {
      rmdirSync(dir);
    } catch {
      // someone claimed it again meanwhile: it stays
    }
  }
}

/** Why a claim's holder on this host is gone (its process ended, or the pid now names another), if it is. */
function ownerGone(holder: SpawnClaim): string | undefined {
  const check = checkRecordedProcess({
    pid: holder.owner.pid,
    pidStart: holder.owner.start,
    startedAt: holder.acquiredAt,
  });
  return check.ok ? undefined : `its owner is gone (${check.reason})`;
}
