import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect } from "vitest";
import { raceTest } from "../../test-utils/src/hostile/race.js";
import type { LineHost } from "../../test-utils/src/namespaces/index.js";
import { workersOfModel } from "../../test-utils/src/processes-state.js";
import { fleetSkip, namespacedSuite, useNamespacedFleet } from "./namespaced-fleet.js";

type Leased = { n: number; id: string; outcome: string; pid: number; url: string; model: string; error?: string };
type Records = { records: { id: string; pid: number; status: string; draining: boolean }[] };

const STORE = { heartbeatMs: 1_000, heartbeatTtlMs: 4_000 };
/** The spawning host's workers take this long to be ready: long enough to be killed mid-spawn. */
// 30 s: still starting when the kill lands however loaded the machine (the kill costs the run nothing: the
// asker's own worker starts at once). At 3 s, a run at load 35 saw the start finish first, once in 20.
const SLOW = { ...STORE, workerEnv: { WORKER_START_DELAY_MS: "30000" } };

describe.skipIf(fleetSkip !== undefined)(namespacedSuite("a host SIGKILLed mid-spawn"), () => {
  const fleet = useNamespacedFleet(2);
  let asker: LineHost | undefined;

  raceTest(
    "the other host waits out the dead spawner's claim, then spawns the model once; nothing is left running",
    { perRunMs: 30_000 },
    async (run) => {
      asker ??= fleet().startHost(2, STORE);
      const spawner = fleet().startHost(1, SLOW);
      const model = `killed-spawner-${run}`;
      const workerId = `docs-${run}`; // this run's records only
      const first = spawner.ask<Leased>({ op: "lease", workerId, model });
      first.catch(() => undefined); // its host is killed before it answers
      // Mid-spawn: its `starting` record is in the registry, its worker not ready.
      let start: Records["records"][number] | undefined;
      while (start === undefined) {
        const { records } = await asker.ask<Records>({ op: "records", workerId });
        start = records.find((record) => record.status === "starting");
        if (start === undefined) await sleep(20);
      }
      // A power cut of the spawning host: its pid namespace ends at once, the start with it.
      await spawner.kill();
      const killedAt = performance.now();
      // The other host asks for the same model: it waits for the claim the dead host held (freed by its
      // TTL only: nothing on another host can tell that host's process is gone), then spawns once.
      const leased = await asker.ask<Leased>({ op: "lease", workerId, model });
      expect(leased).toMatchObject({ outcome: "spawned", model });
      const waitedMs = Math.round(performance.now() - killedAt);
      // One worker of the model is ready, on the asking host; the dead host's start is never leased.
      const { records } = await asker.ask<Records>({ op: "records", workerId });
      const ready = records.filter((record) => record.status === "ready" || record.status === "busy");
      expect(ready.map((record) => record.id)).toEqual([leased.id]);
      expect(await asker.ask({ op: "probe", url: leased.url })).toMatchObject({ ok: true, model });
      // Nothing left running once released and stopped.
      await asker.ask({ op: "release", n: leased.n });
      await asker.ask({ op: "stopAll" });
      expect(await asker.ask({ op: "alive", pid: leased.pid })).toEqual({ alive: false });
      // No process of that model anywhere on the machine (this process sees every namespace's).
      expect(workersOfModel(model)).toEqual([]);
      // Spawns per model: the killed host's start (ended with its host) and the asker's one.
      return { spawns: 2, readyWorkers: ready.length, kills: 1, waitedMs };
    },
  );
});
