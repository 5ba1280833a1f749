import { createServer, type Socket } from "node:net";
import { isRegistryUnavailableError } from "@modelpool/core";
import { RedisRegistry } from "@modelpool/registry-redis";
import { describe, expect, it, onTestFinished } from "vitest";
import { freeLoopbackPort } from "../../test-utils/src/redis-server.js";
import { fleetSpec, missingRedis, storeAs, suiteName, useRedisServer } from "./redis.js";

/** How long a call may take beyond its configured timeout before the bound counts as broken. */
const SLACK_MS = 1_500;

async function failureOf(call: () => Promise<unknown>) {
  const started = performance.now();
  const error = await call().then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  return { error, elapsedMs: performance.now() - started };
}

describe("an unreachable Redis", () => {
  it("nothing listening: every call fails with REGISTRY_UNAVAILABLE within the connect timeout", async () => {
    const port = await freeLoopbackPort();
    const store = new RedisRegistry({ url: `redis://127.0.0.1:${port}`, namespace: "t", connectTimeoutMs: 500 });
    onTestFinished(() => store.close());
    for (const call of [() => store.lookup("docs"), () => store.list(), () => store.readClaim("k")]) {
      const { error, elapsedMs } = await failureOf(call);
      expect(isRegistryUnavailableError(error)).toBe(true);
      expect((error as { code: string }).code).toBe("REGISTRY_UNAVAILABLE");
      expect(elapsedMs).toBeLessThan(500 + SLACK_MS);
    }
  });

  it("a server that accepts and never answers: REGISTRY_UNAVAILABLE within the connect timeout", async () => {
    const sockets: Socket[] = [];
    const silent = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    onTestFinished(() => {
      for (const socket of sockets) socket.destroy();
      silent.close();
    });
    const { port } = silent.address() as { port: number };
    const store = new RedisRegistry({ url: `redis://127.0.0.1:${port}`, namespace: "t", connectTimeoutMs: 500 });
    onTestFinished(() => store.close());
    const { error, elapsedMs } = await failureOf(() => store.lookup("docs"));
    expect(isRegistryUnavailableError(error)).toBe(true);
    expect(elapsedMs).toBeLessThan(500 + SLACK_MS);
  });
});

describe.skipIf(missingRedis !== undefined)(suiteName("Redis going away and coming back"), () => {
  const server = useRedisServer();

  it("calls fail fast while it is down and work again once it is back, with no new store", async () => {
    const spec = fleetSpec(server());
    const store = storeAs(spec, "host-1");
    expect((await store.lookup("docs")).records).toEqual([]);
    await server().stop(false);
    const { error, elapsedMs } = await failureOf(() => store.lookup("docs"));
    expect(isRegistryUnavailableError(error)).toBe(true);
    expect(elapsedMs).toBeLessThan(1_000 + SLACK_MS);
    await server().restart();
    const deadline = Date.now() + 10_000;
    let read: unknown;
    while (read === undefined && Date.now() < deadline) {
      read = await store.lookup("docs").catch(() => undefined);
      if (read === undefined) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(read).toEqual({ records: [], unreadable: [] });
  });

  it("CLIENT PAUSE: a call waits no longer than the command timeout, then works after the pause", async () => {
    const spec = fleetSpec(server(), { commandTimeoutMs: 300 });
    const store = storeAs(spec, "host-1");
    await store.lookup("docs"); // connected before the pause
    server().cli("CLIENT", "PAUSE", "2000", "ALL");
    for (const call of [() => store.lookup("docs"), () => store.readClaim("k")]) {
      const { error, elapsedMs } = await failureOf(call);
      expect(isRegistryUnavailableError(error)).toBe(true);
      expect(elapsedMs).toBeLessThan(300 + SLACK_MS);
    }
    server().cli("CLIENT", "UNPAUSE");
    expect(await store.lookup("docs")).toEqual({ records: [], unreadable: [] });
  });
});
