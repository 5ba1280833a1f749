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

export function decodeRecord(text: string, expected?: { workerId: string; id?: string }): RecordFileRead {
  const parsed = parseBoundedJson(text);
  if (!parsed.ok) return parsed;
  const prototypeKey = findPrototypeKey(parsed.value);
  if (prototypeKey) return { ok: false, reason: `${prototypeKey.join(".")}: a prototype key is not allowed` };
  const result = safeParse(WorkerRecordSchema, parsed.value);
  if (!result.success) return { ok: false, reason: describeIssues(result.error.issues) };
  const record = result.data;
  if (expected && record.workerId !== expected.workerId) {
    return { ok: false, reason: `it names workerId ${JSON.stringify(record.workerId)} but is filed under another` };
  }
  if (expected?.id !== undefined && record.id !== expected.id) {
    return { ok: false, reason: `it names id ${JSON.stringify(record.id)} but is filed under another` };
  }
  return { ok: true, record };
}

export function encodeRecord(record: WorkerRecord): string {
  return `${JSON.stringify(record)}\n`;
}
