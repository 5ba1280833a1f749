import { isRegistryUnavailableError } from "@modelpool/core";
import { RedisRegistry } from "@modelpool/registry-redis";
import { describe, expect, it, onTestFinished } from "vitest";
import { freeLoopbackPort } from "../../test-utils/src/redis-server.js";
import { missingRedis, suiteName, useRedisServer } from "./redis.js";

const PASSWORD = "s3cret-fleet-password";

/**
 * The connect timeout is far longer than the test's own: a fault the server or the resolver answers at
 * once must be reported at once, naming what it was, never after waiting the timeout out.
 */
const patient = { namespace: "t", connectTimeoutMs: 600_000 };

async function failureOf(url: string): Promise<Error> {
  const store = new RedisRegistry({ ...patient, url });
  onTestFinished(() => store.close());
  const error = await store.lookup("docs").catch((thrown: unknown) => thrown);
  expect(isRegistryUnavailableError(error)).toBe(true);
  return error as Error;
}

describe.skipIf(missingRedis !== undefined)(suiteName("a store that cannot be used"), () => {
  const server = useRedisServer(["--requirepass", PASSWORD]);

  it("a wrong password: authentication refused, said so, the password never shown", async () => {
    const error = await failureOf(`redis://default:wrong-${PASSWORD}@127.0.0.1:${server().port}`);
    expect(error.message).toMatch(/authentication refused.*WRONGPASS/);
    expect(`${error.message}${JSON.stringify(error)}${String(error.stack)}`).not.toContain(PASSWORD);
  });

  it("no password where one is wanted: authentication required, said so", async () => {
    const error = await failureOf(`redis://127.0.0.1:${server().port}`);
    expect(error.message).toMatch(/authentication (refused|required).*NOAUTH/);
  });

  it("nothing listening: connection refused, said so", async () => {
    const error = await failureOf(`redis://127.0.0.1:${await freeLoopbackPort()}`);
    expect(error.message).toMatch(/connection refused.*ECONNREFUSED/);
  });

  it("a host name that does not resolve: said so", async () => {
    const error = await failureOf("redis://no-such-host.invalid:6379");
    expect(error.message).toMatch(/host name .*no-such-host\.invalid.* not found/);
  });
});
