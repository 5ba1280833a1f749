// The cost of a decision on a known worker in the fleet store: what a pool sends to Redis for it (a lookup
// of the workerId, then its lease entry), counted by `INFO commandstats` and timed as a ratio to a bare GET
// on the same connection, over TRIALS fresh stores (each its own connection, its own "session").
import { randomUUID } from "node:crypto";
import { RedisRegistry } from "@modelpool/registry-redis";
import { createClient } from "@redis/client";
import type { TestRedisServer } from "../packages/test-utils/src/redis-server.js";

const TRIALS = 7;
const REPEATS = 200;

type Range = { min: number; median: number; max: number };
const range = (values: number[]): Range => {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    min: sorted[0] ?? Number.NaN,
    median: sorted[Math.floor(sorted.length / 2)] ?? Number.NaN,
    max: sorted[sorted.length - 1] ?? Number.NaN,
  };
};

/** Calls per command since the last CONFIG RESETSTAT (commands a script runs are counted too). */
function commandStats(server: TestRedisServer): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const line of server.cli("INFO", "commandstats").split("\n")) {
    const match = /^cmdstat_([^:]+):calls=(\d+)/.exec(line.trim());
    if (match?.[1] && match[1] !== "info" && match[1] !== "config|resetstat") counts[match[1]] = Number(match[2]);
  }
  return counts;
}

export async function fleetRoundTrips(server: TestRedisServer): Promise<string[]> {
  const namespace = `bench-${randomUUID()}`;
  const owner = new RedisRegistry({
    url: server.url,
    namespace,
    hostId: "owner-host",
    heartbeatMs: 60_000,
    heartbeatTtlMs: 120_000,
  });
  const now = Date.now();
  for (const workerId of ["warm-up", "target"]) {
    await owner.put({
      kind: "worker",
      id: `${workerId}-1`,
      workerId,
      pid: 4242,
      fingerprint: { resolvedModel: "openai/gpt-5-mini", modelPolicy: "dynamic" },
      status: "ready",
      url: "http://198.18.0.20:1",
      startedAt: now,
      updatedAt: now,
    });
  }
  const requests: number[] = [];
  const ratios: number[] = [];
  const decisionUs: number[] = [];
  let stats: Record<string, number> = {};
  try {
    for (let trial = 0; trial < TRIALS; trial++) {
      const client = createClient({ url: server.url });
      client.on("error", () => {});
      await client.connect();
      const store = new RedisRegistry({
        client,
        namespace,
        hostId: `user-${trial}`,
        heartbeatMs: 60_000,
        heartbeatTtlMs: 120_000,
      });
      try {
        // Connected and the scripts known to the server: as after a process's first decision.
        await store.lookup("warm-up");
        await store.hold({ workerId: "warm-up", id: "warm-up-1" }, { pid: 1000 + trial, leases: 1, lastUsedAt: now });
        server.cli("CONFIG", "RESETSTAT");
        await store.lookup("target");
        await store.hold({ workerId: "target", id: "target-1" }, { pid: 1000 + trial, leases: 1, lastUsedAt: now });
        stats = commandStats(server);
        requests.push((stats.evalsha ?? 0) + (stats.eval ?? 0));
        // Time: REPEATS decisions (lookup + lease entry) against REPEATS bare GETs, interleaved.
        let decision = 0;
        let get = 0;
        for (let i = 0; i < REPEATS; i++) {
          const a = performance.now();
          await store.lookup("target");
          await store.hold(
            { workerId: "target", id: "target-1" },
            { pid: 1000 + trial, leases: 1, lastUsedAt: Date.now() },
          );
          const b = performance.now();
          await client.get(`${namespace}:bare`);
          const c = performance.now();
          decision += b - a;
          get += c - b;
        }
        decisionUs.push((decision / REPEATS) * 1000);
        ratios.push(decision / get);
      } finally {
        await store.close();
        client.destroy();
      }
    }
  } finally {
    await owner.close();
  }
  const r = range(ratios);
  const d = range(decisionUs);
  const q = range(requests);
  return [
    "## fleet: decision on a known worker (lookup + lease entry)",
    `requests per decision (EVALSHA calls, INFO commandstats): ${q.min}–${q.max} over ${TRIALS} fresh stores`,
    `  commands the server ran for one decision, scripts' own included: ${JSON.stringify(stats)}`,
    `time per decision: median ${d.median.toFixed(0)} µs (range ${d.min.toFixed(0)}–${d.max.toFixed(0)})`,
    `ratio to a bare GET on the same connection: median ${r.median.toFixed(2)}x (range ${r.min.toFixed(2)}–${r.max.toFixed(2)}), ${TRIALS} trials × ${REPEATS}`,
  ];
}
