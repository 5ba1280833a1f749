// A decision on a worker the store has read before is judged from that read and leased in one request
// (`holdJudged`). Raced against the owner host stopping all its workers at the same moment, one side
// always sees the other: either the lease lands first and the owner leaves the held worker running
// (draining), or the stop lands first and the lease is not written on the stopped record (the user then
// decides from a fresh lookup and spawns its own). Hosts in their own pid and network namespaces.
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect } from "vitest";
import { raceTest } from "../../test-utils/src/hostile/race.js";
import type { LineHost } from "../../test-utils/src/namespaces/index.js";
import { fleetSkip, namespacedSuite, useNamespacedFleet } from "./namespaced-fleet.js";

type Leased = { n: number; id: string; outcome: string; pid: number; url: string; model: string };

const STORE = { heartbeatMs: 1_000, heartbeatTtlMs: 4_000 };

describe.skipIf(fleetSkip !== undefined)(namespacedSuite("a lease judged from a recent read, raced by a stop"), () => {
  const fleet = useNamespacedFleet(2);
  let hosts: [LineHost, LineHost] | undefined;

  raceTest(
    "never leaves a worker stopped while it is held, nor leases one of another model",
    { perRunMs: 20_000 },
    async (run) => {
      hosts ??= [fleet().startHost(1, STORE), fleet().startHost(2, STORE)];
      const [owner, user] = hosts;
      const model = `judged-${run}`;
      const spawned = await owner.ask<Leased>({ op: "lease", workerId: "docs", model });
      expect(spawned).toMatchObject({ outcome: "spawned", model });
      // The user's store reads the worker (its first decision), then leases it from that read (its second).
      for (let i = 0; i < 2; i++) {
        const shared = await user.ask<Leased>({ op: "lease", workerId: "docs", model });
        expect(shared).toMatchObject({ outcome: "reused", id: spawned.id, model });
        await user.ask({ op: "release", n: shared.n });
      }
      await owner.ask({ op: "release", n: spawned.n });

      // The race: the owner stops everything it spawned while the user decides from its recent read — the
      // user's request sent 0 to 60 ms after the stop's (a stop takes longer to reach its write than a lease
      // of one request: without the offset the lease would nearly always land first).
      const [, again] = await Promise.all([
        owner.ask({ op: "stopAll" }),
        sleep((run % 7) * 10).then(() => user.ask<Leased>({ op: "lease", workerId: "docs", model })),
      ]);
      expect(again.model).toBe(model);
      const won = again.id === spawned.id ? "lease" : "stop";
      if (won === "lease") {
        // Held: running, and serving its holder.
        expect(await owner.ask({ op: "alive", pid: spawned.pid })).toEqual({ alive: true });
        expect(await user.ask({ op: "probe", url: again.url })).toMatchObject({ ok: true, model });
      } else {
        expect(again.outcome).toBe("spawned");
        expect(await user.ask({ op: "probe", url: again.url })).toMatchObject({ ok: true, model });
      }

      // Nothing left running once the user lets go and both hosts stop what they spawned.
      await user.ask({ op: "release", n: again.n });
      await Promise.all([owner.ask({ op: "stopAll" }), user.ask({ op: "stopAll" })]);
      const pids = [{ host: owner, pid: spawned.pid }, ...(won === "stop" ? [{ host: user, pid: again.pid }] : [])];
      for (const { host, pid } of pids) expect(await host.ask({ op: "alive", pid })).toEqual({ alive: false });
      return { leases: 4, [`${won} first`]: 1, spawns: pids.length };
    },
  );
});
