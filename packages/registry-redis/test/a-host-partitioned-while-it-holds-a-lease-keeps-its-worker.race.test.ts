import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect } from "vitest";
import { raceTest } from "../../test-utils/src/hostile/race.js";
import type { LineHost } from "../../test-utils/src/namespaces/index.js";
import { fleetMode, fleetSkip, namespacedSuite, useNamespacedFleet } from "./namespaced-fleet.js";

type Leased = { n: number; id: string; outcome: string; pid: number; url: string };

// A partition shorter than the holder's liveness TTL (10 s in the harness): the holder is alive and
// cut off, and no stop anywhere may take its worker. (Cut off longer than the TTL, a holder has lost its
// leases, as a dead one has: see "Invariants of the fleet store".)
describe.skipIf(fleetSkip !== undefined || fleetMode !== "network")(
  namespacedSuite("a host partitioned while it holds a lease"),
  () => {
    const fleet = useNamespacedFleet(2);
    // Two hosts for every run (each run its own model): starting hosts is most of a run's time otherwise.
    let hosts: [LineHost, LineHost] | undefined;

    raceTest(
      "its worker survives the owner's stopAll during the partition, serves it once healed, and is stopped once released",
      { perRunMs: 30_000 },
      async (run) => {
        hosts ??= [fleet().startHost(1), fleet().startHost(2)];
        const [owner, user] = hosts;
        const model = `partitioned-${run}`;
        const spawned = await owner.ask<Leased>({ op: "lease", workerId: "docs", model });
        expect(spawned).toMatchObject({ outcome: "spawned" });
        const shared = await user.ask<Leased>({ op: "lease", workerId: "docs", model });
        expect(shared).toMatchObject({ outcome: "reused", id: spawned.id });
        await owner.ask({ op: "release", n: spawned.n });
        fleet().network?.setLink(2, false);
        try {
          await owner.ask({ op: "stopAll" });
          expect(await owner.ask({ op: "alive", pid: spawned.pid })).toEqual({ alive: true });
        } finally {
          fleet().network?.setLink(2, true);
        }
        expect(await user.ask({ op: "probe", url: shared.url })).toMatchObject({ ok: true, model });
        await user.ask({ op: "release", n: shared.n });
        // The drain the stopAll left finishes on the worker's own host (bounded by the run's timeout).
        while ((await owner.ask<{ alive: boolean }>({ op: "alive", pid: spawned.pid })).alive) await sleep(100);
        return { spawns: 1, leases: 2, partitions: 1 };
      },
    );
  },
);
