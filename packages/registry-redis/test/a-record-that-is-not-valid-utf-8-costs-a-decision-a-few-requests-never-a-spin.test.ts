// A record value is bytes; the client reads it as a UTF-8 string, so a byte that is not UTF-8 (written by
// another client, a tool, a hostile process with access to Redis) comes back as U+FFFD. The shared
// validation accepts the string; but the value the store would compare with (its SHA1, or itself) is the
// string's UTF-8 encoding, which is not the bytes stored: every compare-and-set of that record fails. A
// decision must then say so (unreadable, or refused) in a few requests — never retry a lease entry that can
// never land until updateTimeoutMs, once per attempt. Counted by MONITOR, on a real redis-server.
import { RegistryKeys } from "@modelpool/registry-redis";
import { describe, expect, it } from "vitest";
import { ownersWorker, sessionPool } from "./judged-fleet.js";
import { fleetSpec, missingRedis, storeAs, suiteName, useRedisServer } from "./redis.js";
import { requestsDuring } from "./requests-during.js";

describe.skipIf(missingRedis !== undefined)(suiteName("a record that is not valid UTF-8"), () => {
  const server = useRedisServer();

  it("costs a decision on it a few requests, never a lease retried until updateTimeoutMs", {
    timeout: 120_000,
  }, async () => {
    const spec = fleetSpec(server(), { heartbeatMs: 60_000, heartbeatTtlMs: 120_000, updateTimeoutMs: 1_000 });
    const owner = storeAs(spec, "owner-host");
    const user = storeAs(spec, "user-host");
    const worker = await ownersWorker(owner, "docs", "model-a");
    const key = new RegistryKeys(spec.namespace).record(worker.workerId, worker.id);
    const json = server().cli("GET", key);
    // The same record with one byte 0xFF in a free-text field (set by a script: no shell carries the byte).
    const cut = json.lastIndexOf("}");
    server().cli(
      "EVAL",
      "return redis.call('SET', KEYS[1], ARGV[1] .. string.char(255) .. ARGV[2])",
      "1",
      key,
      `${json.slice(0, cut)},"lastError":"`,
      `"${json.slice(cut)}`,
    );

    const request = { workerId: "docs", fingerprint: { resolvedModel: "model-a" } };
    // An earlier session read it (the store's recent read): the next decision is judged from that read.
    await sessionPool(user)
      .explain(request)
      .catch(() => undefined);
    const pool = sessionPool(user);
    let outcome: unknown;
    const requests = await requestsDuring(server(), async () => {
      outcome = await pool.getOrSpawn(request).then(
        async (lease) => {
          await lease.release();
          return "leased";
        },
        (error: unknown) => error,
      );
    });
    // Leased, or refused (this backend cannot spawn): either way, said in a few requests.
    expect(outcome).toBeDefined();
    expect(requests.length).toBeLessThanOrEqual(8);
  });

  it("while a value of valid UTF-8 beyond ASCII (2 to 4 bytes, and a real U+FFFD) is read and leased as any other", async () => {
    const spec = fleetSpec(server(), { heartbeatMs: 60_000, heartbeatTtlMs: 120_000 });
    const owner = storeAs(spec, "owner-host");
    const user = storeAs(spec, "user-host");
    const worker = await ownersWorker(owner, "docs", "model-a");
    const text = "caf\u00e9 \u20ac \u{1F600} \uFFFD \u07FF \uFFFF \u{10FFFF}";
    await owner.update(worker, (current) => ({ ...current, lastError: text }));
    const pool = sessionPool(user);
    const lease = await pool.getOrSpawn({ workerId: "docs", fingerprint: { resolvedModel: "model-a" } });
    expect(lease.worker.id).toBe(worker.id);
    expect(lease.worker.lastError).toBe(text);
    await lease.release();
    // And a judged lease on it (the store's recent read) lands too: its entry is on the record.
    const again = await sessionPool(user).getOrSpawn({ workerId: "docs", fingerprint: { resolvedModel: "model-a" } });
    expect(again.worker.id).toBe(worker.id);
    const [stored] = (await storeAs(spec, "observer-host").lookup("docs")).records;
    expect(stored?.holders?.find((holder) => holder.host === "user-host")).toMatchObject({ leases: 1 });
    await again.release();
  });
});
