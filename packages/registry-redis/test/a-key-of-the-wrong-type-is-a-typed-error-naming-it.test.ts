import { randomUUID } from "node:crypto";
import { isModelpoolError } from "@modelpool/core";
import { RedisRegistry, RegistryKeys } from "@modelpool/registry-redis";
import { describe, expect, it, onTestFinished } from "vitest";
import { missingRedis, suiteName, useRedisServer } from "./redis.js";

describe.skipIf(missingRedis !== undefined)(suiteName("a key of the wrong type in the namespace"), () => {
  const server = useRedisServer();

  function storeWith(setUp: (keys: RegistryKeys) => void) {
    const namespace = `t-${randomUUID()}`;
    setUp(new RegistryKeys(namespace));
    const store = new RedisRegistry({ url: server().url, namespace });
    onTestFinished(() => store.close());
    return store;
  }

  it("a workerId index that is not a set: lookup fails with REGISTRY_CORRUPT naming the key", async () => {
    let index = "";
    const store = storeWith((keys) => {
      index = keys.workerIndex("docs");
      server().cli("SET", index, "not a set");
    });
    const error = await store.lookup("docs").catch((thrown: unknown) => thrown);
    expect(isModelpoolError(error)).toBe(true);
    expect(error).toMatchObject({ code: "REGISTRY_CORRUPT" });
    expect((error as Error).message).toContain(index);
    expect((error as Error).message).toContain("WRONGTYPE");
  });

  it("a claim key that is a hash: acquireClaim fails with REGISTRY_CORRUPT naming the key", async () => {
    let claim = "";
    const store = storeWith((keys) => {
      claim = keys.claim("spawn:docs");
      server().cli("HSET", claim, "field", "value");
    });
    const owner = { pid: process.pid, host: store.hostId };
    const error = await store
      .acquireClaim({ key: "spawn:docs", workerId: "docs", owner, ttlMs: 1_000 })
      .catch((thrown: unknown) => thrown);
    expect(error).toMatchObject({ code: "REGISTRY_CORRUPT" });
    expect((error as Error).message).toContain(claim);
  });
});
