import { statSync } from "node:fs";
import { resolve } from "node:path";
import type { WorkerRecord } from "../../schema/worker-record.js";
import { MAX_RECORD_BYTES, parseBoundedJson } from "../device/bounded-json.js";
import { decodeRecord } from "../device/record-file.js";
import { readOwnSmallFile } from "../device/safe-read.js";
import { migrate as migrateV1 } from "../schema/v1/index.js";
import type { StoreRead, UnreadableRecord } from "../store/RegistryStore.js";

/** A single-file registry can hold many thousands of entries; past this it is not one. */
const MAX_LEGACY_BYTES = 64 * 1024 * 1024;
/** A file changed this recently may change again within the same timestamp tick: do not trust a cache of it. */
const RACY_WINDOW_MS = 50;
const EMPTY: StoreRead = { records: [], unreadable: [] };

type Loaded = {
  readonly key: string;
  readonly trusted: boolean;
  /** Worker entries by workerId, raw: only those looked up are validated. */
  readonly byWorkerId: Map<string, { index: number; entry: unknown }[]>;
  readonly validated: Map<string, StoreRead>;
  readonly problem: UnreadableRecord | undefined;
};

/**
 * A single-file registry of an older format (modelpool 0.1's version 2, or the orchestrator's version 1),
 * read as a source of candidates and never written, renamed or moved: the program that owns it keeps
 * working exactly as before. Parsed only when the file changed; entries validated only when looked up.
 */
export class LegacyRegistryFile {
  readonly path: string;
  #loaded: Loaded | undefined;

  constructor(path: string) {
    this.path = resolve(path);
  }

  lookup(workerId: string): StoreRead {
    const loaded = this.#load();
    if (!loaded) return EMPTY;
    let read = loaded.validated.get(workerId);
    if (!read) {
      read = this.#validate(loaded.byWorkerId.get(workerId) ?? []);
      loaded.validated.set(workerId, read);
    }
    return loaded.problem ? { records: read.records, unreadable: [...read.unreadable, loaded.problem] } : read;
  }

  list(): StoreRead {
    const loaded = this.#load();
    if (!loaded) return EMPTY;
    const records: WorkerRecord[] = [];
    const unreadable: UnreadableRecord[] = loaded.problem ? [loaded.problem] : [];
    for (const workerId of loaded.byWorkerId.keys()) {
      const read = this.lookup(workerId);
      records.push(...read.records);
      unreadable.push(...read.unreadable.filter((entry) => entry !== loaded.problem));
    }
    return { records, unreadable };
  }

  #validate(entries: readonly { index: number; entry: unknown }[]): StoreRead {
    const records: WorkerRecord[] = [];
    const unreadable: UnreadableRecord[] = [];
    for (const { index, entry } of entries) {
      const text = JSON.stringify(entry);
      // Bounded like a record file: an entry this registry could not hold as a record is not a candidate.
      const decoded =
        Buffer.byteLength(text) > MAX_RECORD_BYTES
          ? { ok: false as const, reason: `it is more than the ${MAX_RECORD_BYTES} bytes a record may have` }
          : decodeRecord(text);
      if (decoded.ok) records.push(decoded.record);
      else unreadable.push({ location: `${this.path} entries[${index}]`, reason: decoded.reason });
    }
    return { records, unreadable };
  }

  #load(): Loaded | undefined {
    const stats = statSync(this.path, { bigint: true, throwIfNoEntry: false });
    if (!stats) {
      this.#loaded = undefined;
      return undefined;
    }
    const key = `${stats.dev}:${stats.ino}:${stats.size}:${stats.mtimeNs}:${stats.ctimeNs}`;
    if (this.#loaded?.key === key && this.#loaded.trusted) return this.#loaded;
    const trusted = Date.now() - Number(stats.mtimeMs) > RACY_WINDOW_MS;
    this.#loaded = { key, trusted, ...this.#parse() };
    return this.#loaded;
  }

  #parse(): Pick<Loaded, "byWorkerId" | "validated" | "problem"> {
    const byWorkerId = new Map<string, { index: number; entry: unknown }[]>();
    const unreadable = (reason: string) => ({
      byWorkerId,
      validated: new Map(),
      problem: { location: this.path, reason: `legacy registry file not read: ${reason}` },
    });
    const read = readOwnSmallFile(this.path, MAX_LEGACY_BYTES);
    if (!read.ok)
      return read.missing ? { byWorkerId, validated: new Map(), problem: undefined } : unreadable(read.reason);
    const parsed = parseBoundedJson(read.text, 64);
    if (!parsed.ok) return unreadable(parsed.reason);
    const file = parsed.value as { version?: unknown; entries?: unknown } | null;
    if (typeof file !== "object" || file === null || !Array.isArray(file.entries)) {
      return unreadable("it is not a registry file (no entries array)");
    }
    let entries: readonly unknown[];
    if (file.version === 1) entries = migrateV1({ ...file, version: 1, entries: file.entries }).entries;
    else if (file.version === 2) entries = file.entries;
    else return unreadable(`its version ${JSON.stringify(file.version)} is not 1 or 2`);
    entries.forEach((entry, index) => {
      const workerId = (entry as { kind?: unknown; workerId?: unknown } | null)?.workerId;
      if ((entry as { kind?: unknown } | null)?.kind !== "worker" || typeof workerId !== "string") return;
      const list = byWorkerId.get(workerId);
      if (list) list.push({ index, entry });
      else byWorkerId.set(workerId, [{ index, entry }]);
    });
    return { byWorkerId, validated: new Map(), problem: undefined };
  }
}
