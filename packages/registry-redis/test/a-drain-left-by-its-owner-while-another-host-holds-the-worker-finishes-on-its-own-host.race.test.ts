import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect } from "vitest";
import { raceTest } from "../../test-utils/src/hostile/race.js";
import type { LineHost } from "../../test-utils/src/namespaces/index.js";
import { fleetSkip, namespacedSuite, useNamespacedFleet } from "./namespaced-fleet.js";

type Leased = { n: number; id: string; outcome: string; pid: number; url: string; model: string };
type Records = { records: { id: string; pid: number; status: string; draining: boolean }[] };

const STORE = { heartbeatMs: 1_000, heartbeatTtlMs: 4_000 };

/**
 * While the worker is held, for `forMs`: every look finds it alive (a stop under a live lease is the
 * violation), and its record says draining, not stopped. Resolves to how many looks were made.
 */
async function keptWhileHeld(owner: LineHost, pid: number, forMs: number): Promise<number> {
  let looks = 0;
  const until = performance.now() + forMs;
  while (performance.now() < until) {
    expect(await owner.ask({ op: "alive", pid })).toEqual({ alive: true });
    looks++;
    await sleep(100);
  }
  const { records } = await owner.ask<Records>({ op: "records", workerId: "docs" });
  expect(records.find((record) => record.pid === pid)).toMatchObject({ status: "ready", draining: true });
  return looks;
}

/** Waits until the worker is gone from its host and from the registry (bounded by the run's timeout). */
async function stoppedOnItsHost(owner: LineHost, pid: number): Promise<void> {
  for (;;) {
    const alive = await owner.ask<{ alive: boolean }>({ op: "alive", pid });
    const { records } = await owner.ask<Records>({ op: "records", workerId: "docs" });
    if (!alive.alive && !records.some((record) => record.pid === pid)) return;
    await sleep(100);
  }
}

describe.skipIf(fleetSkip !== undefined)(namespacedSuite("a drain across hosts"), () => {
  const fleet = useNamespacedFleet(5);
  let hosts: [LineHost, LineHost] | undefined;

  raceTest(
    "host 2 stops all while host 5 holds: kept while held, stopped by host 2 once host 5 releases",
    { perRunMs: 20_000 },
    async (run) => {
      hosts ??= [fleet().startHost(2, STORE), fleet().startHost(5, STORE)];
      const [owner, holder] = hosts;
      const model = `drained-${run}`;
      const spawned = await owner.ask<Leased>({ op: "lease", workerId: "docs", model });
      expect(spawned).toMatchObject({ outcome: "spawned", model });
      const shared = await holder.ask<Leased>({ op: "lease", workerId: "docs", model });
      expect(shared).toMatchObject({ outcome: "reused", id: spawned.id, model });
      await owner.ask({ op: "release", n: spawned.n });
      await owner.ask({ op: "stopAll" });
      // Past two of the owner's retries (one per sweepIntervalMs): held from host 5, it must run on.
      const looks = await keptWhileHeld(owner, spawned.pid, 2_500);
      expect(await holder.ask({ op: "probe", url: shared.url })).toMatchObject({ ok: true, model });
      await holder.ask({ op: "release", n: shared.n });
      await stoppedOnItsHost(owner, spawned.pid);
      // Stopped by its own host's pool (only its host can signal it), the one that owned it.
      const { ids } = await owner.ask<{ ids: string[] }>({ op: "stopped" });
      expect(ids).toContain(spawned.id);
      return { spawns: 1, leases: 2, drains: 1, looksWhileHeld: looks };
    },
  );

  raceTest(
    "its owner gone, the drain is finished by prune --stop on its host once host 5 releases, never before",
    { perRunMs: 30_000 },
    async (run) => {
      hosts ??= [fleet().startHost(2, STORE), fleet().startHost(5, STORE)];
      const [host2, holder] = hosts;
      const model = `orphan-drain-${run}`;
      // The owner is a second pool process of host 2: it spawns, stops all while host 5 holds, and exits.
      const spawned = await host2.ask<Leased>({ op: "peer", command: { op: "lease", workerId: "docs", model } });
      expect(spawned).toMatchObject({ outcome: "spawned", model });
      const shared = await holder.ask<Leased>({ op: "lease", workerId: "docs", model });
      expect(shared).toMatchObject({ id: spawned.id, model });
      await host2.ask({ op: "peer", command: { op: "release", n: spawned.n } });
      await host2.ask({ op: "peer", command: { op: "stopAll" } });
      await host2.ask({ op: "peer", command: { op: "exit" } });
      const prune = (): Promise<{ code: number; stdout: string; stderr: string }> =>
        host2.ask({ op: "run", argv: pruneArgv(fleet().spec) });
      // Held: prune --stop on its host leaves it running.
      expect((await prune()).code).toBe(0);
      const looks = await keptWhileHeld(host2, spawned.pid, 500);
      await holder.ask({ op: "release", n: shared.n });
      // Released: nothing else on host 2 knew it (its other pool never looked it up); prune --stop ends it.
      const pruned = await prune();
      expect(pruned).toMatchObject({ code: 0 });
      await stoppedOnItsHost(host2, spawned.pid);
      return { spawns: 1, leases: 2, drains: 1, looksWhileHeld: looks };
    },
  );

  raceTest(
    "its owner gone, the drain is finished by another pool of its host that meets it, once host 5 releases",
    { perRunMs: 30_000 },
    async (run) => {
      hosts ??= [fleet().startHost(2, STORE), fleet().startHost(5, STORE)];
      const [host2, holder] = hosts;
      const model = `pool-drain-${run}`;
      const spawned = await host2.ask<Leased>({ op: "peer", command: { op: "lease", workerId: "docs", model } });
      expect(spawned).toMatchObject({ outcome: "spawned", model });
      const shared = await holder.ask<Leased>({ op: "lease", workerId: "docs", model });
      expect(shared).toMatchObject({ id: spawned.id, model });
      await host2.ask({ op: "peer", command: { op: "release", n: spawned.n } });
      await host2.ask({ op: "peer", command: { op: "stopAll" } });
      await host2.ask({ op: "peer", command: { op: "exit" } });
      // Host 2's other pool asks for that worker while host 5 holds it: refused (draining), never stopped.
      const own = await host2.ask<Leased>({ op: "lease", workerId: "docs", model });
      expect(own).toMatchObject({ outcome: "spawned", model });
      const looks = await keptWhileHeld(host2, spawned.pid, 1_500);
      await holder.ask({ op: "release", n: shared.n });
      // Released: the next time that pool meets the drained worker, it finishes the drain.
      const again = await host2.ask<Leased>({ op: "lease", workerId: "docs", model });
      expect(again).toMatchObject({ outcome: "reused", id: own.id });
      await stoppedOnItsHost(host2, spawned.pid);
      const { ids } = await host2.ask<{ ids: string[] }>({ op: "stopped" });
      expect(ids).toContain(spawned.id);
      await host2.ask({ op: "release", n: own.n });
      await host2.ask({ op: "release", n: again.n });
      await host2.ask({ op: "stopAll" });
      expect(await host2.ask({ op: "alive", pid: own.pid })).toEqual({ alive: false });
      return { spawns: 2, leases: 4, drains: 1, looksWhileHeld: looks };
    },
  );
});

/** `modelpool prune --stop --all-idle` is not needed: a draining worker nobody holds is stopped by `--stop`. */
function pruneArgv(spec: Record<string, unknown>): string[] {
  const url = new URL(String(spec.url));
  return [
    process.execPath,
    "--import",
    "tsx",
    "--conditions=@modelpool/source",
    new URL("../../cli/src/bin.ts", import.meta.url).pathname,
    "prune",
    "--stop",
    "--registry",
    `redis://${url.host}/0/${String(spec.namespace)}`,
  ];
}
