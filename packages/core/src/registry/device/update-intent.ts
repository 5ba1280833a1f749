import { readdirSync } from "node:fs";
import * as z from "zod";
import { lazySchema } from "../../schema/lazy-schema.js";
import type { SpawnClaim } from "../../schema/spawn-claim.js";
import { PidSchema } from "../../schema/worker-record.js";
import { parseBoundedJson } from "./bounded-json.js";
import { encodeFileName, inDirectory } from "./file-names.js";
import { replaceFile, unlinkQuietly } from "./replace-file.js";
import { readOwnSmallFile } from "./safe-read.js";

/** Intent files end so; record files end in `.json`, holder files in `.holder`, encoded ids have no dot. */
export const INTENT_SUFFIX = ".updating";
/** An announcement is a few dozen bytes; anything much bigger is not one. */
const MAX_INTENT_BYTES = 4096;

/**
 * What an update of a record announces (a file of its own beside the record), written while it holds the
 * record's lock and before it reads the record's lease entries: who is updating (pid, start token) and
 * the token of the lock it holds. A lease written meanwhile waits for it to end — or for its updater to
 * die — and then reads the record; the update reads the entries only once the announcement is visible.
 * So the update decides with every entry written before it, and every lease written after it reads what
 * the update wrote. No time bounds the announcement: a live updater, however slow, is waited for (the
 * waiter's own timeout refuses the lease instead), so an update can never land after a lease that
 * overtook it.
 *
 * An announcement counts only while its owner is the live holder of the record's lock (`lock`: that
 * lock's token). One left behind (its owner released the lock, or died) or written by anyone else holds
 * nothing off. `expiresAt` is written for readers of modelpool versions that still bounded their wait by
 * it (the far future: they wait for the live updater too) and never read.
 */
const updateIntentSchema = lazySchema(() =>
  z.object({
    pid: PidSchema,
    start: z.string().max(256).optional(),
    lock: z.string().max(256).optional(),
    expiresAt: z.number().optional(),
  }),
);
export type UpdateIntent = z.infer<ReturnType<typeof updateIntentSchema>>;

export type IntentRead =
  | { readonly ok: true; readonly intent: UpdateIntent }
  | { readonly ok: false; readonly reason: string; readonly missing?: boolean };

let announcements = 0;
/**
 * Announces an update of a record under a name of its own (`<id>.<pid>-<clock>-<count>.updating`): no
 * two announcements ever share a name, so `prune` clearing a void announcement can only ever remove that
 * one — never the live one of another updater.
 */
export function announceUpdate(dir: string, recordId: string, intent: Omit<UpdateIntent, "expiresAt">): string {
  announcements = (announcements + 1) % 1_000_000_000;
  const name = `${encodeFileName(recordId)}.${process.pid}-${process.hrtime.bigint()}-${announcements}${INTENT_SUFFIX}`;
  replaceFile(dir, name, `${JSON.stringify({ ...intent, expiresAt: Number.MAX_SAFE_INTEGER })}\n`);
  return inDirectory(dir, name);
}

export function endUpdate(path: string): void {
  unlinkQuietly(path);
}

/** Who holds a record's lock now (a live holder: a gone one does not count), or undefined. */
export type LockHolderRead = () => SpawnClaim | undefined;

/**
 * An update of the record under way now, if any: an announcement whose owner is alive and holds the
 * record's lock (`lockHolder`, read only when there is an announcement). One that cannot be read is not
 * one an updater wrote (they are written whole, by rename): it holds nothing off (`scan` reports it).
 */
export function updateUnderWay(dir: string, recordId: string, lockHolder: LockHolderRead): UpdateIntent | undefined {
  const prefix = `${encodeFileName(recordId)}.`;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  let holder: SpawnClaim | undefined | null = null;
  for (const name of names) {
    if (!name.startsWith(prefix) || !name.endsWith(INTENT_SUFFIX)) continue;
    const read = readIntent(inDirectory(dir, name));
    if (!read.ok) continue;
    if (holder === null) holder = lockHolder();
    if (intentHolds(read.intent, holder)) return read.intent;
  }
  return undefined;
}

/**
 * An announcement that no longer holds anything: its owner is not the live holder of the record's lock.
 * One that cannot be read is kept for a person to look at (and reported), like any file modelpool did
 * not write.
 */
export function isVoidIntent(path: string, lockHolder: LockHolderRead): boolean {
  const read = readIntent(path);
  return read.ok && !intentHolds(read.intent, lockHolder());
}

/** An announcement as its updater wrote it (whole, by rename), or why it does not read as one. */
export function readIntent(path: string): IntentRead {
  const read = readOwnSmallFile(path, MAX_INTENT_BYTES);
  if (!read.ok) return read;
  const parsed = parseBoundedJson(read.text);
  if (!parsed.ok) return parsed;
  const intent = updateIntentSchema().safeParse(parsed.value);
  return intent.success ? { ok: true, intent: intent.data } : { ok: false, reason: "not an update announcement" };
}

/**
 * Whether an announcement holds leases off: its owner is the record lock's holder (the same lock, when
 * the announcement names it; announcements of earlier versions name none). `holder` is a live holder
 * only (a lock whose owner is gone reads as free), so no time enters.
 */
function intentHolds(intent: UpdateIntent, holder: SpawnClaim | undefined): boolean {
  if (!holder || holder.owner.pid !== intent.pid || holder.owner.start !== intent.start) return false;
  return intent.lock === undefined || intent.lock === holder.token;
}
