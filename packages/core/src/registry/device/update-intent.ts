import { readdirSync } from "node:fs";
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
 * What an update of a record announces (a file of its own beside the record) before it reads the record's lease entries: who is updating, and
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

let announcements = 0;
/**
 * Announces an update of a record under a name of its own (`<id>.<pid>-<clock>-<count>.updating`): no
 * two announcements ever share a name, so an updater that lost its lock, or `prune` clearing a dead
 * updater's announcement, can only ever remove its own or a dead one — never the live one of another.
 */
export function announceUpdate(dir: string, recordId: string, intent: UpdateIntent): string {
  announcements = (announcements + 1) % 1_000_000_000;
  const name = `${encodeFileName(recordId)}.${process.pid}-${process.hrtime.bigint()}-${announcements}${INTENT_SUFFIX}`;
  replaceFile(dir, name, `${JSON.stringify(intent)}\n`);
  return join(dir, name);
}

export function endUpdate(path: string): void {
  unlinkQuietly(path);
}

/**
 * An update of the record under way now, if any: an announcement whose owner is alive and whose time
 * has not run out. One that cannot be read is not one an updater wrote (they are written whole, by
 * rename): it is ignored, so that it cannot hold leases off.
 */
export function updateUnderWay(dir: string, recordId: string, now = Date.now()): UpdateIntent | undefined {
  const prefix = `${encodeFileName(recordId)}.`;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  for (const name of names) {
    if (!name.startsWith(prefix) || !name.endsWith(INTENT_SUFFIX)) continue;
    const intent = readIntent(join(dir, name));
    if (intent && intentHolds(intent, now)) return intent;
  }
  return undefined;
}

/**
 * An announcement that no longer holds anything: its owner is gone or its time ran out. One that cannot
 * be read is kept for a person to look at, like any file modelpool did not write.
 */
export function isStaleIntent(dir: string, name: string, now = Date.now()): boolean {
  const intent = readIntent(join(dir, name));
  return intent !== undefined && !intentHolds(intent, now);
}

/** An announcement as its updater wrote it (whole, by rename), or undefined when it does not read as one. */
function readIntent(path: string): UpdateIntent | undefined {
  const read = readOwnSmallFile(path, 4096);
  if (!read.ok) return undefined;
  const parsed = parseBoundedJson(read.text);
  if (!parsed.ok) return undefined;
  const intent = UpdateIntentSchema.safeParse(parsed.value);
  return intent.success ? intent.data : undefined;
}

/** Whether an announcement still holds leases off: its time has not run out and its owner is alive. */
function intentHolds(intent: UpdateIntent, now: number): boolean {
  if (intent.expiresAt <= now) return false;
  return checkRecordedProcess({ pid: intent.pid, pidStart: intent.start, startedAt: now }).ok;
}
