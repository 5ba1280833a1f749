import { randomUUID } from "node:crypto";
import { type Dirent, readdirSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { type PARSE_CONTEXT, safeParse } from "../../schema/parse-or-throw.js";
import { type ClaimFailure, ClaimFailureSchema, type SpawnClaim, SpawnClaimSchema } from "../../schema/spawn-claim.js";
import type { ClaimAttempt, ClaimRelease, UnreadableRecord } from "../store/RegistryStore.js";
import { parseBoundedJson } from "./bounded-json.js";
import { ensureOwnDirectory } from "./own-directory.js";
import { createFileExclusively, replaceFile, TEMP_PREFIX, unlinkQuietly } from "./replace-file.js";
import { readOwnSmallFile } from "./safe-read.js";

const MAX_CLAIM_BYTES = 64 * 1024;
/** Creations lost to racers in a row before giving up; each loss means someone else made progress. */
const MAX_ROUNDS = 64;
/**
 * Far beyond any count of acquisitions (a trillion): a file numbered this high was not written by
 * modelpool and is ignored, so that it cannot push the count out of exact integers.
 */
const MAX_GENERATION = 2 ** 40;

/** Why a holder no longer holds (expired, owner gone), or undefined while it does. */
export type StaleJudge = (holder: SpawnClaim, now: number) => string | undefined;

type Generation = { readonly gen: number; readonly name: string; readonly released: boolean };
type Top =
  | { readonly kind: "free"; readonly gen: number }
  | { readonly kind: "held"; readonly gen: number; readonly holder: SpawnClaim; readonly stale: string | undefined }
  | { readonly kind: "failed"; readonly gen: number; readonly failure: ClaimFailure };

/**
 * One claim (a spawn claim, or the lock of one record) as a directory of numbered files, without any lock
 * of its own and without trusting time alone:
 *
 * - The claim is held by the highest-numbered file `N`; `N.released` means it was given up.
 * - Acquiring creates `N+1` exclusively (temp file + `link`), so of any number of racers exactly one
 *   creates it; a holder that expired or died is taken over the same way, by creating the next number,
 *   and the taker looks at the old holder once more afterwards: one that renewed meanwhile keeps it.
 * - Numbers only grow: the highest file is never deleted, only renamed to `N.released`. A racer that acted
 *   on an old listing and created a lower number sees the higher one when it checks after creating, and
 *   withdraws. Lower files are removed by the winner.
 * - The token names its number; renew and release touch only a file that still holds their token.
 *
 * A crash at any instant leaves either no new file or a whole one, and a dead holder is taken over at
 * once (its owner is checked), not after a timeout.
 */
export class ClaimDirectory {
  readonly dir: string;
  readonly #judge: StaleJudge;

  constructor(dir: string, judge: StaleJudge) {
    this.dir = dir;
    this.#judge = judge;
  }

  acquire(make: (token: string) => SpawnClaim, now = Date.now): ClaimAttempt | "contended" {
    ensureOwnDirectory(this.dir);
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const top = this.#top(now());
      if (top.kind === "held" && top.stale === undefined) return { acquired: false, holder: top.holder };
      if (top.kind === "failed") return { acquired: false, failed: top.failure };
      const gen = top.gen + 1;
      const claim = make(`${gen}.${randomUUID()}`);
      if (!this.#create(gen, claim)) continue;
      const generations = this.#generations();
      if (outranks(generations, gen)) {
        unlinkQuietly(join(this.dir, String(gen)));
        continue;
      }
      if (top.kind === "held") {
        // Judged stale on what was read before creating: a holder that renewed since keeps its claim.
        const again = this.#readJson(String(top.gen), SpawnClaimSchema);
        if (again?.token === top.holder.token && this.#judge(again, now()) === undefined) {
          unlinkQuietly(join(this.dir, String(gen)));
          return { acquired: false, holder: again };
        }
      }
      for (const entry of generations) {
        if (entry.gen < gen) removeQuietly(join(this.dir, entry.name));
      }
      return { acquired: true, claim, ...(top.kind === "held" ? { replaced: top.holder } : {}) };
    }
    return "contended";
  }

  /** The live holder, a failure still in its back-off, or undefined when the claim is free. */
  read(now = Date.now()): SpawnClaim | ClaimFailure | undefined {
    let top: Top;
    try {
      top = this.#top(now);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw error;
    }
    if (top.kind === "held") return top.stale === undefined ? top.holder : undefined;
    if (top.kind === "failed") return top.failure;
    return undefined;
  }

  /** The live holder, or undefined when nobody holds it (free, released, failed, or its holder is gone). */
  holder(now = Date.now()): SpawnClaim | undefined {
    try {
      const top = this.#top(now);
      return top.kind === "held" && top.stale === undefined ? top.holder : undefined;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw error;
    }
  }

  /**
   * For people (`scan`): the live holder, and every file of the directory that is not a claim file
   * modelpool wrote (a stray name, not a regular file, content that does not validate). Changes nothing.
   */
  inspect(now = Date.now()): { holder: SpawnClaim | undefined; unreadable: UnreadableRecord[] } {
    const unreadable: UnreadableRecord[] = [];
    let entries: Dirent[];
    try {
      entries = readdirSync(this.dir, { withFileTypes: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return { holder: undefined, unreadable };
      throw error;
    }
    for (const entry of entries) {
      if (entry.name.startsWith(TEMP_PREFIX)) continue;
      const location = join(this.dir, entry.name);
      const match = /^(\d{1,16})(\.released)?$/.exec(entry.name);
      if (!match) unreadable.push({ location, reason: "not a claim file name" });
      else if (!entry.isFile()) unreadable.push({ location, reason: "not a regular file" });
      else {
        const reason = this.#unreadableReason(entry.name);
        if (reason) unreadable.push({ location, reason });
      }
    }
    return { holder: this.holder(now), unreadable };
  }

  /** Why a numbered file is not a claim (a holder's, or a released one: a holder's or a failure), if it is not. */
  #unreadableReason(name: string): string | undefined {
    const read = readOwnSmallFile(join(this.dir, name), MAX_CLAIM_BYTES);
    if (!read.ok) return read.missing ? undefined : read.reason;
    const parsed = parseBoundedJson(read.text);
    if (!parsed.ok) return parsed.reason;
    if (safeParse(SpawnClaimSchema, parsed.value).success) return undefined;
    if (name.endsWith(".released") && safeParse(ClaimFailureSchema, parsed.value).success) return undefined;
    return "not a claim modelpool wrote";
  }

  renew(claim: SpawnClaim, ttlMs: number, now = Date.now()): SpawnClaim | undefined {
    const gen = generationOf(claim.token);
    if (gen === undefined || !this.#holds(gen, claim.token) || outranks(this.#generations(), gen)) return undefined;
    const renewed: SpawnClaim = { ...claim, expiresAt: now + ttlMs };
    replaceFile(this.dir, String(gen), JSON.stringify(renewed));
    // Taken over meanwhile (the taker created the next number, or removed this file and the rename made
    // it again): withdraw. The taker, for its part, looks at this file once more after creating its own.
    if (outranks(this.#generations(), gen)) {
      unlinkQuietly(join(this.dir, String(gen)));
      return undefined;
    }
    return renewed;
  }

  /** Whether this claim is still the holder (its file holds its token and nothing outranks it). */
  stillHolds(claim: SpawnClaim): boolean {
    const gen = generationOf(claim.token);
    return gen !== undefined && this.#holds(gen, claim.token) && !outranks(this.#generations(), gen);
  }

  /** Renames the holder's file to `N.released`, if it still holds this token (never someone else's). */
  release(claim: SpawnClaim, release: ClaimRelease = {}, now = Date.now()): void {
    const gen = generationOf(claim.token);
    if (gen === undefined || !this.#holds(gen, claim.token)) return;
    const held = join(this.dir, String(gen));
    const released = `${gen}.released`;
    try {
      if (release.failure) {
        const failure: ClaimFailure = {
          key: claim.key,
          workerId: claim.workerId,
          owner: claim.owner,
          message: release.failure.message.slice(0, 2048),
          retryAfter: now + release.failure.backoffMs,
        };
        replaceFile(this.dir, released, JSON.stringify(failure));
        unlinkQuietly(held);
      } else {
        renameSync(held, join(this.dir, released));
      }
    } catch (error) {
      // Removed by whoever took it over: nothing of ours is left to release.
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    }
  }

  /** Creates file `gen` holding `claim`; false when the number was taken (or the directory vanished: retried). */
  #create(gen: number, claim: SpawnClaim): boolean {
    try {
      return createFileExclusively(this.dir, String(gen), JSON.stringify(claim));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
      ensureOwnDirectory(this.dir);
      return false;
    }
  }

  #generations(): Generation[] {
    const generations: Generation[] = [];
    for (const name of readdirSync(this.dir)) {
      if (name.startsWith(TEMP_PREFIX)) continue;
      const match = /^(\d{1,16})(\.released)?$/.exec(name);
      const gen = Number(match?.[1]);
      if (match && gen > 0 && gen < MAX_GENERATION) generations.push({ gen, name, released: match[2] !== undefined });
    }
    return generations;
  }

  #top(now: number): Top {
    let gen = 0;
    let released = false;
    for (const entry of this.#generations()) {
      if (entry.gen > gen) {
        gen = entry.gen;
        released = entry.released;
      } else if (entry.gen === gen && entry.released) {
        released = true;
      }
    }
    if (gen === 0) return { kind: "free", gen };
    if (released) {
      const failure = this.#readJson(`${gen}.released`, ClaimFailureSchema);
      return failure && failure.retryAfter > now ? { kind: "failed", gen, failure } : { kind: "free", gen };
    }
    const holder = this.#readJson(String(gen), SpawnClaimSchema);
    if (holder) return { kind: "held", gen, holder, stale: this.#judge(holder, now) };
    // Gone since the listing (released meanwhile), or not a claim this or a newer modelpool wrote (every
    // holder file is written whole, and claims are read loosely): nobody can be proven to hold it.
    return { kind: "free", gen };
  }

  #holds(gen: number, token: string): boolean {
    return this.#readJson(String(gen), SpawnClaimSchema)?.token === token;
  }

  #readJson<T>(
    name: string,
    schema: {
      safeParse(value: unknown, context: typeof PARSE_CONTEXT): { success: true; data: T } | { success: false };
    },
  ): T | undefined {
    const read = readOwnSmallFile(join(this.dir, name), MAX_CLAIM_BYTES);
    if (!read.ok) return undefined;
    const parsed = parseBoundedJson(read.text);
    if (!parsed.ok) return undefined;
    const result = safeParse(schema, parsed.value);
    return result.success ? result.data : undefined;
  }
}

/** Whether any file other than `gen` itself numbers `gen` or higher. */
function outranks(generations: readonly Generation[], gen: number): boolean {
  return generations.some((entry) => entry.gen >= gen && entry.name !== String(gen));
}

function generationOf(token: string): number | undefined {
  const match = /^(\d{1,16})\./.exec(token);
  return match ? Number(match[1]) : undefined;
}

/** Best effort: a lower number that is not a plain file (something else put it there) is removed too. */
function removeQuietly(path: string): void {
  try {
    rmSync(path, { recursive: true, force: true });
  } catch {
    // what cannot be removed is outranked anyway
  }
}
