// A spawn claim whose owner is a dead process of this host is taken over by a compare-and-set of the value
// read. A claim value that is not valid UTF-8 (a byte the client reads as U+FFFD) can never be matched so:
// the take-over must end in a typed error naming the key, not retry for ever (acquireClaim's loop has no
// deadline of its own: each round it reads, judges the owner gone, and fails the same compare-and-set).
// Real redis-server, a real process killed.
import { setTimeout as sleep } from "node:timers/promises";
import { processIdentityOf } from "@modelpool/core";
import { RegistryKeys } from "@modelpool/registry-redis";
import { describe, expect, it } from "vitest";
import { startStandInProcess } from "../../test-utils/src/stand-in.js";
import { fleetSpec, missingRedis, storeAs, suiteName, useRedisServer } from "./redis.js";

describe.skipIf(missingRedis !== undefined)(suiteName("a claim value that is not valid UTF-8"), () => {
  const server = useRedisServer();

  it("whose owner died is a CorruptRegistryError naming its key, never an endless take-over", async () => {
    const spec = fleetSpec(server(), { heartbeatMs: 60_000, heartbeatTtlMs: 120_000 });
    const store = storeAs(spec, "this-host");
    const owner = startStandInProcess();
    process.kill(owner.pid, "SIGKILL");
    while (processIdentityOf(owner.pid).start === owner.start) await sleep(5);
    const now = Date.now();
    const claim = {
      key: "spawn-docs",
      token: "t-1",
      workerId: "docs",
      owner: { host: "this-host", pid: owner.pid, ...(owner.start === undefined ? {} : { start: owner.start }) },
      acquiredAt: now,
      expiresAt: now + 60_000,
    };
    const json = JSON.stringify(claim);
    const key = new RegistryKeys(spec.namespace).claim(claim.key);
    // The same claim with one byte 0xFF in a field of its own (set by a script: no shell carries the byte).
    server().cli(
      "EVAL",
      "return redis.call('SET', KEYS[1], ARGV[1] .. string.char(255) .. ARGV[2], 'PX', '60000')",
      "1",
      key,
      `${json.slice(0, -1)},"note":"`,
      '"}',
    );

    const me = processIdentityOf(process.pid);
    const attempt = store
      .acquireClaim({
        key: claim.key,
        workerId: "docs",
        owner: { host: "this-host", pid: me.pid, ...(me.start === undefined ? {} : { start: me.start }) },
        ttlMs: 10_000,
      })
      .then(
        () => "answered",
        (error: unknown) => error,
      );
    // Generous: one round is a millisecond; a loop that cannot end is what this looks for.
    const outcome = await Promise.race([attempt, sleep(20_000).then(() => "still taking it over")]);
    expect(outcome).toMatchObject({ code: "REGISTRY_CORRUPT" });
    expect(String((outcome as Error).message)).toContain(key);
  }, 60_000);
});
