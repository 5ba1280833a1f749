import { type Dirent, readdirSync } from "node:fs";
import type { LeaseHolder, WorkerRecord } from "../../schema/worker-record.js";
import type { StoreRead, UnreadableRecord } from "../store/RegistryStore.js";
import { encodeFileName, inDirectory } from "./file-names.js";
import { ownHolderFile } from "./holder-entries.js";
import {
  HOLDER_SUFFIX,
  type HolderFile,
  type HolderFileName,
  leaseHolderOf,
  parseHolderFileName,
  readHolderFile,
} from "./holder-file.js";
import { readRecordFile } from "./record-file.js";
import { INTENT_SUFFIX } from "./update-intent.js";

/** What one workerId directory holds: each record as its own file has it, and the holder files beside them. */
export type RecordDirectory = {
  readonly records: readonly WorkerRecord[];
  /** Holder files by the id of the record they hold (also of records that are gone: prune clears those). */
  readonly holders: ReadonlyMap<string, readonly HolderFile[]>;
  /** Each holder file's name, to remove it by. */
  readonly holderNames: ReadonlyMap<HolderFile, string>;
  /** Holder files a later generation of the same entry replaced: nobody reads them, anyone may remove them. */
  readonly superseded: readonly string[];
  /** Holder files created but still empty (being written, or their writer died in between), by name. */
  readonly pending: readonly string[];
  readonly unreadable: readonly UnreadableRecord[];
};

/** How often a listing is taken again when an entry's newest generation vanished before it was read. */
const RELISTS = 3;

/**
 * Every record file and holder file of one workerId directory (temp and hidden files skipped), each read
 * on its own and validated; what fails is reported, never used.
 *
 * A lease entry counts by its newest generation that reads as valid; a newer one that does not is
 * reported and passed over (it cannot hide a live entry). Generations are one process's count, compared
 * only among the files of that process's entry: no clock is read. When the newest generation vanished between the listing and its read
 * (its process wrote the next one and cleared the one before), the directory is listed again.
 */
export function readRecordDirectory(
  dir: string,
  workerId: string | undefined,
  /** A holder file the caller has just written: its content is known, not read again. */
  written?: { readonly name: string; readonly holder: HolderFile },
): RecordDirectory {
  for (let listing = 1; ; listing++) {
    const read = readOnce(dir, workerId, written);
    if (read !== "vanished") return read;
    if (listing >= RELISTS) return readOnce(dir, workerId, written, true) as RecordDirectory;
  }
}

function readOnce(
  dir: string,
  workerId: string | undefined,
  written: { readonly name: string; readonly holder: HolderFile } | undefined,
  lastTry = false,
): RecordDirectory | "vanished" {
  const records: WorkerRecord[] = [];
  const holders = new Map<string, HolderFile[]>();
  const holderNames = new Map<HolderFile, string>();
  const superseded: string[] = [];
  const pending: string[] = [];
  const unreadable: UnreadableRecord[] = [];
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT")
      return { records, holders, holderNames, superseded, pending, unreadable };
    throw error;
  }
  // Every generation of each holder entry, to be read newest first.
  const generations = new Map<string, { name: string; parsed: HolderFileName }[]>();
  for (const entry of entries) {
    if (entry.name.startsWith(".") || entry.name.endsWith(INTENT_SUFFIX)) continue;
    const path = inDirectory(dir, entry.name);
    const holderName = parseHolderFileName(entry.name);
    if ((!holderName && !entry.name.endsWith(".json")) || !entry.isFile()) {
      const known = entry.name.endsWith(".json") || entry.name.endsWith(HOLDER_SUFFIX);
      unreadable.push({
        location: path,
        reason:
          entry.isFile() && !known
            ? "not a record file name"
            : entry.isFile()
              ? "not a holder file name"
              : "not a regular file",
      });
      continue;
    }
    if (holderName) {
      const list = generations.get(holderName.entry);
      if (list) list.push({ name: entry.name, parsed: holderName });
      else generations.set(holderName.entry, [{ name: entry.name, parsed: holderName }]);
      continue;
    }
    const read = readRecordFile(path, workerId === undefined ? undefined : { workerId });
    if (read.ok && `${encodeFileName(read.record.id)}.json` !== entry.name) {
      unreadable.push({
        location: path,
        reason: `it names id ${JSON.stringify(read.record.id)} but is filed under another`,
      });
    } else if (read.ok) records.push(read.record);
    else if (!read.missing) unreadable.push({ location: path, reason: read.reason });
  }
  for (const list of generations.values()) {
    list.sort((a, b) => (a.parsed.generation < b.parsed.generation ? 1 : -1));
    let chosen = false;
    for (const { name, parsed } of list) {
      if (chosen) {
        superseded.push(name);
        continue;
      }
      // This process's own files hold what it wrote: taken from memory, not opened again.
      const own = written?.name === name ? written.holder : ownHolderFile(inDirectory(dir, name));
      const read = own ? { ok: true as const, holder: own } : readHolderFile(inDirectory(dir, name), parsed);
      if (read.ok) {
        const byRecord = holders.get(read.holder.record);
        if (byRecord) byRecord.push(read.holder);
        else holders.set(read.holder.record, [read.holder]);
        holderNames.set(read.holder, name);
        chosen = true;
      } else if ("pending" in read && read.pending) {
        // Being written right now (or its writer died between create and write): the one before counts.
        pending.push(name);
      } else if (read.missing) {
        // Its process moved on to a newer generation this listing did not see.
        if (!lastTry) return "vanished";
      } else unreadable.push({ location: inDirectory(dir, name), reason: read.reason });
    }
  }
  return { records, holders, holderNames, superseded, pending, unreadable };
}

/** The directory's records as readers see them: each with the holder files beside it among its holders. */
export function recordsWithHolders(directory: RecordDirectory): StoreRead {
  if (directory.holders.size === 0) return directory;
  return {
    records: directory.records.map((record) => withHolders(record, directory.holders.get(record.id) ?? [])),
    unreadable: directory.unreadable,
  };
}

/**
 * A record with its holder files among its holders: a file's entry replaces an entry of the same process
 * inside the record (written by an earlier version, or by `put`).
 */
export function withHolders(record: WorkerRecord, files: readonly HolderFile[]): WorkerRecord {
  if (files.length === 0) return record;
  const inRecord = (record.holders ?? []).filter((holder) => !files.some((file) => sameProcess(file, holder)));
  return { ...record, holders: [...inRecord, ...files.map(leaseHolderOf)] };
}

/** A record as its own file keeps it: without the entries that have files of their own. */
export function withoutFileHolders(record: WorkerRecord, files: readonly HolderFile[]): WorkerRecord {
  if (!record.holders || files.length === 0) return record;
  const { holders, ...rest } = record;
  const kept = holders.filter((holder) => !files.some((file) => sameProcess(file, holder)));
  return kept.length > 0 ? { ...rest, holders: kept } : rest;
}

export function sameProcess(a: Pick<LeaseHolder, "pid" | "start">, b: Pick<LeaseHolder, "pid" | "start">): boolean {
  return a.pid === b.pid && a.start === b.start;
}
