import { dirname } from "node:path";
import { ownProcessStart } from "../../process/process-identity.js";
import { processShared } from "../../process/process-shared.js";
import { isLiveHolder } from "../../process/recorded-process.js";
import { inDirectory } from "./file-names.js";
import { type HolderFile, parseHolderFileName } from "./holder-file.js";
import type { RecordDirectory } from "./record-directory.js";
import { unlinkQuietly } from "./replace-file.js";

// What the directory store does with the lease entries of one workerId directory: remember the files
// this process wrote, and clear those nobody reads any more.

/**
 * The names of the last two holder files this process wrote for each entry (by directory and entry): the
 * next generation replaces the older of the two without listing the directory. Shared by every copy of
 * modelpool in the process (they write the same entries).
 */
const holderFilesWritten = processShared("holderFilesWritten", () => new Map<string, [string] | [string, string]>());

/**
 * What this process wrote in each holder file of its own that still stands, by path: a listing that
 * finds one (the generation a release left, say) takes its content from here instead of opening and
 * reading it again. Only this process ever writes its entries' names (each created exclusively, under a
 * generation never used before), so the file holds what was written. Kept for the names in
 * `holderFilesWritten` only, so bounded with it.
 */
const holderContents = processShared("holderContentsWritten", () => new Map<string, HolderFile>());

/** The content this process wrote at `path`, while the file stands (see holderContents). */
export function ownHolderFile(path: string): HolderFile | undefined {
  return holderContents.get(path);
}

/** Forgets a holder file this process wrote and took back at once: the one before it is the newest again. */
export function forgetHolderFile(key: string, name: string): void {
  holderContents.delete(inDirectory(dirname(key), name));
  const known = holderFilesWritten.get(key);
  if (!known || known[known.length - 1] !== name) return;
  if (known.length === 2) holderFilesWritten.set(key, [known[0]]);
  else holderFilesWritten.delete(key);
}

/**
 * After this process wrote `name`, the newest generation of its entry in `dir`: remembered, and the
 * generation before the previous one removed (the previous stays until the next write: a directory
 * listing running meanwhile sees one of the two). Returns the entry's key, to take `name` back by.
 */
export function replaceOwnHolderFile(dir: string, entryName: string, name: string, content: HolderFile): string {
  const key = inDirectory(dir, entryName);
  const olderThanPrevious = rememberHolderFile(key, name);
  holderContents.set(inDirectory(dir, name), content);
  if (olderThanPrevious) {
    holderContents.delete(inDirectory(dir, olderThanPrevious));
    unlinkQuietly(inDirectory(dir, olderThanPrevious));
  }
  return key;
}

/** Remembers the newest holder file of an entry; returns the one before the previous, to remove. */
function rememberHolderFile(key: string, name: string): string | undefined {
  const known = holderFilesWritten.get(key);
  if (!known) {
    // Bounded: a long-lived process holding many workers over time must not grow this without end.
    if (holderFilesWritten.size >= 4_096) {
      holderFilesWritten.clear();
      holderContents.clear();
    }
    holderFilesWritten.set(key, [name]);
    return undefined;
  }
  const previous = known[known.length - 1] as string;
  holderFilesWritten.set(key, [previous, name]);
  return known.length === 2 ? known[0] : undefined;
}

/**
 * Removes a holder file nobody reads any more, and forgets it if this process wrote it: the next
 * generation of the entry then has nothing older to remove (a second unlink would only fail, ENOENT).
 */
function removeHolderFile(dir: string, name: string): void {
  unlinkQuietly(inDirectory(dir, name));
  holderContents.delete(inDirectory(dir, name));
  const parsed = parseHolderFileName(name);
  if (!parsed) return;
  const key = inDirectory(dir, parsed.entry);
  const known = holderFilesWritten.get(key);
  if (!known?.includes(name)) return;
  const kept = known.filter((written) => written !== name) as [] | [string];
  if (kept.length === 0) holderFilesWritten.delete(key);
  else holderFilesWritten.set(key, kept);
}

export function holderFilesOf(directory: RecordDirectory, recordId: string): readonly HolderFile[] {
  return directory.holders.get(recordId) ?? [];
}

/**
 * Removes holder files that a later generation replaced, and those of processes that are gone. Safe
 * without the record's lock: an entry is only ever written by its own process, readers never read a
 * superseded generation, and a process that is gone writes nothing more (a recycled pid has another
 * start token, hence another entry).
 */
export function removeSupersededAndGoneHolders(dir: string, directory: RecordDirectory): void {
  for (const name of directory.superseded) removeHolderFile(dir, name);
  // An empty entry whose writer is gone (killed between its create and its write): nobody will write it.
  for (const name of directory.pending)
    if (!pidRuns(Number(name.slice(0, name.indexOf("+"))))) unlinkQuietly(inDirectory(dir, name));
  for (const [file, name] of directory.holderNames) {
    if (file.pid === process.pid && file.start === ownProcessStart()) continue; // this process: alive
    if (!isLiveHolder(file)) unlinkQuietly(inDirectory(dir, name));
  }
}

/** Every holder file of one record (superseded generations of any record go too: nobody reads them). */
export function removeHolderFiles(dir: string, directory: RecordDirectory, recordId: string): void {
  for (const name of directory.superseded) removeHolderFile(dir, name);
  for (const file of holderFilesOf(directory, recordId)) {
    const name = directory.holderNames.get(file);
    if (name) removeHolderFile(dir, name);
  }
}

/** Whether a process with this pid runs (any process: a recycled pid keeps an empty entry, which holds nothing). */
function pidRuns(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== "ESRCH";
  }
}
