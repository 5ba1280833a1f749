import { randomUUID } from "node:crypto";
import { RedisRegistry } from "@modelpool/registry-redis";
import { createClient } from "@redis/client";
import { describe, expect, it, onTestFinished } from "vitest";
import { missingRedis, suiteName, useRedisServer } from "./redis.js";

describe.skipIf(missingRedis !== undefined)(suiteName("new RedisRegistry({ client })"), () => {
  const server = useRedisServer();

  it("works through the application's connected client, and leaves it open when closed", async () => {
    const client = createClient({ url: server().url });
    client.on("error", () => {});
    await client.connect();
    onTestFinished(() => client.destroy());
    const store = new RedisRegistry({ client, namespace: `t-${randomUUID()}`, hostId: "h1" });
    const now = Date.now();
    await store.put({
      kind: "worker",
      id: "r1",
      workerId: "docs",
      pid: 4242,
      status: "stopped",
      startedAt: now,
      updatedAt: now,
    });
    expect((await store.lookup("docs")).records.map((r) => r.id)).toEqual(["r1"]);
    expect(store.location).not.toContain("undefined");
    await store.close();
    expect(client.isReady).toBe(true);
    expect(await client.ping()).toBe("PONG");
  });

  it("takes a url or a client, never both and never neither", () => {
    const client = createClient({ url: server().url });
    expect(() => new RedisRegistry({ client, url: server().url, namespace: "t" })).toThrow(/client or url/);
    expect(() => new RedisRegistry({ namespace: "t" } as never)).toThrow(/client or url/);
  });
});
