import { isRegistryUnavailableError, type WorkerRecord } from "@modelpool/core";
import { RedisRegistry } from "@modelpool/registry-redis";
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { opensslMissing, TestRedisServer } from "../../test-utils/src/redis-server.js";
import { missingRedis } from "./redis.js";

const missing = missingRedis ?? opensslMissing();
const now = Date.now();
const record: WorkerRecord = {
  kind: "worker",
  id: "a",
  workerId: "docs",
  pid: process.ppid, // a live process of this host, not the calling one (never a worker)
  status: "ready",
  startedAt: now,
  updatedAt: now,
};

describe.skipIf(missing !== undefined)(`a Redis that speaks TLS only${missing ? ` (skipped: ${missing})` : ""}`, () => {
  let server: TestRedisServer;
  beforeAll(async () => {
    server = await TestRedisServer.start([], { tls: true });
  });
  afterAll(() => server?.stop());

  it("is used through a rediss:// URL with the CA that signed its certificate", async () => {
    const store = new RedisRegistry({ url: server.url, namespace: "t", tls: { ca: server.caCert } });
    onTestFinished(() => store.close());
    expect(server.url).toMatch(/^rediss:\/\//);
    await store.put(record);
    expect((await store.lookup("docs")).records.map((r) => r.id)).toEqual(["a"]);
  });

  it("refuses a certificate it cannot verify: REGISTRY_UNAVAILABLE, never a plain-text fallback", async () => {
    const store = new RedisRegistry({ url: server.url, namespace: "t", connectTimeoutMs: 1_000 });
    onTestFinished(() => store.close());
    const error = await store.lookup("docs").catch((thrown: unknown) => thrown);
    expect(isRegistryUnavailableError(error)).toBe(true);
  });
});
