import { describe, expect, it } from "vitest";
import { fleetMode, fleetSkip, namespacedSuite, useNamespacedFleet } from "./namespaced-fleet.js";

type Leased = { n: number; id: string; outcome: string; pid: number; url: string };
const RUNS = Number(process.env.MODELPOOL_RACE_RUNS ?? 1);

// A partition shorter than the holder's liveness TTL (10 s in the harness): the holder is alive and
// cut off, and no stop anywhere may take its worker. (Cut off longer than the TTL, a holder has lost its
// leases, as a dead one has: see "Invariants of the fleet store".)
describe.skipIf(fleetSkip !== undefined || fleetMode !== "network")(
  namespacedSuite("a host partitioned while it holds a lease"),
  () => {
    const fleet = useNamespacedFleet(2);

    it("its worker survives the owner's stopAll during the partition, and serves it once healed", {
      timeout: 90_000 + RUNS * 30_000,
    }, async () => {
      const [owner, user] = [fleet().startHost(1), fleet().startHost(2)];
      for (let run = 0; run < RUNS; run++) {
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
      }
      await Promise.all([owner.kill(), user.kill()]);
    });
  },
);
