import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { RedisRegistry } from "@modelpool/registry-redis";
import { describe, expect, it, onTestFinished } from "vitest";
import type { TestRedisServer } from "../../test-utils/src/redis-server.js";
import { missingRedis, suiteName, useRedisServer } from "./redis.js";

/**
 * The commands clients sent to the server while `action` ran, as MONITOR shows them: commands a script
 * runs inside are shown as "[0 lua]" and are not round trips; everything else is one request of a client.
 */
async function requestsDuring(server: TestRedisServer, action: () => Promise<unknown>): Promise<string[]> {
  const monitor = spawn("redis-cli", ["-h", "127.0.0.1", "-p", String(server.port), "monitor"]);
  onTestFinished(() => {
    monitor.kill();
  });
  let out = "";
  monitor.stdout.on("data", (chunk) => {
    out += chunk;
  });
  await waitFor(() => out.startsWith("OK"));
  const marker = `marker-${randomUUID()}`;
  await action();
  server.cli("ECHO", marker);
  await waitFor(() => out.includes(marker));
  monitor.kill();
  return out
    .split("\n")
    .filter((line) => /^\d+\.\d+ \[\d+ \d/.test(line) && !line.includes(marker))
    .map((line) => (/\] "([^"]+)"/.exec(line)?.[1] ?? line).toUpperCase());
}

async function waitFor(condition: () => boolean): Promise<void> {
  while (!condition()) await sleep(10);
}

describe.skipIf(missingRedis !== undefined)(
  suiteName("requests of a decision on a known worker (counted by MONITOR)"),
  () => {
    const server = useRedisServer();

    it("a lookup is one command, and the lease entry after it one more", async () => {
      const spec = { url: server().url, namespace: `t-${randomUUID()}`, heartbeatMs: 60_000, heartbeatTtlMs: 120_000 };
      const owner = new RedisRegistry({ ...spec, hostId: "owner-host" });
      const user = new RedisRegistry({ ...spec, hostId: "user-host" });
      onTestFinished(async () => {
        await Promise.all([owner.close(), user.close()]);
      });
      const now = Date.now();
      for (const [workerId, id] of [
        ["warm-up", "w0"],
        ["docs", "w1"],
      ] as const) {
        await owner.put({
          kind: "worker",
          id,
          workerId,
          pid: 4242,
          fingerprint: { resolvedModel: "model-a", modelPolicy: "dynamic" },
          status: "ready",
          url: "http://198.18.0.20:1",
          startedAt: now,
          updatedAt: now,
        });
      }
      // Connected, and the scripts known to the server (as in any process after its first decision).
      await user.lookup("warm-up");
      await user.hold({ workerId: "warm-up", id: "w0" }, { pid: 77, leases: 1, lastUsedAt: now });

      let read: Awaited<ReturnType<typeof user.lookup>> | undefined;
      expect(await requestsDuring(server(), async () => (read = await user.lookup("docs")))).toEqual(["EVALSHA"]);
      expect(read?.records.map((record) => record.id)).toEqual(["w1"]);

      let held: Awaited<ReturnType<typeof user.hold>>;
      const entry = { pid: 77, leases: 1, lastUsedAt: Date.now() };
      expect(
        await requestsDuring(server(), async () => (held = await user.hold({ workerId: "docs", id: "w1" }, entry))),
      ).toEqual(["EVALSHA"]);
      expect(held?.holders).toEqual([expect.objectContaining({ pid: 77, leases: 1, host: "user-host" })]);
    });
  },
);
