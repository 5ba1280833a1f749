// The cost of a cold decision on a known worker in the fleet store, as a user sees it: a new pool (holding
// no lease, so it must write one) on a store that has read the worker before, reusing another host's
// worker. Its requests to Redis are counted with `INFO commandstats` and asserted (one request, the lease
// included); its time is a ratio to a bare GET on the same connection in the same run, over TRIALS stores
// (each its own connection, its own host).
import { randomUUID } from "node:crypto";
import { loadavg } from "node:os";
import {
  processIdentityOf,
  type WorkerBackend,
  type WorkerLease,
  WorkerPool,
  type WorkerRecord,
} from "@modelpool/core";
import { ExactModelPolicy } from "@modelpool/policy-exact";
import { RedisRegistry } from "@modelpool/registry-redis";
import { createClient } from "@redis/client";
import type { TestRedisServer } from "../packages/test-utils/src/redis-server.js";

const TRIALS = 7;
const REPEATS = 200;
const REQUEST = { workerId: "target", fingerprint: { resolvedModel: "openai/gpt-5-mini" } };
/** Decisions only: nothing is probed (section 4 measures a real probe), nothing is spawned. */
const NO_PROBE_BACKEND: WorkerBackend = {
  name: "bench",
  spawn: () => Promise.reject(new Error("the bench never spawns")),
};
/**
 * What the server runs for a decision of one request: one EVALSHA (holdJudged), and inside it the epoch
 * and record GETs, the heartbeat's PTTL, the record's SET and the holder key's SET. Any other request (a
 * lookup, a second script, a plain command) shows up as a count more here.
 */
const ONE_REQUEST = { evalsha: 1, get: 2, pttl: 1, set: 2 };

type Range = { min: number; median: number; max: number };
const range = (values: number[]): Range => {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    min: sorted[0] ?? Number.NaN,
    median: sorted[Math.floor(sorted.length / 2)] ?? Number.NaN,
    max: sorted[sorted.length - 1] ?? Number.NaN,
  };
};
const span = (r: Range, digits: number, unit = "") =>
  `median ${r.median.toFixed(digits)}${unit} (range ${r.min.toFixed(digits)}–${r.max.toFixed(digits)}${unit})`;

/**
 * Calls per command since the last CONFIG RESETSTAT (commands a script runs are counted too), asked on a
 * connection of its own (its INFO and CONFIG left out).
 */
async function commandStats(observer: RedisClient): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const line of String(await observer.sendCommand(["INFO", "commandstats"])).split("\n")) {
    const match = /^cmdstat_([^:]+):calls=(\d+)/.exec(line.trim());
    if (match?.[1] && match[1] !== "info" && match[1] !== "config|resetstat") counts[match[1]] = Number(match[2]);
  }
  return counts;
}

/** What the observer connection is used for: plain commands. */
type RedisClient = { sendCommand(args: string[]): Promise<unknown> };

/** Counts what the server runs from now on (CONFIG RESETSTAT, on the observer's connection). */
async function resetStats(observer: RedisClient): Promise<void> {
  await observer.sendCommand(["CONFIG", "RESETSTAT"]);
}

/** Whether the server ran exactly one decision's request since the last reset. */
function isOneRequest(counts: Record<string, number>): boolean {
  return JSON.stringify(sortKeys(counts)) === JSON.stringify(sortKeys(ONE_REQUEST));
}

function premise(ok: boolean, what: string): void {
  if (!ok) throw new Error(`fleet bench premise failed: ${what}`);
}

/** A worker of the owner host, alive by the heartbeat the owner's store renews (its pid is this process). */
function ownersWorker(owner: RedisRegistry, workerId: string): Promise<WorkerRecord> {
  const me = processIdentityOf(process.pid);
  const now = Date.now();
  return owner.put({
    kind: "worker",
    id: randomUUID(),
    workerId,
    pid: me.pid,
    ...(me.start === undefined ? {} : { pidStart: me.start }),
    fingerprint: { resolvedModel: REQUEST.fingerprint.resolvedModel, modelPolicy: "dynamic" },
    status: "ready",
    url: "http://198.18.0.20:1", // never contacted: the bench backend has no probe
    backend: "bench",
    owner: me,
    host: owner.hostId,
    startedAt: now,
    updatedAt: now,
  });
}

/** A session's pool: new, holding no lease, on the process's store; reuses other hosts' workers. */
function newPool(store: RedisRegistry): WorkerPool {
  return new WorkerPool({
    backend: NO_PROBE_BACKEND,
    registry: store,
    plugins: [new ExactModelPolicy()],
    allowRemoteUrls: true,
  });
}

/** One decision of a new pool; the lease and the pool are handed back for the caller to end untimed. */
async function decide(store: RedisRegistry, worker: WorkerRecord): Promise<{ pool: WorkerPool; lease: WorkerLease }> {
  const pool = newPool(store);
  const lease = await pool.getOrSpawn({ ...REQUEST, workerId: worker.workerId });
  premise(
    lease.decision.outcome === "reused" && lease.worker.id === worker.id,
    `reused ${worker.id}: ${lease.decision.reason}`,
  );
  return { pool, lease };
}

async function end({ pool, lease }: { pool: WorkerPool; lease: WorkerLease }): Promise<void> {
  await lease.release();
  await pool.close();
}

export async function fleetRoundTrips(server: TestRedisServer): Promise<string[]> {
  const namespace = `bench-${randomUUID()}`;
  // Heartbeats far apart: none falls inside a counted decision.
  const timing = { heartbeatMs: 60_000, heartbeatTtlMs: 120_000 };
  const owner = new RedisRegistry({ url: server.url, namespace, hostId: "owner-host", ...timing });
  const loadBefore = loadavg()[0] ?? Number.NaN;
  const firstRequests: number[] = [];
  const ratios: number[] = [];
  const decisionUs: number[] = [];
  const getUs: number[] = [];
  const storeRatios: number[] = [];
  let counted: Record<string, number> = {};
  const observer = createClient({ url: server.url });
  observer.on("error", () => {});
  await observer.connect();
  try {
    const worker = await ownersWorker(owner, "target");
    const warmUp = await ownersWorker(owner, "warm-up");
    for (let trial = 0; trial < TRIALS; trial++) {
      const client = createClient({ url: server.url });
      client.on("error", () => {});
      await client.connect();
      const store = new RedisRegistry({ client, namespace, hostId: `user-${trial}`, ...timing });
      try {
        // Connected, and the lookup and lease scripts known to the server: another workerId's decision.
        await end(await decide(store, warmUp));
        // The store's first decision on the worker: a lookup, then the lease (it has read nothing yet).
        await resetStats(observer);
        const firstSession = await decide(store, worker);
        const first = await commandStats(observer);
        firstRequests.push((first.evalsha ?? 0) + (first.eval ?? 0));
        await end(firstSession);
        // A second session loads the one-request script into the server (as any process's second decision).
        await end(await decide(store, worker));

        // The cold decision counted: a new pool, no lease held in this process, the worker read before.
        premise(store.recent("target") !== undefined, "the store has read the worker before");
        await resetStats(observer);
        const session = await decide(store, worker);
        counted = await commandStats(observer);
        premise(
          isOneRequest(counted),
          `one request per decision, lease included: the server ran ${JSON.stringify(counted)}, expected ${JSON.stringify(ONE_REQUEST)}`,
        );
        const seen = (await owner.lookup("target")).records[0]?.holders?.find((h) => h.host === store.hostId);
        premise(seen?.leases === 1, `the decision wrote its lease entry (found ${JSON.stringify(seen)})`);
        await end(session);

        // Time: REPEATS cold decisions (each a new pool; release and close untimed) against as many bare
        // GETs on the same connection, interleaved; every timed decision's requests counted and asserted.
        let decision = 0;
        let get = 0;
        for (let i = 0; i < REPEATS; i++) {
          const pool = newPool(store);
          await resetStats(observer);
          const a = performance.now();
          const lease = await pool.getOrSpawn(REQUEST);
          const b = performance.now();
          const ran = await commandStats(observer);
          premise(isOneRequest(ran), `timed decision ${i} was one request: the server ran ${JSON.stringify(ran)}`);
          premise(lease.decision.outcome === "reused", `reused: ${lease.decision.reason}`);
          const c = performance.now();
          await client.get(`${namespace}:bare`);
          const d = performance.now();
          await end({ pool, lease });
          decision += b - a;
          get += d - c;
        }
        decisionUs.push((decision / REPEATS) * 1000);
        getUs.push((get / REPEATS) * 1000);
        ratios.push(decision / get);

        // The store's one request alone (holdJudged, the entry written again), against the same GETs.
        const judged = store.recent("target")?.records[0];
        premise(judged?.id === worker.id, "the store's recent read holds the worker");
        let alone = 0;
        let bare = 0;
        for (let i = 0; i < REPEATS; i++) {
          const a = performance.now();
          const held = await store.holdJudged(judged as WorkerRecord, {
            pid: process.pid,
            leases: 0,
            lastUsedAt: Date.now(),
          });
          const b = performance.now();
          await client.get(`${namespace}:bare`);
          const c = performance.now();
          premise(held !== undefined, "holdJudged wrote the entry");
          alone += b - a;
          bare += c - b;
        }
        storeRatios.push(alone / bare);
      } finally {
        await store.close();
        client.destroy();
      }
    }
  } finally {
    await owner.close();
    observer.destroy();
  }
  const loadAfter = loadavg()[0] ?? Number.NaN;
  const f = range(firstRequests);
  return [
    "## fleet: cold decision on a known worker (a new pool; the store has read the worker; lease written)",
    `requests per decision (INFO commandstats, asserted): 1, lease included; the server ran ${JSON.stringify(counted)}`,
    `  the store's first decision on a workerId it never read: ${f.min === f.max ? f.min : `${f.min}–${f.max}`} requests (a lookup, then the lease)`,
    `time per decision (getOrSpawn of a new pool): ${span(range(decisionUs), 0, " µs")}; a bare GET ${span(range(getUs), 0, " µs")}`,
    `ratio to a bare GET on the same connection: ${span(range(ratios), 2, "x")}, ${TRIALS} trials × ${REPEATS}`,
    `  the one request alone (holdJudged) ÷ GET: ${span(range(storeRatios), 2, "x")}`,
    `load average (1 min) ${loadBefore.toFixed(1)} before, ${loadAfter.toFixed(1)} after (${TRIALS} trials)`,
  ];
}

function sortKeys(counts: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(counts).sort(([a], [b]) => a.localeCompare(b)));
}
