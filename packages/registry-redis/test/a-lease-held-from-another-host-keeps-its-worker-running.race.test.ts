import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { raceTest } from "../../test-utils/src/hostile/race.js";
import type { LineHost } from "../../test-utils/src/namespaces/index.js";
import { fleetSkip, namespacedSuite, useNamespacedFleet } from "./namespaced-fleet.js";

type Leased = { n: number; id: string; outcome: string; pid: number; url: string; workerHost: string };

describe.skipIf(fleetSkip !== undefined)(namespacedSuite("a lease held from another host"), () => {
  const fleet = useNamespacedFleet(2);
  // Two hosts for every run (each run its own model): starting hosts is most of a run's time otherwise.
  let hosts: [LineHost, LineHost] | undefined;

  it("hosts are separate pid spaces: each has its own pid 1, which is not the machine's", {
    timeout: 60_000,
  }, async () => {
    const [a, b] = [fleet().startHost(1), fleet().startHost(2)];
    const [whoA, whoB] = await Promise.all([a.ask({ op: "whoami" }), b.ask({ op: "whoami" })]);
    const { readlinkSync, readFileSync } = await import("node:fs");
    const machinePid1 = readFileSync("/proc/1/cmdline", "latin1").split("\0").filter(Boolean);
    for (const who of [whoA, whoB]) {
      expect(who.pidNamespace).not.toBe(readlinkSync("/proc/self/ns/pid"));
      expect(who.pid1).not.toEqual(machinePid1);
      expect((who.pid1 as string[])[0]).toBe("sh"); // the harness's shell is the host's init
      expect(who.pid).toBeLessThan(10); // pids counted from 1 in the host's own space
    }
    expect(whoA.pidNamespace).not.toBe(whoB.pidNamespace);
    expect(whoA.hostId).not.toBe(whoB.hostId);
    await Promise.all([a.kill(), b.kill()]);
  });

  raceTest(
    "keeps the worker running when its owner host stops all its workers, and stops it once released",
    { perRunMs: 20_000 },
    async (run) => {
      hosts ??= [fleet().startHost(1), fleet().startHost(2)];
      const [owner, user] = hosts;
      const model = `model-${run}`;
      const spawned = await owner.ask<Leased>({ op: "lease", workerId: "docs", model });
      expect(spawned).toMatchObject({ outcome: "spawned" });
      const shared = await user.ask<Leased>({ op: "lease", workerId: "docs", model });
      expect(shared).toMatchObject({ outcome: "reused", id: spawned.id });
      await owner.ask({ op: "release", n: spawned.n });
      // The owner stops everything it spawned: the worker another host holds must be left running.
      await owner.ask({ op: "stopAll" });
      expect(await owner.ask({ op: "alive", pid: spawned.pid })).toEqual({ alive: true });
      expect(await user.ask({ op: "probe", url: shared.url })).toMatchObject({ ok: true, model });
      await user.ask({ op: "release", n: shared.n });
      // The drain the stopAll left finishes on the worker's own host (bounded by the run's timeout).
      while ((await owner.ask<{ alive: boolean }>({ op: "alive", pid: spawned.pid })).alive) await sleep(100);
      return { spawns: 1, leases: 2, stopAllsWhileHeld: 1 };
    },
  );
});
