import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect } from "vitest";
import { raceTest } from "../../test-utils/src/hostile/race.js";
import type { LineHost } from "../../test-utils/src/namespaces/index.js";
import { fleetSkip, namespacedSuite, useNamespacedFleet } from "./namespaced-fleet.js";

type Leased = { n: number; id: string; outcome: string; pid: number; url: string; model: string; error?: string };

const STORE = { heartbeatMs: 1_000, heartbeatTtlMs: 4_000 };

describe.skipIf(fleetSkip !== undefined)(namespacedSuite("a host SIGKILLed while it holds a lease"), () => {
  const fleet = useNamespacedFleet(2);
  let owner: LineHost | undefined;

  raceTest(
    "its lease holds its worker until the holder's liveness key lapses, then the owner's stop ends it",
    { perRunMs: 20_000 },
    async (run) => {
      owner ??= fleet().startHost(1, STORE);
      const user = fleet().startHost(2, STORE);
      const model = `killed-holder-${run}`;
      const spawned = await owner.ask<Leased>({ op: "lease", workerId: "docs", model });
      expect(spawned).toMatchObject({ outcome: "spawned", model });
      const shared = await user.ask<Leased>({ op: "lease", workerId: "docs", model });
      expect(shared).toMatchObject({ outcome: "reused", id: spawned.id, model });
      await owner.ask({ op: "release", n: spawned.n });

      // A power cut of the holder's host: its whole pid namespace ends at once, nothing is released.
      await user.kill();
      const killedAt = performance.now();
      // The owner stops all at once: the dead holder's entry still has its liveness key, so time has not
      // yet said it is gone, and the worker stays (no deadline decides for a participant still counted live).
      await owner.ask({ op: "stopAll" });
      const keptAt = performance.now();
      const alive = await owner.ask<{ alive: boolean }>({ op: "alive", pid: spawned.pid });
      if (keptAt - killedAt < STORE.heartbeatTtlMs - STORE.heartbeatMs) expect(alive).toEqual({ alive: true });
      // Once the key lapses, nothing holds it: the owner's next stop ends it, and nothing is left running.
      for (;;) {
        await sleep(500);
        await owner.ask({ op: "stopAll" });
        if (!(await owner.ask<{ alive: boolean }>({ op: "alive", pid: spawned.pid })).alive) break;
        // Bounded by the run's timeout: a worker left running past it is the orphan this race looks for.
      }
      return { spawns: 1, leases: 2, kills: 1, stoppedAfterMs: Math.round(performance.now() - killedAt) };
    },
  );
});
