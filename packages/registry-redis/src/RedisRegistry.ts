import { createHash, randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import {
  type ClaimAttempt,
  type ClaimFailure,
  ClaimFailureSchema,
  type ClaimRelease,
  type ClaimRequest,
  CorruptRegistryError,
  checkRecordedProcess,
  checkRecordLiveness,
  decodeRecordText,
  type LeaseHolder,
  LeaseHolderSchema,
  LockTimeoutError,
  localHostId,
  type PrunedRecord,
  parseOptions,
  type RecordChange,
  type RecordRef,
  type RegistryStore,
  RegistryUnavailableError,
  type SpawnClaim,
  SpawnClaimSchema,
  type StoreRead,
  staleReason,
  type UnreadableRecord,
  type WorkerRecord,
  WorkerRecordSchema,
} from "@modelpool/core";
import { MAX_VALUE_BYTES } from "./bounded-json.js";
import { decodeValue } from "./decode.js";
import { Heartbeats } from "./Heartbeats.js";
import { isJudgedRecord } from "./judged-record.js";
import { keptRecord } from "./kept-record.js";
import { RegistryKeys } from "./keys.js";
import { type RedisRegistryOptions, RedisRegistryOptionsSchema } from "./options.js";
import { RedisConnection } from "./RedisConnection.js";
import { urlWithoutPassword } from "./redis-url.js";
import { parseRegistryUrl } from "./registry-url.js";
import * as scripts from "./scripts.js";
import { ServerEpoch } from "./server-epoch.js";
import { WorkerIdSchema } from "./worker-id.js";

type ReadRecord =
  | { readonly ok: true; readonly record: WorkerRecord }
  | { readonly ok: false; readonly unreadable: UnreadableRecord };

/**
 * A fleet registry: worker records in Redis, shared by every host of a deployment. One key per record, a
 * set of record ids per workerId, spawn claims as `SET NX PX` keys, per-record updates by compare-and-set.
 *
 * Liveness across hosts: every record this store writes names its host (`hostId`), and while the worker
 * runs, this store renews a heartbeat key for it every `heartbeatMs` with a TTL of `heartbeatTtlMs`. When a
 * record of another host is read, `aliveUntil` is set from what is left of its heartbeat (`PTTL`, so clocks
 * of different hosts never need to agree); `checkRecordLiveness` then judges it. A record of this host is
 * judged by its process, as in a device registry.
 */
export class RedisRegistry implements RegistryStore {
  readonly location: string;
  readonly hostId: string;
  readonly namespace: string;
  readonly #keys: RegistryKeys;
  readonly #connection: RedisConnection;
  readonly #heartbeats: Heartbeats;
  readonly #updateTimeoutMs: number;
  /** This process's lease entries by record (what it holds): re-asserted when the server lost its data. */
  readonly #held = new Map<string, { ref: RecordRef; entry: LeaseHolder }>();
  /**
   * What the last lookups read of each record, or this store last wrote there (bounded): where a lease
   * entry's compare-and-set starts.
   */
  readonly #lastRead = new Map<string, { reply: Reply[]; record: WorkerRecord }>();
  /** What the last lookup of each workerId found (bounded): what `recent` answers, for `holdJudged`. */
  readonly #recent = new Map<string, StoreRead>();
  /** This process's spawn claims (by claim key) with their TTLs: re-asserted when the server lost its data. */
  readonly #claims = new Map<string, { claim: SpawnClaim; ttlMs: number }>();
  /** The server's data as this store knows it, and the grace after it changed. */
  readonly #epoch: ServerEpoch;

  constructor(options: RedisRegistryOptions) {
    const resolved = parseOptions(RedisRegistryOptionsSchema, options, "RedisRegistry");
    this.hostId = resolved.hostId ?? localHostId();
    this.namespace = resolved.namespace;
    const url = resolved.url ?? resolved.client?.options?.url;
    const where = url === undefined ? "the application's Redis client" : urlWithoutPassword(url);
    this.location = `${where} (namespace ${resolved.namespace})`;
    this.#keys = new RegistryKeys(resolved.namespace);
    this.#connection = new RedisConnection(resolved, this.location);
    this.#updateTimeoutMs = resolved.updateTimeoutMs;
    // The grace: one TTL from the moment this store sees the change. Every live host sees it within one
    // heartbeat period of the change and re-asserts at once, and a TTL is at least two periods.
    this.#epoch = new ServerEpoch(resolved.heartbeatTtlMs);
    this.#heartbeats = new Heartbeats({
      connection: this.#connection,
      keys: this.#keys,
      hostId: this.hostId,
      periodMs: resolved.heartbeatMs,
      ttlMs: resolved.heartbeatTtlMs,
      onError: resolved.onHeartbeatError ?? (() => {}),
      epoch: this.#epoch,
    });
    // After a restart or failover, this process's entries go back onto the records (which their owners
    // re-publish within one period); the grace covers the time until every host has done so.
    // Claims too: a holder whose claim vanished sets it again with its own token (no other host takes a
    // free claim during the grace), so its spawn stays the only one.
    this.#epoch.onChanged = async () => {
      // What was read from the server before describes another server's data: never a judgement's base.
      this.#recent.clear();
      this.#lastRead.clear();
      await Promise.all(
        [...this.#claims.values()].map(({ claim, ttlMs }) =>
          this.#connection
            .send(["SET", this.#keys.claim(claim.key), JSON.stringify(claim), "NX", "PX", String(ttlMs)])
            .catch(() => {}),
        ),
      );
      for (const { ref, entry } of [...this.#held.values()]) {
        await this.hold(ref, { ...entry, lastUsedAt: Math.max(entry.lastUsedAt, Date.now()) }).catch(() => {});
      }
    };
  }

  /**
   * A store from one URL, `redis[s]://[user[:password]@]host[:port][/db]/namespace` (what the CLI's
   * `--registry` takes); the other options as for the constructor.
   */
  static fromUrl(registryUrl: string, options: Omit<RedisRegistryOptions, "url" | "namespace"> = {}): RedisRegistry {
    return new RedisRegistry({ ...options, ...parseRegistryUrl(registryUrl) });
  }

  /**
   * One request for a workerId of up to `BATCH` records: its index, its records, their heartbeats and their
   * lease holders' liveness, read by one script (more records: the rest in batches, as `scan` reads).
   */
  async lookup(workerId: string): Promise<StoreRead> {
    const index = this.#keys.workerIndex(workerId);
    const reply = await scripts.lookupRecords.run(
      this.#connection,
      [index, this.#keys.epoch()],
      [
        this.#keys.holderKeyPrefix(),
        this.#keys.record(workerId, ""),
        this.#keys.heartbeat(workerId, ""),
        String(BATCH),
        this.#epoch.propose(),
      ],
    );
    const flat = Array.isArray(reply) ? reply : [];
    if (flat[0] === "E") throw new CorruptRegistryError(index, String(flat[1]), undefined);
    // Before anything read here is kept: a changed server clears what this store read of the one before.
    await this.#epoch.observe(flat[1]);
    const records: WorkerRecord[] = [];
    const unreadable: UnreadableRecord[] = [];
    const later: Reply[] = [];
    const now = Date.now();
    for (let i = 2; i + 4 < flat.length + 1; i += 5) {
      const [id, tag, value, ttl, holderTtls] = flat.slice(i, i + 5);
      if (tag === "L" || typeof id !== "string") {
        later.push(id ?? null);
        continue;
      }
      if (tag === "N") continue; // removed since the index was read
      if (tag === "E") {
        unreadable.push({
          location: this.#keys.record(workerId, id),
          reason: `Redis refused to read it: ${String(value)}`,
        });
        continue;
      }
      const read = this.#decodeRecord(value ?? null, ttl ?? null, holderTtls ?? null, workerId, id, now);
      if (read.ok) {
        records.push(read.record);
        this.#remember(
          this.#keys.record(workerId, id),
          [tag ?? null, value ?? null, ttl ?? null, holderTtls ?? null],
          read.record,
        );
      } else unreadable.push(read.unreadable);
    }
    if (later.length === 0) return this.#keepRecent(workerId, { records, unreadable });
    const rest = await this.#readRecords([{ workerId, ids: later }]);
    return this.#keepRecent(workerId, {
      records: [...records, ...rest.records],
      unreadable: [...unreadable, ...rest.unreadable],
    });
  }

  /**
   * The records of one workerId as the last `lookup` here found them, without a request (undefined when
   * none did, or the server changed since). What a pool judges a decision from when it leases with
   * `holdJudged`; possibly out of date, which `holdJudged` checks.
   */
  recent(workerId: string): StoreRead | undefined {
    return this.#recent.get(workerId);
  }

  /** Every readable record (unreadable ones are left out: `scan` names them). */
  async list(): Promise<WorkerRecord[]> {
    return [...(await this.scan()).records];
  }

  /** Every record, and where and why each unreadable one could not be read. */
  async scan(): Promise<StoreRead> {
    const workerIds = await this.#connection.send(["SMEMBERS", this.#keys.workerIds()]);
    const unreadable: UnreadableRecord[] = [];
    const valid: string[] = [];
    for (const workerId of Array.isArray(workerIds) ? workerIds : []) {
      if (typeof workerId === "string" && WorkerIdSchema.safeParse(workerId).success) valid.push(workerId);
      else {
        unreadable.push({
          location: this.#keys.workerIds(),
          reason: `holds an invalid workerId ${JSON.stringify(workerId)}`,
        });
      }
    }
    // A few round trips for the whole fleet, not one per workerId: index sets, then records, in batches.
    const indexes: { workerId: string; ids: readonly Reply[] }[] = [];
    for (const batch of batches(valid, BATCH)) {
      const members = await scripts.membersOfSets.run(
        this.#connection,
        batch.map((workerId) => this.#keys.workerIndex(workerId)),
        [],
      );
      batch.forEach((workerId, i) => {
        const ids = Array.isArray(members) ? members[i] : undefined;
        indexes.push({ workerId, ids: Array.isArray(ids) ? ids : [] });
      });
    }
    const read = await this.#readRecords(indexes);
    return { records: read.records, unreadable: [...unreadable, ...read.unreadable] };
  }

  /**
   * Creates or replaces a record. A record without `host` is this host's; a record of this host gets a
   * heartbeat at once (if its process lives) and is kept alive from then on by this store's heartbeats.
   */
  async put(record: WorkerRecord): Promise<WorkerRecord> {
    const valid = parseOptions(WorkerRecordSchema, record, "RedisRegistry.put record");
    const stored = this.#forStorage({ ...valid, host: valid.host ?? this.hostId });
    // Entries without a host were written on this host (a spawner's first lease): they say so, and their
    // processes' liveness keys exist before the record does.
    const ownHolders = (stored.holders ?? []).filter((holder) => holder.host === this.hostId);
    await Promise.all(
      ownHolders.map((holder) => {
        const holderKey = this.#keys.holder(this.hostId, holder.pid, holder.start);
        this.#heartbeats.trackHolder(holderKey);
        return this.#connection.send(["SET", holderKey, "1", "PX", String(this.#heartbeats.ttlMs)]);
      }),
    );
    const alive = stored.host === this.hostId && checkRecordLiveness(stored, this.hostId).ok;
    const epoch = await scripts.putRecord.run(
      this.#connection,
      [...this.#recordKeys(stored), this.#keys.epoch()],
      [
        JSON.stringify(stored),
        stored.id,
        stored.workerId,
        alive ? String(this.#heartbeats.ttlMs) : "0",
        this.#epoch.propose(),
      ],
    );
    await this.#epoch.observe(epoch);
    this.#heartbeats.track(stored);
    // What is stored there now, as far as this store knows: where its next lease entry's compare-and-set
    // starts (a pool leasing the worker it just spawned, once released, again: one request).
    this.#remember(this.#keys.record(stored.workerId, stored.id), ["V", JSON.stringify(stored), null, []], stored);
    return stored;
  }

  /**
   * Compare-and-set: reads the record, applies `change`, and writes the result only if the record is still
   * exactly what was read; otherwise reads again and retries, for up to `updateTimeoutMs`
   * (`LockTimeoutError` after). `change` sees `aliveUntil` as a lookup would; it is never stored.
   */
  async update(ref: RecordRef, change: RecordChange): Promise<WorkerRecord | undefined> {
    return this.#update(ref, change, undefined);
  }

  /**
   * `update`, and with `holderKey`, that process's liveness key set in the same step as the write (a
   * lease entry is never visible without the signal that says its holder lives).
   */
  async #update(
    ref: RecordRef,
    change: RecordChange,
    holderKey: string | undefined,
  ): Promise<WorkerRecord | undefined> {
    const key = this.#keys.record(ref.workerId, ref.id);
    const started = performance.now();
    for (let attempt = 0; ; attempt++) {
      // A lease entry onto a record just looked up starts from the value the lookup read (its change does
      // not judge liveness): one request when nobody changed the record since, a read and a retry if so.
      const cached = attempt === 0 && holderKey !== undefined ? this.#lastRead.get(key)?.reply : undefined;
      // One step: the record, its heartbeat and its holders' liveness keys as they stood together.
      const reply =
        cached ??
        (await scripts.readRecordAndEpoch.run(
          this.#connection,
          [key, this.#keys.heartbeat(ref.workerId, ref.id), this.#keys.epoch()],
          [this.#keys.holderKeyPrefix(), this.#epoch.propose()],
        ));
      const [tag, raw, ttl, holderTtls, epoch] = Array.isArray(reply) ? reply : [];
      const changed = cached === undefined && (await this.#epoch.observe(epoch));
      if (tag === "N") {
        // Absent from a server that lost its data less than a grace ago: its owner may not have put it back
        // yet, so "gone" is not known (a stop that took it for gone would end a worker others hold).
        if (changed || this.#epoch.inGrace()) {
          throw new RegistryUnavailableError(
            this.location,
            0,
            `${key} is absent from a server that lost its data less than ${this.#heartbeats.ttlMs} ms ago; its owner re-publishes it`,
          );
        }
        return undefined;
      }
      if (tag !== "V") throw new CorruptRegistryError(key, `Redis refused to read it: ${String(raw)}`, undefined);
      const read = this.#decodeRecord(raw ?? null, ttl ?? null, holderTtls ?? null, ref.workerId, ref.id, Date.now());
      if (!read.ok) throw new CorruptRegistryError(key, read.unreadable.reason, undefined);
      const next = change(read.record);
      if (next === undefined) return read.record;
      // The server lost its data less than a TTL ago: lease entries of other hosts may not be back yet,
      // so no stop may trust what it read. Refused, as if a lease held it (the pool keeps or drains it).
      const stopping = next.status === "stopped" && read.record.status !== "stopped";
      if (stopping && this.#epoch.inGrace()) return read.record;
      const valid = parseOptions(WorkerRecordSchema, next, "RedisRegistry.update result");
      if (valid.workerId !== ref.workerId || valid.id !== ref.id) {
        throw new RangeError(`update of ${ref.workerId}/${ref.id} returned a record of ${valid.workerId}/${valid.id}`);
      }
      const stored = this.#forStorage({ ...valid, host: valid.host ?? read.record.host });
      const written = stopping
        ? await this.#stopIfSameServer(key, raw as string, JSON.stringify(stored))
        : holderKey === undefined
          ? await scripts.compareAndSet.run(this.#connection, [key], [raw as string, JSON.stringify(stored), "0"])
          : await scripts.compareAndSetHeld.run(
              this.#connection,
              [key, holderKey],
              [raw as string, JSON.stringify(stored), String(this.#heartbeats.ttlMs)],
            );
      // The server changed between the read and the write (this store saw it only now): refused as above.
      if (written === -1) return read.record;
      if (written === 1) {
        this.#heartbeats.track(stored);
        // Liveness of the entries of the value written is unknown here (judged gone by whoever reads it from this).
        this.#remember(key, ["V", JSON.stringify(stored), ttl ?? null, []], stored);
        return { ...stored, ...(read.record.aliveUntil === undefined ? {} : { aliveUntil: read.record.aliveUntil }) };
      }
      const waited = performance.now() - started;
      if (waited > this.#updateTimeoutMs) {
        throw new LockTimeoutError(key, Math.round(waited), `the record kept changing (${attempt + 1} attempts)`);
      }
      // Another writer won the round: step aside for a random moment so that the next round has a winner.
      await sleep(Math.random() * Math.min(2 ** attempt, 20));
    }
  }

  /**
   * This process's lease entry, set by one compare-and-set of the record (a Redis record is one key, so
   * the entry and a concurrent stop are ordered by Redis itself). Entries of the same process (pid and
   * start) are replaced.
   */
  async hold(ref: RecordRef, holder: LeaseHolder): Promise<WorkerRecord | undefined> {
    const { entry, holderKey } = this.#holderEntry(holder, "RedisRegistry.hold holder");
    this.#keepHeld(ref, entry);
    return this.#update(ref, (current) => withEntry(current, entry), holderKey);
  }

  /**
   * `hold` onto the record a caller judged (from `recent` or a lookup), in one request when this store
   * knows the value stored there: written only if the record is still the one judged (`isJudgedRecord`:
   * every field but the lease entries), its worker's heartbeat lives when it is another host's, and the
   * server is the one this store knew — all checked by the script that writes the entry and its holder's
   * liveness key. A record whose lease entries alone changed meanwhile is tried again (the script answers
   * its value); anything else resolves to undefined, and nothing was written.
   */
  async holdJudged(judged: WorkerRecord, holder: LeaseHolder): Promise<WorkerRecord | undefined> {
    const ref = { workerId: judged.workerId, id: judged.id };
    const { entry, holderKey } = this.#holderEntry(holder, "RedisRegistry.holdJudged holder");
    const key = this.#keys.record(ref.workerId, ref.id);
    const heartbeatKey = this.#keys.heartbeat(ref.workerId, ref.id);
    const started = performance.now();
    const known = this.#lastRead.get(key);
    let reply = known?.reply;
    for (let attempt = 0; ; attempt++) {
      if (reply === undefined) {
        const fresh = await scripts.readRecordAndEpoch.run(
          this.#connection,
          [key, heartbeatKey, this.#keys.epoch()],
          [this.#keys.holderKeyPrefix(), this.#epoch.propose()],
        );
        reply = Array.isArray(fresh) ? fresh : [];
        if (await this.#epoch.observe(reply[4])) return undefined;
      }
      const [tag, raw, ttl, holderTtls] = reply;
      if (tag !== "V" || typeof raw !== "string") return undefined;
      // The value this store last read or wrote was validated then (its record kept with it); another is
      // validated now. A value the shared validation refuses is nobody's judgement (and never written over).
      const read: ReadRecord =
        attempt === 0 && known !== undefined && reply === known.reply
          ? { ok: true, record: known.record }
          : this.#decodeRecord(raw, ttl ?? null, holderTtls ?? null, ref.workerId, ref.id, Date.now());
      if (!read.ok || !isJudgedRecord(read.record, judged)) return undefined;
      // The record was validated when read (or written here); its lease entries are what changes: validated
      // by the record schema's own member (a whole-record parse is a third of this method's time).
      const withHolder = withEntry(read.record, entry);
      const holders = parseOptions(
        WorkerRecordSchema.shape.holders,
        withHolder.holders,
        "RedisRegistry.holdJudged holders",
      );
      const stored = this.#forStorage({ ...withHolder, holders, host: read.record.host });
      const next = JSON.stringify(stored);
      const remote = stored.host !== this.hostId;
      const answer = await scripts.holdJudged.run(
        this.#connection,
        [key, heartbeatKey, holderKey, this.#keys.epoch()],
        [
          createHash("sha1").update(raw).digest("hex"),
          next,
          String(this.#heartbeats.ttlMs),
          this.#keys.holderKeyPrefix(),
          this.#epoch.known,
          this.#epoch.propose(),
          remote ? "1" : "0",
        ],
      );
      const [written, epoch, ...rest] = Array.isArray(answer) ? answer : [];
      if ((await this.#epoch.observe(epoch)) || written === -1 || written === -2) return undefined;
      if (written === 1) {
        const heartbeat = rest[0];
        this.#heartbeats.track(stored);
        this.#keepHeld(ref, entry);
        this.#remember(key, ["V", next, heartbeat ?? null, []], stored);
        return remote && typeof heartbeat === "number" && heartbeat > 0
          ? { ...stored, aliveUntil: Date.now() + heartbeat }
          : stored;
      }
      // Another value: its lease entries alone changed (judged again above), or it is another record now.
      reply = rest;
      if (performance.now() - started > this.#updateTimeoutMs) return undefined;
      await sleep(Math.random() * Math.min(2 ** attempt, 20));
    }
  }

  /**
   * This process's lease entry as stored (it names this host: other hosts judge it by the liveness key
   * this store sets and renews) and that key, renewed from now on.
   */
  #holderEntry(holder: LeaseHolder, what: string): { entry: LeaseHolder; holderKey: string } {
    const { aliveUntil: _computed, ...valid } = parseOptions(LeaseHolderSchema, holder, what);
    const entry: LeaseHolder = { ...valid, host: this.hostId };
    const holderKey = this.#keys.holder(this.hostId, entry.pid, entry.start);
    this.#heartbeats.trackHolder(holderKey);
    return { entry, holderKey };
  }

  /** The entry this process holds on a record, re-asserted after a server change (none once it holds nothing). */
  #keepHeld(ref: RecordRef, entry: LeaseHolder): void {
    const recordKey = this.#keys.record(ref.workerId, ref.id);
    if (entry.leases > 0) this.#held.set(recordKey, { ref: { workerId: ref.workerId, id: ref.id }, entry });
    else this.#held.delete(recordKey);
  }

  async remove(ref: RecordRef): Promise<boolean> {
    this.#heartbeats.forget(ref);
    const removed = await scripts.removeRecord.run(this.#connection, this.#recordKeys(ref), [
      ref.id,
      ref.workerId,
      "any",
    ]);
    return removed === 1;
  }

  /**
   * Removes records that no longer describe a usable worker: of this host, as a device registry judges
   * them (process gone, stopped, failed, abandoned claim); of another host, stopped or failed ones and those
   * whose heartbeat has expired — unless the heartbeat came back meanwhile. Unreadable records are kept.
   * Never signals any process: only the owning host ever does.
   */
  async prune(now = Date.now()): Promise<PrunedRecord[]> {
    const stale = (await this.list()).flatMap((record) => {
      const reason = staleReason(record, this.hostId, now);
      return reason === undefined ? [] : [{ record, reason }];
    });
    const removed = await Promise.all(
      stale.map(({ record }) => {
        const local = record.host === this.hostId;
        const finished = record.status === "stopped" || record.status === "error";
        // A remote worker judged by its heartbeat is removed only if the heartbeat is still absent.
        const mode = local || finished ? "any" : "dead-only";
        return scripts.removeRecord.run(this.#connection, this.#recordKeys(record), [record.id, record.workerId, mode]);
      }),
    );
    const pruned = stale.filter((_, i) => removed[i] === 1);
    for (const { record } of pruned) this.#heartbeats.forget(record);
    return pruned;
  }

  async acquireClaim(request: ClaimRequest): Promise<ClaimAttempt> {
    const ttlMs = Math.max(1, Math.ceil(request.ttlMs));
    const claimKey = this.#keys.claim(request.key);
    for (;;) {
      request.signal?.throwIfAborted();
      const now = Date.now();
      const claim: SpawnClaim = SpawnClaimSchema.parse({
        key: request.key,
        token: randomUUID(),
        workerId: request.workerId,
        owner: request.owner,
        acquiredAt: now,
        expiresAt: now + ttlMs,
      });
      const reply = await scripts.acquireClaim.run(
        this.#connection,
        [claimKey, this.#keys.claimFailure(request.key), this.#keys.epoch()],
        [
          JSON.stringify(claim),
          String(ttlMs),
          this.#epoch.known,
          this.#epoch.propose(),
          this.#epoch.inGrace() ? "1" : "0",
        ],
      );
      const [outcome, raw, epoch] = Array.isArray(reply) ? reply : [];
      await this.#epoch.observe(epoch);
      if (outcome === "acquired") {
        this.#claims.set(claim.key, { claim, ttlMs });
        return { acquired: true, claim };
      }
      if (outcome === "wait") {
        // Free, but the server lost its data less than a grace ago: its holder may be re-asserting it.
        // Waited out here (looking again often, so a re-asserted claim is seen as held at once); the
        // wait ends with the grace, never because a live holder took long — or with the caller's signal.
        await sleep(Math.max(5, Math.min(this.#epoch.graceLeftMs(), 50)), undefined, { signal: request.signal }).catch(
          (error: unknown) => {
            throw request.signal?.aborted ? request.signal.reason : error;
          },
        );
        continue;
      }
      if (outcome === "failed") {
        return {
          acquired: false,
          failed: this.#decodeClaimValue(ClaimFailureSchema, raw, this.#keys.claimFailure(request.key)),
        };
      }
      if (outcome === "corrupt")
        throw new CorruptRegistryError(claimKey, `unreadable claim: ${String(raw)}`, undefined);
      if (typeof raw !== "string") continue; // expired between the two steps: try again
      const holder = this.#decodeClaimValue(SpawnClaimSchema, raw, claimKey);
      // The claim key expires by itself; what is left to judge is an owner of this host that died.
      if (!this.#ownerGone(holder)) return { acquired: false, holder };
      const taken = await scripts.compareAndSet.run(
        this.#connection,
        [claimKey],
        [raw, JSON.stringify(claim), String(ttlMs)],
      );
      if (taken === 1) {
        this.#claims.set(claim.key, { claim, ttlMs });
        return { acquired: true, claim, replaced: holder };
      }
      // Someone else changed it first (took it over, or its owner released it): judge afresh.
    }
  }

  /** The claim on `key`, unless its owner is a process of this host that is gone (then it is free to take). */
  async readClaim(key: string): Promise<SpawnClaim | ClaimFailure | undefined> {
    const reply = await this.#connection.send(["MGET", this.#keys.claim(key), this.#keys.claimFailure(key)]);
    const [claim, failure] = Array.isArray(reply) ? reply : [];
    if (typeof claim === "string") {
      const holder = this.#decodeClaimValue(SpawnClaimSchema, claim, this.#keys.claim(key));
      if (!this.#ownerGone(holder)) return holder;
    }
    if (typeof failure === "string") {
      return this.#decodeClaimValue(ClaimFailureSchema, failure, this.#keys.claimFailure(key));
    }
    return undefined;
  }

  async renewClaim(claim: SpawnClaim, ttlMs: number): Promise<SpawnClaim | undefined> {
    const ms = Math.max(1, Math.ceil(ttlMs));
    const next: SpawnClaim = { ...claim, expiresAt: Date.now() + ms };
    const reply = await scripts.renewClaim.run(
      this.#connection,
      [this.#keys.claim(claim.key), this.#keys.epoch()],
      [
        claim.token,
        JSON.stringify(next),
        String(ms),
        this.#epoch.known,
        this.#epoch.propose(),
        this.#epoch.inGrace() ? "1" : "0",
      ],
    );
    const [renewed, epoch] = Array.isArray(reply) ? reply : [];
    if (renewed !== 1) this.#claims.delete(claim.key);
    else this.#claims.set(claim.key, { claim: next, ttlMs: ms });
    await this.#epoch.observe(epoch);
    return renewed === 1 ? next : undefined;
  }

  async releaseClaim(claim: SpawnClaim, release: ClaimRelease = {}): Promise<void> {
    const backoffMs = Math.max(1, Math.ceil(release.failure?.backoffMs ?? 1));
    const failure: ClaimFailure | undefined = release.failure && {
      key: claim.key,
      workerId: claim.workerId,
      owner: claim.owner,
      message: release.failure.message.slice(0, 8192),
      retryAfter: Date.now() + backoffMs,
    };
    this.#claims.delete(claim.key);
    await scripts.releaseClaim.run(
      this.#connection,
      [this.#keys.claim(claim.key), this.#keys.claimFailure(claim.key)],
      [claim.token, failure ? JSON.stringify(failure) : "", String(backoffMs)],
    );
  }

  /** Renews this host's heartbeats now rather than at the next period (and re-publishes lost records). */
  heartbeat(): Promise<void> {
    return this.#heartbeats.beat();
  }

  /**
   * Stops heartbeats and closes the connection. Records stay; the workers of this host stay alive for other
   * hosts only while another store on this host renews their heartbeats (see the README).
   */
  async close(): Promise<void> {
    this.#heartbeats.stop();
    await this.#connection.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /**
   * A stop's write: the compare-and-set, refused (-1) in the same step when the server's epoch is not the
   * one this store knew (then the grace starts here, before any other step of this store runs).
   */
  async #stopIfSameServer(key: string, expected: string, next: string): Promise<number> {
    const reply = await scripts.compareAndSetStop.run(
      this.#connection,
      [key, this.#keys.epoch()],
      [expected, next, this.#epoch.known, this.#epoch.propose()],
    );
    const [written, epoch] = Array.isArray(reply) ? reply : [];
    if (await this.#epoch.observe(epoch)) return -1;
    return typeof written === "number" ? written : 0;
  }

  #keepRecent(workerId: string, read: StoreRead): StoreRead {
    this.#recent.delete(workerId);
    this.#recent.set(workerId, read);
    if (this.#recent.size > 1_000) this.#recent.delete(this.#recent.keys().next().value as string);
    return read;
  }

  /** What is stored at `key` as this store last read or wrote it, with the record validated from it. */
  #remember(key: string, reply: Reply[], record: WorkerRecord): void {
    this.#lastRead.delete(key);
    // A copy of its own: `record` is also what this store returns, and whoever gets it may write into it.
    this.#lastRead.set(key, { reply, record: keptRecord(record) });
    if (this.#lastRead.size > 1_000) this.#lastRead.delete(this.#lastRead.keys().next().value as string);
  }

  /** The records of some workerIds (each with the ids its index holds) and their heartbeats, in batches. */
  async #readRecords(indexes: readonly { workerId: string; ids: readonly Reply[] }[]): Promise<StoreRead> {
    const records: WorkerRecord[] = [];
    const unreadable: UnreadableRecord[] = [];
    const refs: RecordRef[] = [];
    for (const { workerId, ids } of indexes) {
      for (const id of ids) {
        if (typeof id === "string" && id.length > 0 && id.length <= 256) refs.push({ workerId, id });
        else {
          unreadable.push({
            location: this.#keys.workerIndex(workerId),
            reason: `holds an invalid record id ${JSON.stringify(id)}`,
          });
        }
      }
    }
    for (const batch of batches(refs, BATCH)) {
      const reply = await scripts.readRecords.run(
        this.#connection,
        [
          ...batch.map((ref) => this.#keys.record(ref.workerId, ref.id)),
          ...batch.map((ref) => this.#keys.heartbeat(ref.workerId, ref.id)),
        ],
        [this.#keys.holderKeyPrefix()],
      );
      const flat = Array.isArray(reply) ? reply : [];
      const now = Date.now();
      batch.forEach((ref, i) => {
        const [tag, value, ttl, holderTtls] = flat.slice(4 * i, 4 * i + 4);
        if (tag === "N") return; // removed since the index was read
        if (tag === "E") {
          const location = this.#keys.record(ref.workerId, ref.id);
          unreadable.push({ location, reason: `Redis refused to read it: ${String(value)}` });
          return;
        }
        const read = this.#decodeRecord(value ?? null, ttl ?? null, holderTtls ?? null, ref.workerId, ref.id, now);
        if (read.ok) records.push(read.record);
        else unreadable.push(read.unreadable);
      });
    }
    return { records, unreadable };
  }

  /**
   * A record as read: validated, named by its key, with a host; `aliveUntil` never taken from the value but
   * from the heartbeat's remaining TTL, for records of other hosts. A live record of this host is adopted
   * for heartbeats (its spawner may have exited and left it running for the next session).
   */
  #decodeRecord(
    raw: Reply,
    heartbeatTtl: Reply,
    holderTtls: Reply,
    workerId: string,
    id: string,
    now: number,
  ): ReadRecord {
    const location = this.#keys.record(workerId, id);
    if (typeof raw !== "string") return { ok: false, unreadable: { location, reason: "not a string value" } };
    if (Buffer.byteLength(raw, "utf8") > MAX_VALUE_BYTES) {
      return { ok: false, unreadable: { location, reason: `larger than ${MAX_VALUE_BYTES} bytes` } };
    }
    // The very check a record file of the directory store gets: bounded, no prototype keys, the schema,
    // and filed where it belongs.
    const decoded = decodeRecordText(raw, { workerId, id });
    if (!decoded.ok) return { ok: false, unreadable: { location, reason: decoded.reason } };
    const { aliveUntil: _untrusted, ...stored } = decoded.record;
    if (stored.host === undefined) {
      return { ok: false, unreadable: { location, reason: "it names no host, so nobody can judge whether it lives" } };
    }
    const record = this.#withHolderLiveness(stored, stored.host, holderTtls, now);
    if (record.host === this.hostId) {
      if (checkRecordLiveness(record, this.hostId, now).ok) this.#heartbeats.track(record);
      return { ok: true, record };
    }
    const remaining = typeof heartbeatTtl === "number" && heartbeatTtl > 0 ? heartbeatTtl : undefined;
    return { ok: true, record: remaining === undefined ? record : { ...record, aliveUntil: now + remaining } };
  }

  #decodeClaimValue<S extends typeof SpawnClaimSchema | typeof ClaimFailureSchema>(
    schema: S,
    raw: Reply | undefined,
    key: string,
  ) {
    const decoded = decodeValue(schema, raw);
    if (!decoded.ok) throw new CorruptRegistryError(key, `unreadable claim: ${decoded.reason}`, undefined);
    return decoded.value as ReturnType<S["parse"]>;
  }

  /**
   * Whether a claim's owner is known to be gone: only a process of this host can be judged (pid and start
   * time); an owner on another host holds its claim until the claim's TTL ends.
   */
  #ownerGone(claim: SpawnClaim): boolean {
    const { owner } = claim;
    if (owner.host !== this.hostId) return false;
    return !checkRecordedProcess({ pid: owner.pid, pidStart: owner.start, startedAt: claim.acquiredAt }).ok;
  }

  #recordKeys(ref: RecordRef): string[] {
    return [
      this.#keys.record(ref.workerId, ref.id),
      this.#keys.workerIndex(ref.workerId),
      this.#keys.workerIds(),
      this.#keys.heartbeat(ref.workerId, ref.id),
    ];
  }

  /**
   * The record's lease entries as this host must judge them: each names its host (an entry without one is
   * of the record's host); an entry of this host is judged by its process, as before; an entry of another
   * host gets `aliveUntil` from what is left of its process's liveness key (read in the same step as the
   * record), and none at all (0) when the key is gone. Any `aliveUntil` stored in the value is ignored.
   */
  #withHolderLiveness(record: WorkerRecord, recordHost: string, holderTtls: Reply, now: number): WorkerRecord {
    if (!record.holders) return record;
    const ttls = Array.isArray(holderTtls) ? holderTtls : [];
    const holders = record.holders.map((holder, i) => {
      const { aliveUntil: _untrusted, ...entry } = holder;
      const host = entry.host ?? recordHost;
      if (host === this.hostId) return { ...entry, host };
      const ttl = ttls[i];
      return { ...entry, host, aliveUntil: typeof ttl === "number" && ttl > 0 ? now + ttl : 0 };
    });
    return { ...record, holders };
  }

  /**
   * What is written: never `aliveUntil` (of the record or of an entry), which only a reader computes from
   * liveness keys; every lease entry names its host (one without was written on this host).
   */
  #forStorage(record: WorkerRecord): WorkerRecord {
    const { aliveUntil: _computed, ...stored } = record;
    if (!stored.holders) return stored;
    return {
      ...stored,
      holders: stored.holders.map(({ aliveUntil: _holderComputed, ...entry }) => ({
        ...entry,
        host: entry.host ?? this.hostId,
      })),
    };
  }
}

type Reply = import("./RedisConnection.js").Reply;

/**
 * The record with `entry` as its holder's lease entry: an earlier entry of the same process (host, pid
 * and start) is replaced, every other kept.
 */
function withEntry(current: WorkerRecord, entry: LeaseHolder): WorkerRecord {
  return {
    ...current,
    holders: [
      ...(current.holders ?? []).filter(
        (other) => other.pid !== entry.pid || other.start !== entry.start || other.host !== entry.host,
      ),
      entry,
    ],
  };
}

/** Keys per script call when reading many records: one call stays short enough not to stall Redis. */
const BATCH = 250;

function batches<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
