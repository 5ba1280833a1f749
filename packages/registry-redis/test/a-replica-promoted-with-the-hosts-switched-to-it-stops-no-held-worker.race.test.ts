import { spawn } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { describe, expect, onTestFinished } from "vitest";
import { raceTest } from "../../test-utils/src/hostile/race.js";
import { LineHost } from "../../test-utils/src/namespaces/index.js";
import { waitUntil, workersOfModel } from "../../test-utils/src/processes-state.js";
import { TestRedisServer } from "../../test-utils/src/redis-server.js";
import { fleetSkip, type NamespacedFleet, namespacedSuite, useNamespacedFleet } from "./namespaced-fleet.js";

type Leased = { n: number; id: string; outcome: string; pid: number; url: string; model: string; error?: string };

const STORE = { heartbeatMs: 1_000, heartbeatTtlMs: 4_000 };
const PROXY = fileURLToPath(new URL("./fixtures/switchable-proxy.ts", import.meta.url));

/** Asks until the host answers without an error: right after the failover its first calls find Redis away. */
async function settled<T extends { error?: string }>(host: LineHost, command: Record<string, unknown>): Promise<T> {
  const until = performance.now() + 60_000; // a failover on a loaded machine: waited for, never timed
  for (;;) {
    const answer = await host.ask<T>(command);
    if (answer.error === undefined) return answer;
    if (performance.now() > until) throw new Error(`${JSON.stringify(command)}: ${answer.error}`);
    await sleep(50);
  }
}

/**
 * A primary, its replica and a proxy in front of them, where the fleet's Redis lives (its namespace, or
 * loopback): the hosts connect to the proxy, which a failover switches to the promoted replica.
 */
async function replicatedPair(fleet: NamespacedFleet, run: number) {
  const network = fleet.network;
  const where = network ? { host: network.redisAddress, wrap: network.redisCommand() } : undefined;
  const start = (port: number, args: string[] = []) =>
    where ? TestRedisServer.startIn({ ...where, port }, args) : TestRedisServer.start(args);
  const primary = await start(6400 + 2 * run);
  onTestFinished(() => primary.stop());
  const address = where?.host ?? "127.0.0.1";
  const replica = await start(6401 + 2 * run, ["--replicaof", address, String(primary.port)]);
  onTestFinished(() => replica.stop());
  const argv = [process.execPath, "--import", "tsx", PROXY, address, where ? String(6600 + run) : "0", address];
  const [file, ...args] = [...(network?.redisCommand() ?? []), ...argv, String(primary.port)];
  const proxy = new LineHost(spawn(String(file), args, { stdio: ["pipe", "pipe", "pipe"] }), "proxy");
  onTestFinished(() => proxy.kill());
  const { listening } = await proxy.ask<{ listening: number }>({ op: "ready" });
  return { primary, replica, proxy, url: `redis://${address}:${listening}` };
}

describe.skipIf(fleetSkip !== undefined)(namespacedSuite("a replica promoted, the hosts switched to it"), () => {
  const fleet = useNamespacedFleet(2);

  raceTest(
    "no held worker is stopped, no lease names the wrong model, nothing is left running",
    { perRunMs: 30_000 },
    async (run) => {
      const { primary, replica, proxy, url } = await replicatedPair(fleet(), run);
      const [owner, user] = [fleet().startHost(1, { ...STORE, url }), fleet().startHost(2, { ...STORE, url })];
      onTestFinished(() => Promise.all([owner.kill(), user.kill()]).then(() => undefined));
      const model = `promoted-${run}`;
      const spawned = await settled<Leased>(owner, { op: "lease", workerId: "docs", model });
      expect(spawned).toMatchObject({ outcome: "spawned", model });
      const shared = await settled<Leased>(user, { op: "lease", workerId: "docs", model });
      expect(shared).toMatchObject({ outcome: "reused", id: spawned.id, model });
      await settled(owner, { op: "release", n: spawned.n });

      // The failover: the replica promoted, every host switched to it, the old primary gone. Replication
      // is asynchronous: the last writes (the user's lease entry among them) may be lost with it.
      replica.cli("REPLICAOF", "NO", "ONE");
      await proxy.ask({ op: "switch", port: replica.port });
      await primary.stop(false);
      // Mid-traffic: the owner stops everything it spawned while the user asks again.
      const [, again] = await Promise.all([
        settled(owner, { op: "stopAll" }),
        settled<Leased>(user, { op: "lease", workerId: "docs", model }),
      ]);
      expect(again.model).toBe(model);
      // The held worker runs on and serves its holder.
      expect(await owner.ask({ op: "alive", pid: spawned.pid })).toEqual({ alive: true });
      expect(await user.ask({ op: "probe", url: shared.url })).toMatchObject({ ok: true, model });

      // Nothing left running once both hosts let go and stop what they spawned (after the grace).
      await settled(user, { op: "release", n: shared.n });
      await settled(user, { op: "release", n: again.n });
      await sleep(STORE.heartbeatTtlMs);
      await Promise.all([settled(owner, { op: "stopAll" }), settled(user, { op: "stopAll" })]);
      const pids = [
        { host: owner, pid: spawned.pid },
        ...(again.outcome === "spawned" ? [{ host: user, pid: again.pid }] : []),
      ];
      // A stop the grace refused (a host that saw the failover late starts its grace late) leaves the worker
      // draining, and its owner's retries end it once the grace is over: the documented hand-off, waited for
      // (bounded). Under the hostile suite's load, 8 runs in 20 checked before it and found the worker alive.
      const gone = async () => {
        for (const { host, pid } of pids)
          if ((await host.ask<{ alive: boolean }>({ op: "alive", pid })).alive) return false;
        return true;
      };
      await waitUntil(gone, 60_000).catch(() => undefined);
      for (const { host, pid } of pids) expect(await host.ask({ op: "alive", pid })).toEqual({ alive: false });
      expect(workersOfModel(model)).toEqual([]);
      // The bound (README, failure table): the owner's one spawn, and at most one more by a host that asked
      // before the owner had put its record back on the promoted replica.
      expect(pids.length).toBeLessThanOrEqual(2);
      return { spawns: pids.length, leases: 3, failovers: 1 };
    },
  );
});
