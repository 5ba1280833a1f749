import { isCorruptRegistryError, type WorkerRecord } from "@modelpool/core";
import { RegistryKeys } from "@modelpool/registry-redis";
import { describe, expect, it } from "vitest";
import { fleetSpec, missingRedis, storeAs, suiteName, useRedisServer } from "./redis.js";

const now = Date.now();
const record = (id: string, extra: Partial<WorkerRecord> = {}): WorkerRecord => ({
  kind: "worker",
  id,
  workerId: "docs",
  pid: 4242,
  status: "ready",
  host: "host-9",
  startedAt: now,
  updatedAt: now,
  ...extra,
});

describe.skipIf(missingRedis !== undefined)(suiteName("values read from Redis"), () => {
  const server = useRedisServer();

  it("are reported with their key and why when they are not records, and stay where they are", async () => {
    const spec = fleetSpec(server());
    const store = storeAs(spec, "host-1");
    const keys = new RegistryKeys(spec.namespace);
    const planted: Record<string, string> = {
      "not-json": "{oops",
      huge: JSON.stringify({ ...record("huge"), lastError: "x".repeat(300_000) }),
      deep: `${"[".repeat(10_000)}${"]".repeat(10_000)}`,
      "no-host": JSON.stringify({ ...record("no-host"), host: undefined }),
      "other-key": JSON.stringify(record("somebody-else")),
      "bad-pid": JSON.stringify({ ...record("bad-pid"), pid: -1 }),
    };
    for (const [id, value] of Object.entries(planted)) {
      await store.put(record(id));
      server().setRaw(keys.record("docs", id), value);
    }
    await store.put(record("good"));
    server().cli("DEL", keys.record("docs", "wrong-type"));
    server().cli("SADD", keys.workerIndex("docs"), "wrong-type");
    server().cli("RPUSH", keys.record("docs", "wrong-type"), "a list, not a string");

    const { records, unreadable } = await store.lookup("docs");
    expect(records.map((r) => r.id)).toEqual(["good"]);
    const why = Object.fromEntries(unreadable.map((u) => [u.location, u.reason]));
    expect(why[keys.record("docs", "not-json")]).toMatch(/not (valid )?JSON/);
    expect(why[keys.record("docs", "huge")]).toMatch(/larger than/);
    expect(why[keys.record("docs", "deep")]).toMatch(/nested deeper/);
    expect(why[keys.record("docs", "no-host")]).toMatch(/names no host/);
    expect(why[keys.record("docs", "other-key")]).toMatch(/somebody-else/);
    expect(why[keys.record("docs", "bad-pid")]).toMatch(/pid/);
    expect(why[keys.record("docs", "wrong-type")]).toMatch(/WRONGTYPE/);
    expect(unreadable).toHaveLength(7);

    // Still there after reads and a prune: an unreadable value is for a person to look at.
    await store.prune();
    for (const id of [...Object.keys(planted), "wrong-type"]) {
      expect(server().cli("EXISTS", keys.record("docs", id))).toBe("1");
    }
  });

  it("never take aliveUntil from the value: only the heartbeat's remaining TTL sets it", async () => {
    const spec = fleetSpec(server());
    const store = storeAs(spec, "host-1");
    const keys = new RegistryKeys(spec.namespace);
    await store.put(record("forged"));
    server().cli(
      "SET",
      keys.record("docs", "forged"),
      JSON.stringify(record("forged", { aliveUntil: now + 3_600_000 })),
    );
    const [read] = (await store.lookup("docs")).records;
    expect(read?.aliveUntil).toBeUndefined();
  });

  it("an unreadable claim is a typed error naming its key, and is left alone", async () => {
    const spec = fleetSpec(server());
    const store = storeAs(spec, "host-1");
    const keys = new RegistryKeys(spec.namespace);
    server().cli("SET", keys.claim("k"), "not a claim", "PX", "60000");
    const error = await store.readClaim("k").catch((thrown: unknown) => thrown);
    expect(isCorruptRegistryError(error)).toBe(true);
    expect((error as Error).message).toContain(keys.claim("k"));
    expect(server().cli("GET", keys.claim("k"))).toBe("not a claim");
  });
});
