import { describeIssues } from "../../errors/describe-issues.js";
import { processShared } from "../../process/process-shared.js";
import { type HolderFile, HolderFileSchema } from "../../schema/holder-file.js";
import { safeParse } from "../../schema/parse-or-throw.js";
import { findPrototypeKey } from "../../schema/prototype-keys.js";
import type { LeaseHolder } from "../../schema/worker-record.js";
import { MAX_RECORD_BYTES, parseBoundedJson } from "./bounded-json.js";
import { encodeFileName, hashedFileName } from "./file-names.js";
import { readOwnSmallFile } from "./safe-read.js";

/** Holder files end so; record files end in `.json`, and encoded ids never contain a dot. */
export const HOLDER_SUFFIX = ".holder";
const HOLDER_NAME = /^([A-Za-z0-9_%~+-]{1,200})\.([1-9][0-9]{0,30})\.holder$/;
/** Longest encoded start token or record id kept readable in an entry's name; longer ones are hashed. */
const MAX_NAME_PART = 80;

/**
 * One process's lease entry on one record, as its own file beside the record
 * (`<pid>+<start>+<record id>.<generation>.holder`). A lease is then one small write by the process that holds it — no
 * record lock, no rewrite of the record — and processes leasing one worker never wait for each other.
 *
 * Each change is a new file under the next generation, created exclusively and written in one call (no
 * temp file, no rename: over an existing file ext4 turns a rename into a forced block allocation), and
 * the previous one is unlinked later. A reader that finds the newest file still empty passes it over
 * for the generation before: safe, because a lease reads for announced updates only after its write is
 * whole, so an update that missed the entry is seen by the lease in turn. Readers take the highest generation of each
 * entry. The content names the record and the process, and must give the name it is filed under, so a
 * file filed under another name is not taken for either.
 */
export { type HolderFile, HolderFileSchema };

export type HolderFileRead =
  | { readonly ok: true; readonly holder: HolderFile }
  | { readonly ok: false; readonly reason: string; readonly missing?: boolean; readonly pending?: boolean };

/** Which entry a holder file name is of (`entry`: the hash of record and process) and its generation. */
export type HolderFileName = { readonly entry: string; readonly generation: bigint };

/**
 * The entry part of a holder file's name: `<pid>+<start token>+<record id>`, each part encoded (see
 * `encodeFileName`; `+` never appears in an encoding, so the name is injective) and hashed only when
 * unusually long, so that the name stays well under 255 bytes. Readable, and no hashing on the way of
 * a new process's first decision (a process's first hash initialises its crypto library: 0.3 ms).
 */
export function holderEntryName(recordId: string, holder: { pid: number; start?: string | undefined }): string {
  const key = `${recordId}\u0000${holder.pid}\u0000${holder.start ?? ""}`;
  let name = entryNames.get(key);
  if (name === undefined) {
    name = `${holder.pid}+${namePart(holder.start ?? "")}+${namePart(recordId)}`;
    // Bounded: a long-lived process reading many registries must not grow this without end.
    if (entryNames.size >= 4_096) entryNames.clear();
    entryNames.set(key, name);
  }
  return name;
}

function namePart(text: string): string {
  const encoded = encodeFileName(text);
  return encoded.length <= MAX_NAME_PART ? encoded : `~${hashedFileName(text)}`;
}
/** Entry names already hashed: every read and write of a holder file needs one. */
const entryNames = new Map<string, string>();

/** Shared by every copy of modelpool in the process: they write the same entries. */
const generations = processShared("holderGeneration", () => ({ last: 0n }));
/**
 * The next generation of this process's entries: a count, strictly increasing across every copy of
 * modelpool in the process. No clock: generations are compared only among the files of one entry, and
 * an entry is one process's (its pid and start token are in the name), so no reader ever compares a
 * generation with another process's — nor with any clock, which runtimes read differently (Bun's
 * monotonic clock counts from process start, Node's from boot) and which restarts at reboot.
 */
export function nextHolderGeneration(): bigint {
  generations.last += 1n;
  return generations.last;
}

export function holderFileName(
  recordId: string,
  holder: { pid: number; start?: string | undefined },
  generation: bigint,
): string {
  return `${holderEntryName(recordId, holder)}.${generation}${HOLDER_SUFFIX}`;
}

export function parseHolderFileName(name: string): HolderFileName | undefined {
  const match = HOLDER_NAME.exec(name);
  return match ? { entry: match[1] as string, generation: BigInt(match[2] as string) } : undefined;
}

export function encodeHolderFile(recordId: string, holder: LeaseHolder): string {
  return `${JSON.stringify({ ...holder, record: recordId })}\n`;
}

/** A holder file, read without trusting it: bounded, validated, and filed under the entry its content gives. */
export function readHolderFile(path: string, name: HolderFileName): HolderFileRead {
  const read = readOwnSmallFile(path, MAX_RECORD_BYTES);
  if (!read.ok) return read;
  // Created, not yet written (its writer is between its two calls, or died there): not an entry yet.
  if (read.text.length === 0) return { ok: false, reason: "empty (not written yet)", pending: true };
  const parsed = parseBoundedJson(read.text);
  if (!parsed.ok) return parsed;
  const prototypeKey = findPrototypeKey(parsed.value);
  if (prototypeKey) return { ok: false, reason: `${prototypeKey.join(".")}: a prototype key is not allowed` };
  const result = safeParse(HolderFileSchema, parsed.value);
  if (!result.success) return { ok: false, reason: describeIssues(result.error.issues) };
  if (holderEntryName(result.data.record, result.data) !== name.entry) {
    return { ok: false, reason: "it names another record or process than its file name says" };
  }
  return { ok: true, holder: result.data };
}

/**
 * The lease entry without the record it is filed under, and without any `aliveUntil` the file carries:
 * that field is a fleet store's reading of a liveness signal its holder renews, never a stored claim. On
 * this host a holder is alive while its process is (pid + start time); a file saying "alive until next
 * year" would keep a dead holder's worker held, never idle, never drained.
 */
export function leaseHolderOf({ record: _record, aliveUntil: _stored, ...holder }: HolderFile): LeaseHolder {
  return holder;
}
