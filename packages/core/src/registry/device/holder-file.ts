import { describeIssues } from "../../errors/describe-issues.js";
import { processShared } from "../../process/process-shared.js";
import { type HolderFile, HolderFileSchema } from "../../schema/holder-file.js";
import { safeParse } from "../../schema/parse-or-throw.js";
import { findPrototypeKey } from "../../schema/prototype-keys.js";
import type { LeaseHolder } from "../../schema/worker-record.js";
import { MAX_RECORD_BYTES, parseBoundedJson } from "./bounded-json.js";
import { hashedFileName } from "./file-names.js";
import { readOwnSmallFile } from "./safe-read.js";

/** Holder files end so; record files end in `.json`, and encoded ids never contain a dot. */
export const HOLDER_SUFFIX = ".holder";
const HOLDER_NAME = /^([0-9a-f]{40})\.([1-9][0-9]{0,30})\.holder$/;

/**
 * One process's lease entry on one record, as its own file beside the record
 * (`<hash>.<generation>.holder`). A lease is then one small write by the process that holds it — no
 * record lock, no rewrite of the record — and processes leasing one worker never wait for each other.
 *
 * Each change is a new file under the next generation, and the previous one is unlinked after: a rename
 * onto a new name costs a fraction of a rename over an existing file, which ext4 turns into a forced
 * block allocation (its replace-via-rename safeguard). Readers take the highest generation of each
 * entry. The content names the record and the process; the hash in the name is of both, so a file filed
 * under another name is not taken for either.
 */
export { type HolderFile, HolderFileSchema };

export type HolderFileRead =
  | { readonly ok: true; readonly holder: HolderFile }
  | { readonly ok: false; readonly reason: string; readonly missing?: boolean };

/** Which entry a holder file name is of (`entry`: the hash of record and process) and its generation. */
export type HolderFileName = { readonly entry: string; readonly generation: bigint };

/** Bounded: the entry part fits any file system whatever the length of the record id or the start token. */
export function holderEntryName(recordId: string, holder: { pid: number; start?: string | undefined }): string {
  const key = `holder\u0000${recordId}\u0000${holder.pid}\u0000${holder.start ?? ""}`;
  let name = entryNames.get(key);
  if (name === undefined) {
    name = hashedFileName(key);
    // Bounded: a long-lived process reading many registries must not grow this without end.
    if (entryNames.size >= 4_096) entryNames.clear();
    entryNames.set(key, name);
  }
  return name;
}
/** Entry names already hashed: every read and write of a holder file needs one. */
const entryNames = new Map<string, string>();

/** Shared by every copy of modelpool in the process: they write the same entries. */
const generations = processShared("holderGeneration", () => ({ last: 0n }));
/**
 * The next generation of this process's entries: the monotonic clock in nanoseconds (readers refuse a
 * generation above theirs: none is written so), strictly increasing across every copy of modelpool in
 * the process.
 */
export function nextHolderGeneration(): bigint {
  const now = process.hrtime.bigint();
  generations.last = now > generations.last ? now : generations.last + 1n;
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

/** The lease entry without the record it is filed under. */
export function leaseHolderOf({ record: _record, ...holder }: HolderFile): LeaseHolder {
  return holder;
}
