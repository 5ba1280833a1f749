import { isInvalidOptionsError, isRegistryUnavailableError, type WorkerRecord } from "@modelpool/core";
import { RedisRegistry } from "@modelpool/registry-redis";
import { describe, expect, it, onTestFinished } from "vitest";
import { missingRedis, suiteName, useRedisServer } from "./redis.js";

const PASSWORD = "s3cret-Pa55";

describe("RedisRegistry options", () => {
  it("refuses namespaces that are empty, too long, or hold glob characters or whitespace", () => {
    for (const namespace of ["", "a*", "a?b", "a[b", "a b", "a\tb", "x".repeat(101), "fleet\n"]) {
      expect(() => new RedisRegistry({ url: "redis://127.0.0.1:1", namespace }), namespace).toThrow(
        expect.objectContaining({ code: "INVALID_OPTIONS" }),
      );
    }
    expect(() => new RedisRegistry({ url: "redis://127.0.0.1:1", namespace: "prod:fleet-1.{gpu}_a" })).not.toThrow();
  });

  it("accepts redis:// and rediss:// URLs and nothing else", () => {
    for (const url of ["http://127.0.0.1:6379", "127.0.0.1:6379", "unix:///tmp/redis.sock", "not a url"]) {
      let error: unknown;
      try {
        new RedisRegistry({ url, namespace: "t" });
      } catch (thrown) {
        error = thrown;
      }
      expect(isInvalidOptionsError(error), url).toBe(true);
    }
    expect(new RedisRegistry({ url: "rediss://u:p@127.0.0.1:6380/2", namespace: "t" }).location).toBe(
      "rediss://u@127.0.0.1:6380/2 (namespace t)",
    );
  });

  it("wants a heartbeat TTL of at least two periods", () => {
    expect(
      () =>
        new RedisRegistry({ url: "redis://127.0.0.1:1", namespace: "t", heartbeatMs: 1_000, heartbeatTtlMs: 1_500 }),
    ).toThrow(expect.objectContaining({ code: "INVALID_OPTIONS", field: "heartbeatTtlMs" }));
  });
});

describe.skipIf(missingRedis !== undefined)(suiteName("a Redis that wants a password"), () => {
  const server = useRedisServer(["--requirepass", PASSWORD]);

  it("works with user:password in the URL and never shows the password", async () => {
    const store = new RedisRegistry({ url: `redis://default:${PASSWORD}@127.0.0.1:${server().port}`, namespace: "t" });
    onTestFinished(() => store.close());
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
    await store.put(record);
    expect((await store.lookup("docs")).records).toHaveLength(1);
    expect(store.location).toBe(`redis://default@127.0.0.1:${server().port} (namespace t)`);
    expect(store.location).not.toContain(PASSWORD);
  });

  it("a wrong password is REGISTRY_UNAVAILABLE, and the error shows no password", async () => {
    const store = new RedisRegistry({
      url: `redis://default:wrong-${PASSWORD}@127.0.0.1:${server().port}`,
      namespace: "t",
      connectTimeoutMs: 500,
    });
    onTestFinished(() => store.close());
    const error = await store.lookup("docs").catch((thrown: unknown) => thrown);
    expect(isRegistryUnavailableError(error)).toBe(true);
    expect(String((error as Error).message)).not.toContain(PASSWORD);
    expect(JSON.stringify(error)).not.toContain(PASSWORD);
  });
});
