import { resolve } from "node:path";
import { readLiveProcess } from "../../process/process-identity.js";
import type { WorkerRecord } from "../../schema/worker-record.js";
import type { StoreRead } from "../store/RegistryStore.js";
import { LegacyRegistryFile } from "./LegacyRegistryFile.js";

/** At most this many legacy files are read (each lookup reads every one). */
export const MAX_LEGACY_SOURCES = 16;

/** The paths of the legacy files to read: fixed, or a function asked again on each lookup. */
export type LegacySourcesOption = readonly string[] | false | (() => readonly string[] | false);

/**
 * The single-file registries a device registry reads beside its own directory. Given as a function, the
 * paths are asked for on every lookup (an orchestrator that recomputes its file's path per call, from
 * `XDG_CONFIG_HOME` say, is followed without rebuilding anything); each file keeps its parsed cache.
 */
export class LegacySources {
  readonly #option: LegacySourcesOption;
  /** One reader per path, so a file's parse is cached across lookups whichever way its path was given. */
  readonly #files = new Map<string, LegacyRegistryFile>();

  constructor(option: LegacySourcesOption) {
    this.#option = option;
  }

  /** The files to read now. A function that throws or answers nonsense reads none (and says why, through `problem`). */
  current(): { files: readonly LegacyRegistryFile[]; problem?: string } {
    let paths: readonly string[] | false;
    if (typeof this.#option === "function") {
      try {
        paths = this.#option();
      } catch (error) {
        return { files: [], problem: `legacySources() threw: ${String(error)}` };
      }
      if (paths !== false && (!Array.isArray(paths) || !paths.every((p) => typeof p === "string" && p !== ""))) {
        return { files: [], problem: "legacySources() must return an array of paths or false" };
      }
    } else paths = this.#option;
    if (paths === false) return { files: [] };
    const wanted = paths.slice(0, MAX_LEGACY_SOURCES).map((path) => resolve(path));
    const files = wanted.map((path) => {
      let file = this.#files.get(path);
      if (!file) {
        file = new LegacyRegistryFile(path);
        this.#files.set(path, file);
      }
      return file;
    });
    // Paths no longer asked for are let go (a function may name a new one per test directory).
    if (this.#files.size > MAX_LEGACY_SOURCES * 4) {
      for (const path of this.#files.keys()) if (!wanted.includes(path)) this.#files.delete(path);
    }
    return { files };
  }
}

/**
 * Records of the registry's own directory first, then the legacy sources' — each worker once. A legacy
 * entry is the same worker as a record (and dropped: the record wins) when it has the record's id, or the
 * same pid and the same process start: its own start-time token when it recorded one, else the start of the
 * live process at that pid, which is the record's. An orchestrator that keeps writing its own file beside
 * modelpool's records describes each worker twice; it is one candidate.
 */
export function withLegacy(own: StoreRead, legacy: readonly StoreRead[], problem?: string): StoreRead {
  const ids = new Set(own.records.map((record) => `${record.workerId}\u0000${record.id}`));
  const byPid = new Map<number, WorkerRecord[]>();
  for (const record of own.records) {
    const list = byPid.get(record.pid);
    if (list) list.push(record);
    else byPid.set(record.pid, [record]);
  }
  const records = [...own.records];
  const unreadable = [...own.unreadable];
  if (problem) unreadable.push({ location: "legacySources", reason: problem });
  for (const read of legacy) {
    for (const record of read.records) {
      const key = `${record.workerId}\u0000${record.id}`;
      if (ids.has(key) || recordedAlready(record, byPid.get(record.pid))) continue;
      ids.add(key);
      records.push(record);
    }
    unreadable.push(...read.unreadable);
  }
  return own.held ? { records, unreadable, held: own.held } : { records, unreadable };
}

function recordedAlready(entry: WorkerRecord, samePid: readonly WorkerRecord[] | undefined): boolean {
  return sameWorkerRecord(entry, samePid ?? []) !== undefined;
}

/**
 * The record (of `records`) that is the same worker as a legacy entry: the same pid and the same process
 * start (the entry's own token, else the start of the live process at that pid). Undefined when none is.
 */
export function sameWorkerRecord(entry: WorkerRecord, records: readonly WorkerRecord[]): WorkerRecord | undefined {
  const samePid = records.filter((record) => record.pid === entry.pid && record.pidStart !== undefined);
  if (samePid.length === 0) return undefined;
  const started = entry.pidStart ?? liveStart(entry.pid);
  return started === undefined ? undefined : samePid.find((record) => record.pidStart === started);
}

function liveStart(pid: number): string | undefined {
  const live = readLiveProcess(pid);
  return live.running && !live.zombie ? live.start : undefined;
}
