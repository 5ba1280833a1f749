import { randomUUID } from "node:crypto";
import { connect, createServer, type Server, type Socket } from "node:net";
import { processIdentityOf } from "@modelpool/core";
import { RedisRegistry, RegistryKeys } from "@modelpool/registry-redis";
import { describe, expect, it, onTestFinished } from "vitest";
import { waitUntil } from "../../test-utils/src/processes-state.js";
import { TestRedisServer } from "../../test-utils/src/redis-server.js";
import { missingRedis, suiteName } from "./redis.js";

/** What the hosts connect to: forwards to one server, and is switched to another as a failover does. */
async function switchableProxy(port: number): Promise<{ url: string; switchTo(port: number): void; server: Server }> {
  let target = port;
  const open = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(target, "127.0.0.1");
    for (const socket of [client, upstream]) {
      open.add(socket);
      socket.on("close", () => open.delete(socket));
      socket.on("error", () => {});
    }
    client.pipe(upstream).pipe(client);
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("no proxy address");
  return {
    url: `redis://127.0.0.1:${address.port}`,
    server,
    switchTo(next) {
      target = next;
      for (const socket of open) socket.destroy(); // every host reconnects, to the promoted replica
    },
  };
}

/** Runs `step` until Redis answers again (a failover drops the connection; the first commands fail fast). */
async function once<T>(step: () => Promise<T>): Promise<T> {
  const until = performance.now() + 75_000;
  for (;;) {
    try {
      return await step();
    } catch (error) {
      if (performance.now() > until) throw error;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}

describe.skipIf(missingRedis !== undefined)(
  suiteName("a replica promoted (REPLICAOF NO ONE), hosts switched to it"),
  () => {
    it("the first heartbeat to see its run id tells every store; a stop reading a lease set the replica lost is refused", {
      timeout: 180_000,
    }, async () => {
      const primary = await TestRedisServer.start();
      onTestFinished(() => primary.stop());
      const replica = await TestRedisServer.start(["--replicaof", "127.0.0.1", String(primary.port)]);
      onTestFinished(() => replica.stop());
      const proxy = await switchableProxy(primary.port);
      onTestFinished(() => new Promise<void>((resolve) => proxy.server.close(() => resolve())));
      // Heartbeats far apart: each store sees the failover only when told (or in the step that acts).
      const spec = { url: proxy.url, namespace: `t-${randomUUID()}`, heartbeatMs: 30_000, heartbeatTtlMs: 60_000 };
      const owner = new RedisRegistry({ ...spec, hostId: "owner-host" });
      const user = new RedisRegistry({ ...spec, hostId: "user-host" });
      const observer = new RedisRegistry({ ...spec, hostId: "observer-host" });
      onTestFinished(async () => {
        await Promise.all([owner.close(), user.close(), observer.close()]);
      });
      const now = Date.now();
      const record = {
        kind: "worker" as const,
        id: "w1",
        workerId: "docs",
        pid: process.ppid,
        pidStart: processIdentityOf(process.ppid).start,
        status: "ready" as const,
        startedAt: now,
        updatedAt: now,
      };
      await owner.put(record);
      await user.hold({ workerId: "docs", id: "w1" }, { pid: 77, leases: 1, lastUsedAt: now });
      await Promise.all([owner.heartbeat(), user.heartbeat(), observer.heartbeat()]);
      expect(primary.cli("WAIT", "1", "10000")).toBe("1");

      replica.cli("REPLICAOF", "NO", "ONE");
      proxy.switchTo(replica.port);
      await primary.stop(false);
      // The user's lease entry was the last write, and replication is asynchronous: here the replica lost it.
      replica.setRaw(
        new RegistryKeys(spec.namespace).record("docs", "w1"),
        JSON.stringify({ ...record, host: "owner-host" }),
      );

      await once(() => observer.lookup("docs")); // reconnected (a heartbeat reports failures, never throws)
      await observer.heartbeat(); // sees the new run id first, and says so in the epoch
      const stop = await once(() =>
        owner.update({ workerId: "docs", id: "w1" }, (current) =>
          (current.holders ?? []).some((holder) => holder.leases > 0) ? undefined : { ...current, status: "stopped" },
        ),
      );
      expect(stop?.status).toBe("ready");
      // And the user's entry comes back once its store sees the change.
      await waitUntil(async () => {
        await user.heartbeat().catch(() => {});
        const [read] = (await owner.lookup("docs")).records;
        return (read?.holders ?? []).some((holder) => holder.host === "user-host" && holder.leases === 1);
      }, 75_000);
    });
  },
);
