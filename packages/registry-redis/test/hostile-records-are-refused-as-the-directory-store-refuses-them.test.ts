import { randomUUID } from "node:crypto";
import { RedisRegistry, RegistryKeys } from "@modelpool/registry-redis";
import { describe, expect, it, onTestFinished } from "vitest";
import { missingRedis, suiteName, useRedisServer } from "./redis.js";

describe.skipIf(missingRedis !== undefined)(suiteName("hostile records in a fleet store"), () => {
  const server = useRedisServer();

  /** A store whose namespace holds one record written raw (as anyone with write access could). */
  function storeHolding(text: (hostId: string) => string) {
    const namespace = `t-${randomUUID()}`;
    const store = new RedisRegistry({ url: server().url, namespace, hostId: "this-host" });
    onTestFinished(() => store.close());
    const keys = new RegistryKeys(namespace);
    server().setRaw(keys.record("docs", "r1"), text(store.hostId));
    server().cli("SADD", keys.workerIndex("docs"), "r1");
    server().cli("SADD", keys.workerIds(), "docs");
    return store;
  }

  const record = (fields: Record<string, unknown>) =>
    JSON.stringify({
      kind: "worker",
      id: "r1",
      workerId: "docs",
      pid: 4242,
      fingerprint: { resolvedModel: "model-a" },
      status: "ready",
      url: "http://127.0.0.1:1",
      startedAt: Date.now(),
      updatedAt: Date.now(),
      ...fields,
    });

  it("a record with a __proto__ key is refused and reported, as a record file with one is", async () => {
    const store = storeHolding((host) =>
      record({ host }).replace('"fingerprint":{', '"fingerprint":{"__proto__":{"polluted":true},'),
    );
    const read = await store.lookup("docs");
    expect(read.records).toEqual([]);
    expect(read.unreadable).toHaveLength(1);
    expect(read.unreadable[0]?.reason).toMatch(/fingerprint\.__proto__: a prototype key is not allowed/);
  });
});
