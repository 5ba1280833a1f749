import { describe, expect } from "vitest";
import { raceTest } from "../../test-utils/src/hostile/race.js";
import { type FleetHost, killHost, startHost } from "./fleet.js";
import { fleetSpec, missingRedis, suiteName, useRedisServer } from "./redis.js";

describe.skipIf(missingRedis !== undefined)(suiteName("a host SIGKILLed while it holds a spawn claim"), () => {
  const server = useRedisServer();

  raceTest(
    "loses the claim when it expires, and exactly one of the other hosts gets it",
    { perRunMs: 30_000, defaultRuns: 1 },
    async () => {
      const spec = fleetSpec(server());
      const claimTtlMs = 1_500;
      const holder = startHost(spec, 1, ["claim", "docs|model-a", "docs", String(claimTtlMs), "0"]);
      await holder.next();
      holder.send("go");
      const held = await holder.next<{ acquired: boolean }>();
      expect(held.acquired).toBe(true);

      const others: FleetHost[] = [];
      for (let n = 2; n <= 6; n++) others.push(startHost(spec, n, ["claim", "docs|model-a", "docs", "60000", "5000"]));
      await Promise.all(others.map((host) => host.next()));
      await killHost(holder);
      const killedAt = Date.now();
      for (const host of others) host.send("go");

      const outcomes = await Promise.all(others.map((host) => host.next<{ acquired: boolean; at: number }>()));
      const winners = outcomes.filter((outcome) => outcome.acquired);
      expect(winners).toHaveLength(1);
      // Not before the dead host's claim lapsed: its owner is on another host, so only the TTL frees it.
      expect((winners[0]?.at ?? 0) - killedAt).toBeGreaterThan(claimTtlMs - 1_000);
      for (const host of others) host.send("end");
    },
  );
});
