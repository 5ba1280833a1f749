import { describeIssues } from "../../errors/describe-issues.js";
import { safeParse } from "../../schema/parse-or-throw.js";
import { findPrototypeKey } from "../../schema/prototype-keys.js";
import { type WorkerRecord, WorkerRecordSchema } from "../../schema/worker-record.js";
import { MAX_RECORD_BYTES, parseBoundedJson } from "./bounded-json.js";
import { readOwnSmallFile } from "./safe-read.js";

export type RecordFileRead =
  | { readonly ok: true; readonly record: WorkerRecord }
  | { readonly ok: false; readonly reason: string; readonly missing?: boolean };

/**
 * One record file, read without trusting it: bounded, validated, and filed where it belongs (a record
 * that names another workerId or id than its place says is not taken for either).
 */
export function readRecordFile(path: string, expected?: { workerId: string; id?: string }): RecordFileRead {
  const read = readOwnSmallFile(path, MAX_RECORD_BYTES);
  if (!read.ok) return read;
  return decodeRecord(read.text, expected);
}

/**
 * Texts of record files this process validated, each one zod accepted as it is (its output the same
 * data as the parsed text: nothing filled in, nothing stripped): the same bytes parse to the same data,
 * so zod's verdict on them is known. A record is read on every lookup whose directory changed (a lease
 * written by anyone changes it), and validating it again was most of what a warm decision allocated.
 * Bounded; oldest first out.
 */
const validated = new Set<string>();
const MAX_VALIDATED = 1_024;

export function decodeRecord(text: string, expected?: { workerId: string; id?: string }): RecordFileRead {
  const parsed = parseBoundedJson(text);
  if (!parsed.ok) return parsed;
  let record: WorkerRecord;
  if (validated.has(text)) {
    // Zod accepted this very text as it is: parsing it gave a fresh copy of what zod would return.
    record = parsed.value as WorkerRecord;
  } else {
    const prototypeKey = findPrototypeKey(parsed.value);
    if (prototypeKey) return { ok: false, reason: `${prototypeKey.join(".")}: a prototype key is not allowed` };
    const result = safeParse(WorkerRecordSchema, parsed.value);
    if (!result.success) return { ok: false, reason: describeIssues(result.error.issues) };
    record = result.data;
    if (sameJson(record, parsed.value)) remember(text);
  }
  if (expected && record.workerId !== expected.workerId) {
    return { ok: false, reason: `it names workerId ${JSON.stringify(record.workerId)} but is filed under another` };
  }
  if (expected?.id !== undefined && record.id !== expected.id) {
    return { ok: false, reason: `it names id ${JSON.stringify(record.id)} but is filed under another` };
  }
  return { ok: true, record: withoutStoredLiveness(record) };
}

/**
 * A record as this host judges it: `aliveUntil` (of the record or of a holder) is what a fleet store reads
 * from a heartbeat its owner renews, never a stored value. A directory registry has no heartbeats: its
 * records and holders are alive while their processes are, and a value in a file, forged or copied, decides
 * nothing.
 */
function withoutStoredLiveness(record: WorkerRecord): WorkerRecord {
  const holders = record.holders;
  const storedHolder = holders?.some((holder) => holder.aliveUntil !== undefined) ?? false;
  if (record.aliveUntil === undefined && !storedHolder) return record;
  const { aliveUntil: _record, ...rest } = record;
  if (!holders || !storedHolder) return rest;
  return { ...rest, holders: holders.map(({ aliveUntil: _holder, ...holder }) => holder) };
}

/** The same JSON data (object keys in any order). */
function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  for (const key of keys) {
    if (!Object.hasOwn(b, key)) return false;
    if (!sameJson((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key])) return false;
  }
  return true;
}

function remember(text: string): void {
  if (validated.size >= MAX_VALIDATED) validated.delete(validated.values().next().value as string);
  validated.add(text);
}

export function encodeRecord(record: WorkerRecord): string {
  return `${JSON.stringify(record)}\n`;
}
