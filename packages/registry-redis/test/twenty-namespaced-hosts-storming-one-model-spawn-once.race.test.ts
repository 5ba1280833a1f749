import { describe, expect } from "vitest";
import { raceTest } from "../../test-utils/src/hostile/race.js";
import type { LineHost } from "../../test-utils/src/namespaces/index.js";
import { waitUntil, workersOfModel } from "../../test-utils/src/processes-state.js";
import { fleetSkip, namespacedSuite, useNamespacedFleet } from "./namespaced-fleet.js";

type Leased = { n: number; id: string; outcome: string; pid: number; url: string; model: string; workerHost: string };
type Whoami = { pid: number; pidNamespace: string; hostId: string };
type Records = { records: { id: string; status: string; holders?: { host?: string; leases: number }[] }[] };

const HOSTS = 20;
/**
 * Heartbeats that lapse only after 20 s unrenewed: 20 hosts, their worker and Redis on a small loaded
 * machine may starve the spawner for seconds, and a lapsed heartbeat rightly makes its worker dead to the
 * others (a second spawn, as documented) — not what this race is about.
 */
const STORE = { heartbeatMs: 1_000, heartbeatTtlMs: 20_000 };

describe.skipIf(fleetSkip !== undefined)(namespacedSuite("20 hosts ask at once for one workerId and model"), () => {
  const fleet = useNamespacedFleet(HOSTS);

  raceTest(
    "one host spawns, the other 19 reach its worker over the network and hold a lease on it; nothing is left running",
    { perRunMs: 90_000 },
    async (run) => {
      const hosts: LineHost[] = Array.from({ length: HOSTS }, (_, i) => fleet().startHost(i + 1, STORE));
      try {
        // Every host up (imports done, store connected) before any asks: then all ask at one instant.
        const whoami = await Promise.all(hosts.map((host) => host.ask<Whoami>({ op: "whoami" })));
        // Separate machines: 20 pid namespaces, 20 host ids.
        expect(new Set(whoami.map((w) => w.pidNamespace)).size).toBe(HOSTS);
        expect(new Set(whoami.map((w) => w.hostId)).size).toBe(HOSTS);
        const model = `storm-${run}`;
        const leased = await Promise.all(
          hosts.map((host) => host.ask<Leased>({ op: "lease", workerId: "docs", model })),
        );

        // One worker, and every host holds it: the spawner's own lease and 19 over the network.
        const ids = new Set(leased.map((l) => l.id));
        expect(ids.size, JSON.stringify(leased, null, 1)).toBe(1);
        expect(leased.every((l) => l.model === model && (l.outcome === "spawned" || l.outcome === "reused"))).toBe(
          true,
        );
        expect(
          whoami.map((w) => w.hostId),
          "the worker runs on one of the hosts",
        ).toContain(leased[0]?.workerHost);
        const answer = await (hosts[0] as LineHost).ask<Records>({ op: "records", workerId: "docs" });
        expect(answer.records, JSON.stringify(answer)).toBeDefined();
        const { records } = answer;
        const ofRun = records.filter((record) => record.id === leased[0]?.id);
        expect(ofRun).toHaveLength(1);
        const holders = ofRun[0]?.holders ?? [];
        expect(holders.reduce((sum, holder) => sum + holder.leases, 0)).toBe(HOSTS);
        expect(new Set(holders.map((holder) => holder.host)).size).toBe(HOSTS);
        // Every host reaches it on the spawner's address, from its own network namespace.
        const probes = await Promise.all(hosts.map((host, i) => host.ask({ op: "probe", url: leased[i]?.url })));
        expect(probes.every((probe) => (probe as { ok?: boolean; model?: string }).ok === true)).toBe(true);
        return { hosts: HOSTS, spawns: ids.size, leases: holders.reduce((sum, h) => sum + h.leases, 0) };
      } finally {
        // Power off every host: each pid namespace ends, the worker with its host.
        await Promise.all(hosts.map((host) => host.kill()));
        // The kernel ends a namespace's processes after its pid 1, each when it is next scheduled: on a
        // loaded machine that takes a moment. Waited for, bounded: a worker still running then is a leak.
        await waitUntil(() => workersOfModel(`storm-${run}`).length === 0, 30_000).catch(() => undefined);
        expect(workersOfModel(`storm-${run}`), "no process of the model is left on the machine").toEqual([]);
      }
    },
  );
});
