import { join } from "node:path";
import { z } from "zod";
import { checkRecordedProcess } from "../../process/recorded-process.js";
import { PidSchema } from "../../schema/worker-record.js";
import { parseBoundedJson } from "./bounded-json.js";
import { encodeFileName } from "./file-names.js";
import { replaceFile, unlinkQuietly } from "./replace-file.js";
import { readOwnSmallFile } from "./safe-read.js";

/** Intent files end so; record files end in `.json`, holder files in `.holder`, encoded ids have no dot. */
export const INTENT_SUFFIX = ".updating";

/**
 * What an update of a record announces before it reads the record's lease entries: who is updating, and
 * until when the announcement holds (the record lock's stale time). A lease written meanwhile waits for
 * it to end and then reads the record; the update reads the entries only once the announcement is
 * visible. So the update decides with every entry written before it, and every lease written after it
 * reads what the update wrote — there is no provisional record to take back, and an updater killed or
 * stalled midway leaves the record as it was, its announcement void (owner gone, or expired).
 */
const UpdateIntentSchema = z.object({
  pid: PidSchema,
  start: z.string().max(256).optional(),
  expiresAt: z.number(),
});
export type UpdateIntent = z.infer<typeof UpdateIntentSchema>;

export function intentPath(dir: string, recordId: string): string {
  return join(dir, `${encodeFileName(recordId)}${INTENT_SUFFIX}`);
}

export function announceUpdate(dir: string, recordId: string, intent: UpdateIntent): string {
  replaceFile(dir, `${encodeFileName(recordId)}${INTENT_SUFFIX}`, `${JSON.stringify(intent)}\n`);
  return intentPath(dir, recordId);
}

export function endUpdate(path: string): void {
  unlinkQuietly(path);
}

/**
 * The update of a record under way now, if any: an announcement whose owner is alive and whose time
 * has not run out. One that cannot be read is not one an updater wrote (they are written whole, by
 * rename): it is ignored, so that it cannot hold leases off.
 */
export function updateUnderWay(dir: string, recordId: string, now = Date.now()): UpdateIntent | undefined {
  const read = readOwnSmallFile(intentPath(dir, recordId), 4096);
  if (!read.ok) return undefined;
  const parsed = parseBoundedJson(read.text);
  if (!parsed.ok) return undefined;
  const intent = UpdateIntentSchema.safeParse(parsed.value);
  if (!intent.success || intent.data.expiresAt <= now) return undefined;
  const owner = intent.data;
  const alive = checkRecordedProcess({ pid: owner.pid, pidStart: owner.start, startedAt: now }).ok;
  return alive ? owner : undefined;
}

/** An intent that no longer holds anything: its owner is gone or its time ran out. */
export function isStaleIntent(dir: string, name: string, now = Date.now()): boolean {
  // One that cannot be read is kept for a person to look at, like any file modelpool did not write.
  const read = readOwnSmallFile(join(dir, name), 4096);
  if (!read.ok) return false;
  const parsed = parseBoundedJson(read.text);
  const intent = parsed.ok ? UpdateIntentSchema.safeParse(parsed.value) : undefined;
  if (!intent?.success) return false;
  if (intent.data.expiresAt <= now) return true;
  return !checkRecordedProcess({ pid: intent.data.pid, pidStart: intent.data.start, startedAt: now }).ok;
}
