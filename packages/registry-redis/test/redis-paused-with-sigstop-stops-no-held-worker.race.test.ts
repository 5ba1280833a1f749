import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect } from "vitest";
import { raceTest } from "../../test-utils/src/hostile/race.js";
import type { LineHost } from "../../test-utils/src/namespaces/index.js";
import { fleetSkip, namespacedSuite, useNamespacedFleet } from "./namespaced-fleet.js";

type Leased = { n: number; id: string; outcome: string; pid: number; url: string; model: string; error?: string };

// A pause shorter than the liveness TTL less a period: Redis's TTLs run on the wall clock, so keys whose
// time passed during a longer pause expire the moment it resumes (a holder paused that long with it has
// lost its lease, as a dead one has).
const STORE = { heartbeatMs: 1_000, heartbeatTtlMs: 4_000, commandTimeoutMs: 300 };
const PAUSE_MS = 1_500;

/** Asks until the host answers without an error (Redis is back, but a first call may find it away). */
async function settled<T extends { error?: string }>(host: LineHost, command: Record<string, unknown>): Promise<T> {
  const until = performance.now() + 60_000;
  for (;;) {
    const answer = await host.ask<T>(command);
    if (answer.error === undefined) return answer;
    if (performance.now() > until) throw new Error(`${JSON.stringify(command)}: ${answer.error}`);
    await sleep(50);
  }
}

describe.skipIf(fleetSkip !== undefined)(namespacedSuite("Redis paused with SIGSTOP, then resumed"), () => {
  const fleet = useNamespacedFleet(2);
  let hosts: [LineHost, LineHost] | undefined;

  raceTest(
    "no worker held from another host is stopped, no request spawns while Redis is stalled, nothing is left running",
    { perRunMs: 15_000 },
    async (run) => {
      hosts ??= [fleet().startHost(1, STORE), fleet().startHost(2, STORE)];
      const [owner, user] = hosts;
      const model = `paused-${run}`;
      const spawned = await settled<Leased>(owner, { op: "lease", workerId: "docs", model });
      expect(spawned).toMatchObject({ outcome: "spawned", model });
      const shared = await settled<Leased>(user, { op: "lease", workerId: "docs", model });
      expect(shared).toMatchObject({ outcome: "reused", id: spawned.id, model });
      await settled(owner, { op: "release", n: spawned.n });

      fleet().redis.pause(true);
      let stalled: [Record<string, unknown>, Leased];
      try {
        // While Redis answers nothing: the owner stops all, the user asks again. Neither may act blind.
        stalled = await Promise.all([
          owner.ask({ op: "stopAll" }),
          user.ask<Leased>({ op: "lease", workerId: "docs", model: `${model}-other` }),
        ]);
        await sleep(Math.max(0, PAUSE_MS - 2 * STORE.commandTimeoutMs));
      } finally {
        fleet().redis.pause(false);
      }
      const [, asked] = stalled;
      // A request during the stall fails (the fleet's claim cannot be taken): it never spawns blind.
      expect(asked.error ?? asked.model).toMatch(/unavailable|REGISTRY|-other$/);
      const spawns = 1 + (asked.error === undefined && asked.outcome === "spawned" ? 1 : 0);
      expect(await owner.ask({ op: "alive", pid: spawned.pid })).toEqual({ alive: true });
      expect(await user.ask({ op: "probe", url: shared.url })).toMatchObject({ ok: true, model });

      await settled(user, { op: "release", n: shared.n });
      if (asked.error === undefined) await settled(user, { op: "release", n: asked.n });
      await Promise.all([settled(owner, { op: "stopAll" }), settled(user, { op: "stopAll" })]);
      expect(await owner.ask({ op: "alive", pid: spawned.pid })).toEqual({ alive: false });
      if (asked.error === undefined) expect(await user.ask({ op: "alive", pid: asked.pid })).toEqual({ alive: false });
      return { spawns, leases: 2, pauses: 1 };
    },
  );
});
