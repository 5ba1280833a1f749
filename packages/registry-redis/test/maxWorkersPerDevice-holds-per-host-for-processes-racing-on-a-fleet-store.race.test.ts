import { randomUUID } from "node:crypto";
import { describe, expect } from "vitest";
import { race, type Store, startRacer } from "../../core/test/fixtures/capacity-racers.js";
import { raceTest } from "../../test-utils/src/hostile/race.js";
import { sampleRunningWorkers } from "../../test-utils/src/worker-processes.js";
import { fleetSpec, missingRedis, suiteName, useRedisServer } from "./redis.js";

const LIMIT = 2;
const OPENER = new URL("./fixtures/open-redis-store.ts", import.meta.url);

describe.skipIf(missingRedis !== undefined)(suiteName(`maxWorkersPerDevice ${LIMIT} on a Redis fleet store`), () => {
  const server = useRedisServer();

  raceTest(
    `6 OS processes of one host asking at once for workers of different models never run more than ${LIMIT} of them, while another host's ${LIMIT} leased workers count only on that host`,
    { perRunMs: 30_000, defaultRuns: 1 },
    async () => {
      // Heartbeats lapse after 20 s unrenewed: a loaded machine may starve a host for seconds, and a lapsed
      // heartbeat rightly makes that host's workers dead to the others — not what this race is about.
      const spec = JSON.stringify(fleetSpec(server(), { heartbeatMs: 1_000, heartbeatTtlMs: 20_000 }));
      const prefix = `fleet-${randomUUID()}`;
      const here: Store = { opener: OPENER, spec, hostId: "host-a" };
      const elsewhere: Store = { opener: OPENER, spec, hostId: "host-b" };
      const sampledHere = sampleRunningWorkers(`${prefix}-a-`);
      const sampledElsewhere = sampleRunningWorkers(`${prefix}-b-`);

      // Host b is full, every worker leased: were its workers counted on host a, nothing could start there.
      const options = { maxWorkersPerDevice: LIMIT, capacityTimeoutMs: 30_000, holdMs: 600_000 };
      const full = Array.from({ length: LIMIT }, (_, i) =>
        startRacer(elsewhere, { ...options, requests: [{ workerId: `b-${i}`, model: `${prefix}-b-${i}` }] }),
      );
      for (const racer of full) {
        const answer = await racer.firstAnswer(30_000);
        expect(answer, `${JSON.stringify(answer)}\n${racer.out.stderr()}`).toMatchObject({ step: "leased" });
      }
      const { codes, stderr, answers } = await race(here, {
        count: 6,
        perRacer: 1,
        prefix: `${prefix}-a`,
        limit: LIMIT,
        holdMs: 200,
        capacityTimeoutMs: 30_000,
      });
      const worstHere = (await sampledHere.stop()).worst;
      const worstElsewhere = (await sampledElsewhere.stop()).worst;

      expect(codes, stderr).toEqual(Array(6).fill(0));
      expect(answers.filter((answer) => answer.step === "failed")).toEqual([]);
      expect(answers).toHaveLength(6);
      expect(worstHere, "host a's worker processes running at once at the worst moment").toHaveLength(LIMIT);
      expect(worstElsewhere).toHaveLength(LIMIT);
    },
  );
});
