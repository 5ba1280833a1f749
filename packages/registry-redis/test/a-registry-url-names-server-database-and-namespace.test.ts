import { isRedisRegistryUrl, parseRegistryUrl, RedisRegistry } from "@modelpool/registry-redis";
import { describe, expect, it } from "vitest";

describe("a registry URL (the CLI's --registry)", () => {
  it("names the server, an optional database and the namespace", () => {
    expect(parseRegistryUrl("redis://127.0.0.1:6379/prod-fleet")).toEqual({
      url: "redis://127.0.0.1:6379",
      namespace: "prod-fleet",
    });
    expect(parseRegistryUrl("rediss://user:pw@redis.internal/2/prod:gpu")).toEqual({
      url: "rediss://user:pw@redis.internal/2",
      namespace: "prod:gpu",
    });
  });

  it("is refused without a valid namespace, with more than a database before it, or with another scheme", () => {
    for (const bad of [
      "redis://127.0.0.1:6379",
      "redis://127.0.0.1/a*b",
      "redis://127.0.0.1/x/ns",
      "redis://127.0.0.1/1/2/ns",
      "http://127.0.0.1/ns",
      "/var/lib/modelpool",
    ]) {
      expect(() => parseRegistryUrl(bad), bad).toThrow(expect.objectContaining({ code: "INVALID_OPTIONS" }));
    }
  });

  it("never repeats the password when it refuses a URL", () => {
    let error: unknown;
    try {
      parseRegistryUrl("redis://fleet:SECRET-pw@127.0.0.1/1/2/ns");
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toBeDefined();
    expect(`${JSON.stringify(error)} ${(error as Error).message}`).not.toContain("SECRET-pw");
  });

  it("tells a Redis URL from a directory path, and opens a store whose location hides the password", () => {
    expect(isRedisRegistryUrl("redis://h/ns")).toBe(true);
    expect(isRedisRegistryUrl("rediss://h/ns")).toBe(true);
    expect(isRedisRegistryUrl("/home/me/.local/state/modelpool")).toBe(false);
    const store = RedisRegistry.fromUrl("redis://fleet:secret@127.0.0.1:6379/3/prod", { hostId: "h" });
    expect(store.namespace).toBe("prod");
    expect(store.location).toBe("redis://fleet@127.0.0.1:6379/3 (namespace prod)");
  });
});
