import { checkRecordLiveness, type WorkerRecord } from "@modelpool/core";
import { describe, expect, it, onTestFinished } from "vitest";
import { isRunning, waitUntil } from "../../test-utils/src/processes-state.js";
import { killHost, startHost } from "./fleet.js";
import { fleetSpec, missingRedis, storeAs, suiteName, useRedisServer } from "./redis.js";

describe.skipIf(missingRedis !== undefined)(suiteName("a remote worker lives exactly as long as its heartbeat"), () => {
  const server = useRedisServer();

  const serveOnHost1 = async (spec: object) => {
    const host = startHost(spec, 1, ["serve", "docs", "model-a"]);
    const record = await host.next<WorkerRecord>();
    onTestFinished(() => {
      if (isRunning(record.pid)) process.kill(record.pid, "SIGKILL");
    });
    return { host, record };
  };

  it("is alive for another host while its owner renews the heartbeat, on its own address", async () => {
    const spec = fleetSpec(server());
    const { record } = await serveOnHost1(spec);
    const other = storeAs(spec, "host-2");
    await new Promise((resolve) => setTimeout(resolve, 1_000)); // longer than the 400 ms TTL: renewals happened
    const [seen] = (await other.lookup("docs")).records;
    expect(seen?.host).toBe("host-1");
    expect(seen?.url).toMatch(/^http:\/\/127\.0\.0\.2:\d+$/);
    expect(checkRecordLiveness(seen as WorkerRecord, other.hostId)).toEqual({ ok: true });
    expect(seen?.pid).toBe(record.pid);
  });

  it("is dead once its host is SIGKILLed and the TTL passes, is pruned, and is never signalled", async () => {
    const spec = fleetSpec(server());
    const { host, record } = await serveOnHost1(spec);
    const other = storeAs(spec, "host-2");
    await killHost(host);
    await waitUntil(async () => {
      const [seen] = (await other.lookup("docs")).records;
      return seen !== undefined && !checkRecordLiveness(seen, other.hostId).ok;
    }, 5_000);
    const [seen] = (await other.lookup("docs")).records;
    expect(checkRecordLiveness(seen as WorkerRecord, other.hostId)).toMatchObject({ ok: false });
    // The worker process itself still runs (on "host-1"): another host's store removes only the record.
    expect(isRunning(record.pid)).toBe(true);
    const pruned = await other.prune();
    expect(pruned.map((p) => p.record.id)).toEqual([record.id]);
    expect((await other.lookup("docs")).records).toEqual([]);
    expect(isRunning(record.pid)).toBe(true);
  });

  it("is dead once its process exits, though its host lives on", async () => {
    const spec = fleetSpec(server());
    const { record } = await serveOnHost1(spec);
    const other = storeAs(spec, "host-2");
    process.kill(record.pid, "SIGKILL");
    await waitUntil(async () => {
      const [seen] = (await other.lookup("docs")).records;
      return seen !== undefined && !checkRecordLiveness(seen, other.hostId).ok;
    }, 5_000);
  });

  it("a prune of another host never removes a worker whose heartbeat is live", async () => {
    const spec = fleetSpec(server());
    await serveOnHost1(spec);
    const other = storeAs(spec, "host-2");
    expect(await other.prune()).toEqual([]);
    expect((await other.lookup("docs")).records).toHaveLength(1);
  });
});
