import { checkRecordLiveness, type WorkerRecord } from "@modelpool/core";
import { describe, expect, it, onTestFinished } from "vitest";
import { isRunning, waitUntil } from "../../test-utils/src/processes-state.js";
import { startHost } from "./fleet.js";
import { fleetSpec, missingRedis, storeAs, suiteName, useRedisServer } from "./redis.js";

describe.skipIf(missingRedis !== undefined)(suiteName("Redis restarted without persistence"), () => {
  const server = useRedisServer();

  it("gets each live worker back from its owner on the next heartbeat, once, under the same id", async () => {
    const spec = fleetSpec(server());
    const host = startHost(spec, 1, ["serve", "docs", "model-a"]);
    const record = await host.next<WorkerRecord>();
    onTestFinished(() => {
      if (isRunning(record.pid)) process.kill(record.pid, "SIGKILL");
    });
    const other = storeAs(spec, "host-2");
    expect((await other.lookup("docs")).records).toHaveLength(1);

    const runId = () => /run_id:(\w+)/.exec(server().cli("INFO", "server"))?.[1];
    const before = runId();
    await server().restart();
    // A new server with no data (the host's heartbeat may already have re-published its record: DBSIZE
    // right after the restart races it, so the restart is told by the run id).
    expect(runId()).not.toBe(before);

    await waitUntil(async () => {
      try {
        return (await other.lookup("docs")).records.length > 0;
      } catch {
        return false; // the store reconnects by itself; until then calls fail fast
      }
    }, 10_000);
    const { records, unreadable } = await other.lookup("docs");
    expect(unreadable).toEqual([]);
    expect(records.map((r) => r.id)).toEqual([record.id]);
    expect(checkRecordLiveness(records[0] as WorkerRecord, other.hostId)).toEqual({ ok: true });
    expect(await other.list()).toHaveLength(1);
  });
});
