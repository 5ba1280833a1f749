import { randomUUID } from "node:crypto";
import { processIdentityOf } from "@modelpool/core";
import { parseRegistryUrl, RedisRegistry } from "@modelpool/registry-redis";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { redisServerMissing, TestRedisServer } from "../../test-utils/src/redis-server.js";
import { runCli as run } from "./fixtures/run-cli.js";

const missing = redisServerMissing();

describe.skipIf(missing !== undefined)(`the CLI on a fleet registry${missing ? ` (skipped: ${missing})` : ""}`, () => {
  let server: TestRedisServer;
  beforeAll(async () => {
    server = await TestRedisServer.start();
  });
  afterAll(() => server?.stop());

  test("ls --registry redis://…/namespace lists every host's workers with a host column, and the command exits", async () => {
    const namespace = `cli-${randomUUID()}`;
    const url = `${server.url}/${namespace}`;
    const self = processIdentityOf(process.pid);
    const now = Date.now();
    const local = new RedisRegistry({ ...parseRegistryUrl(url), hostId: "host-a" });
    try {
      await local.put({
        kind: "worker",
        id: "w1",
        workerId: "docs",
        pid: self.pid,
        ...(self.start ? { pidStart: self.start } : {}),
        fingerprint: { resolvedModel: "m", modelPolicy: "dynamic" },
        status: "ready",
        url: "http://127.0.0.2:4096",
        startedAt: now,
        updatedAt: now,
      });
      const listed = await run("ls", "--registry", url);
      expect(listed.code).toBe(0);
      expect(listed.out).toMatch(/HOST/);
      expect(listed.out).toMatch(/docs\s+m\s+dynamic\s+ready.*host-a/);
      const json = JSON.parse((await run("ls", "--registry", url, "--json")).out) as { workers: { host: string }[] };
      expect(json.workers.map((w) => w.host)).toEqual(["host-a"]);
      const migrate = await run("migrate", "--registry", url);
      expect(migrate.code).toBe(2);
      expect(migrate.err).toContain("migrate copies into a registry directory");
    } finally {
      await local.close();
    }
  });

  test("a Redis registry that cannot be reached is a typed error with exit 1, in bounded time", async () => {
    const started = performance.now();
    const result = await run("ls", "--registry", "redis://127.0.0.1:1/nowhere", "--json");
    expect(result.code).toBe(1);
    expect(JSON.parse(result.err).error).toMatchObject({ code: "REGISTRY_UNAVAILABLE" });
    expect(performance.now() - started).toBeLessThan(15_000);
  });
});
