import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect } from "vitest";
import { raceTest } from "../../test-utils/src/hostile/race.js";
import type { LineHost } from "../../test-utils/src/namespaces/index.js";
import { fleetSkip, namespacedSuite, useNamespacedFleet } from "./namespaced-fleet.js";

type Leased = { n: number; id: string; outcome: string; pid: number; url: string; model: string; error?: string };

// Short heartbeats (grace = heartbeatTtlMs = 4 s) keep a run to a few seconds; a TTL 4x the period
// still survives a late heartbeat under the hostile suite's load.
const STORE = { heartbeatMs: 1_000, heartbeatTtlMs: 4_000 };

/** Asks until the host answers without an error: right after a restart its first calls find Redis away. */
async function settled<T extends { error?: string }>(host: LineHost, command: Record<string, unknown>): Promise<T> {
  const until = performance.now() + 60_000; // a restart on a loaded machine: waited for, never timed
  for (;;) {
    const answer = await host.ask<T>(command);
    if (answer.error === undefined) return answer;
    if (performance.now() > until) throw new Error(`${JSON.stringify(command)}: ${answer.error}`);
    await sleep(50);
  }
}

describe.skipIf(fleetSkip !== undefined)(namespacedSuite("Redis restarted empty mid-traffic"), () => {
  const fleet = useNamespacedFleet(2);
  // Two hosts for every run (each run its own model): starting hosts is most of a run's time otherwise.
  let hosts: [LineHost, LineHost] | undefined;

  raceTest(
    "no worker held from another host is stopped, no lease names the wrong model, nothing is left running",
    { perRunMs: 20_000 },
    async (run) => {
      hosts ??= [fleet().startHost(1, STORE), fleet().startHost(2, STORE)];
      const [owner, user] = hosts;
      const model = `restarted-${run}`;
      const spawned = await settled<Leased>(owner, { op: "lease", workerId: "docs", model });
      expect(spawned).toMatchObject({ outcome: "spawned", model });
      const shared = await settled<Leased>(user, { op: "lease", workerId: "docs", model });
      expect(shared).toMatchObject({ outcome: "reused", id: spawned.id, model });
      await settled(owner, { op: "release", n: spawned.n });

      await fleet().redis.restart();
      // Mid-traffic: the owner stops everything it spawned while the user asks again, both against the
      // emptied server, before any heartbeat of either host has seen the restart.
      const [, again] = await Promise.all([
        settled(owner, { op: "stopAll" }),
        settled<Leased>(user, { op: "lease", workerId: "docs", model }),
      ]);
      expect(again.model).toBe(model);
      // The held worker runs on and serves its holder.
      expect(await owner.ask({ op: "alive", pid: spawned.pid })).toEqual({ alive: true });
      expect(await user.ask({ op: "probe", url: shared.url })).toMatchObject({ ok: true, model });

      // Nothing left running once both hosts let go and stop what they spawned (after the grace).
      await settled(user, { op: "release", n: shared.n });
      await settled(user, { op: "release", n: again.n });
      await sleep(STORE.heartbeatTtlMs);
      await Promise.all([settled(owner, { op: "stopAll" }), settled(user, { op: "stopAll" })]);
      const pids = [
        { host: owner, pid: spawned.pid },
        ...(again.outcome === "spawned" ? [{ host: user, pid: again.pid }] : []),
      ];
      for (const { host, pid } of pids) expect(await host.ask({ op: "alive", pid })).toEqual({ alive: false });
      // The bound (README, failure table): the owner's one spawn, and at most one more by a host that asked
      // before the owner had put its record back.
      expect(pids.length).toBeLessThanOrEqual(2);
      return { spawns: pids.length, leases: 3, restarts: 1 };
    },
  );
});
