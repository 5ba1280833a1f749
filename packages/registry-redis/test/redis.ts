import { randomUUID } from "node:crypto";
import { RedisRegistry, type RedisRegistryOptions } from "@modelpool/registry-redis";
import { afterAll, beforeAll, onTestFinished } from "vitest";
import { redisServerMissing, TestRedisServer } from "../../test-utils/src/redis-server.js";

/** Why this machine cannot run the Redis tests (describe.skipIf), or undefined. */
export const missingRedis = redisServerMissing();
export const suiteName = (name: string) => `${name}${missingRedis ? ` (skipped: ${missingRedis})` : ""}`;

/** A private redis-server for the enclosing describe: started before its tests, stopped after. */
export function useRedisServer(extraArgs: readonly string[] = []): () => TestRedisServer {
  let server: TestRedisServer | undefined;
  beforeAll(async () => {
    server = await TestRedisServer.start(extraArgs);
  });
  afterAll(() => server?.stop());
  return () => {
    if (!server) throw new Error("the Redis server has not started");
    return server;
  };
}

/** A fresh namespace on `server`, and the options of a store there with short heartbeats (fast tests). */
export function fleetSpec(server: TestRedisServer, extra: Partial<RedisRegistryOptions> = {}) {
  return { url: server.url, namespace: `t-${randomUUID()}`, heartbeatMs: 100, heartbeatTtlMs: 400, ...extra };
}

/** A store as host `hostId`, closed when the test ends. */
export function storeAs(spec: RedisRegistryOptions, hostId: string): RedisRegistry {
  const store = new RedisRegistry({ ...spec, hostId });
  onTestFinished(() => store.close());
  return store;
}
