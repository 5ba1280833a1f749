import { randomUUID } from "node:crypto";
import { ExitCode, main } from "@modelpool/cli";
import { RegistryKeys } from "@modelpool/registry-redis";
import { describe, expect, it } from "vitest";
import { freeLoopbackPort } from "../../test-utils/src/redis-server.js";
import { missingRedis, suiteName, useRedisServer } from "./redis.js";

async function ls(registry: string): Promise<{ code: number; err: string }> {
  let err = "";
  const code = await main(
    ["ls", "--registry", registry],
    () => {},
    (text) => {
      err += text;
    },
  );
  return { code, err };
}

describe.skipIf(missingRedis !== undefined)(suiteName("modelpool ls on a fleet store it cannot use"), () => {
  const server = useRedisServer();

  it("a key of the wrong type: the cause and the key, exit 1 (the registry), no stack trace", async () => {
    const namespace = `t-${randomUUID()}`;
    const workers = new RegistryKeys(namespace).workerIds();
    server().cli("SET", workers, "not a set");
    const { code, err } = await ls(`${server().url}/${namespace}`);
    expect(code).toBe(ExitCode.REGISTRY);
    expect(err).toContain("WRONGTYPE");
    expect(err).toContain(workers);
    expect(err).not.toMatch(/\n\s+at /);
  });

  it("nothing listening: connection refused, exit 1 (the registry), no stack trace", async () => {
    const { code, err } = await ls(`redis://127.0.0.1:${await freeLoopbackPort()}/t`);
    expect(code).toBe(ExitCode.REGISTRY);
    expect(err).toContain("connection refused");
    expect(err).not.toMatch(/\n\s+at /);
  });
});
