import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { RedisRegistry } from "@modelpool/registry-redis";
import { describe, expect, it, onTestFinished } from "vitest";
import { missingRedis, suiteName, useRedisServer } from "./redis.js";

/** Runs `step` until Redis answers again (a restart drops the connection; the first commands fail fast). */
async function once<T>(step: () => Promise<T>): Promise<T> {
  const until = performance.now() + 75_000; // a restart and a reconnect on a loaded machine: waited for
  for (;;) {
    try {
      return await step();
    } catch (error) {
      if (performance.now() > until) throw error;
      await sleep(20);
    }
  }
}

describe.skipIf(missingRedis !== undefined)(suiteName("a claim attempt in the grace after Redis lost its data"), () => {
  const server = useRedisServer();

  it("stops waiting when its caller's signal aborts, and takes nothing", { timeout: 60_000 }, async () => {
    // A grace far longer than the test's own timeout: a wait that does not end with the signal fails it.
    const spec = { url: server().url, namespace: `t-${randomUUID()}`, heartbeatMs: 60_000, heartbeatTtlMs: 600_000 };
    const store = new RedisRegistry({ ...spec, hostId: "host-a" });
    onTestFinished(() => store.close());
    await store.heartbeat(); // learns the server as it is
    await server().restart();
    await once(() => store.readClaim("spawn-docs")); // connected again
    await store.heartbeat(); // sees the change: its grace starts
    const controller = new AbortController();
    const request = {
      key: "spawn-docs",
      workerId: "docs",
      owner: { host: store.hostId, pid: process.pid, start: "s" },
      ttlMs: 15_000,
      signal: controller.signal,
    };
    const attempt = store.acquireClaim(request);
    attempt.catch(() => undefined);
    await sleep(200); // waiting out the grace by now (a free claim is not trusted in it)
    controller.abort(new Error("the caller gave up"));
    await expect(attempt).rejects.toThrow("the caller gave up");
    // Nothing was taken: the key is still free.
    expect(await store.readClaim("spawn-docs")).toBeUndefined();
  });
});
