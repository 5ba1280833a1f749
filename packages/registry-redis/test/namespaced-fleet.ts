import { randomUUID } from "node:crypto";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll } from "vitest";
import {
  FleetNetwork,
  LineHost,
  pidNamespacesUnavailable,
  spawnInPidNamespace,
} from "../../test-utils/src/namespaces/index.js";
import { redisServerMissing, TestRedisServer } from "../../test-utils/src/redis-server.js";
import { bundledScript } from "../../test-utils/src/script-bundles.js";

/**
 * Where the namespaced fleet runs: `network` (each host in its own network and pid namespace, Redis on the
 * harness's link), `pid-only` (namespaces for networks cannot be made here: hosts in their own pid
 * namespaces, all on loopback — said in the suite's name), or why it cannot run at all.
 */
const networkUnavailable = FleetNetwork.unavailable();
const pidUnavailable = pidNamespacesUnavailable();
export const fleetSkip = redisServerMissing() ?? pidUnavailable;
export const fleetMode = networkUnavailable === undefined ? "network" : "pid-only";
export const namespacedSuite = (name: string) =>
  fleetSkip
    ? `${name} (skipped: ${fleetSkip})`
    : fleetMode === "network"
      ? `${name} (hosts in their own pid and network namespaces)`
      : `${name} (hosts in their own pid namespaces on loopback: ${networkUnavailable})`;

const POOL_HOST = fileURLToPath(new URL("./fixtures/ns-pool-host.ts", import.meta.url));

export type NamespacedFleet = {
  readonly redis: TestRedisServer;
  readonly network: FleetNetwork | undefined;
  /** Starts host `n` (1-based) running the pool host fixture with these store options. */
  startHost(n: number, storeOptions?: Record<string, unknown>): LineHost;
  /** A fresh namespace's store options (short heartbeats). */
  readonly spec: Record<string, unknown>;
};

/** A namespaced fleet of up to `hosts` hosts for the enclosing describe; everything is removed after it. */
export function useNamespacedFleet(hosts: number): () => NamespacedFleet {
  let fleet: NamespacedFleet | undefined;
  const started: LineHost[] = [];
  beforeAll(async () => {
    const network = fleetMode === "network" ? FleetNetwork.create(hosts) : undefined;
    try {
      const redis = network
        ? await TestRedisServer.startIn({ host: network.redisAddress, wrap: network.redisCommand() })
        : await TestRedisServer.start();
      const address = (n: number) => (network ? network.hostAddress(n) : `127.0.0.${n + 1}`);
      fleet = {
        redis,
        network,
        spec: { url: redis.url, namespace: `ns-${randomUUID()}`, heartbeatMs: 1_000, heartbeatTtlMs: 10_000 },
        startHost(n, storeOptions = {}) {
          // Its bundle when the run has one: a host through tsx takes about five times the CPU to start,
          // and a fleet of them on a small loaded machine is mostly start-up.
          const bundle = bundledScript(POOL_HOST);
          const script = bundle ? [bundle] : ["--import", "tsx", "--conditions=@modelpool/source", POOL_HOST];
          const argv = [process.execPath, ...script, JSON.stringify({ ...fleet?.spec, ...storeOptions }), address(n)];
          const child = network ? network.startHost(n, argv) : spawnInPidNamespace([], `host-${n}`, argv);
          const host = new LineHost(child, `host-${n}`);
          started.push(host);
          return host;
        },
      };
    } catch (error) {
      network?.close();
      throw error;
    }
  }, 60_000);
  afterAll(async () => {
    await Promise.all(started.map((host) => host.kill()));
    await fleet?.redis.stop();
    fleet?.network?.close();
  });
  return () => {
    if (!fleet) throw new Error("the namespaced fleet has not started");
    return fleet;
  };
}
