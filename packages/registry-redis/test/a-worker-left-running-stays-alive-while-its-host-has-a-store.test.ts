import { checkRecordLiveness, type WorkerRecord } from "@modelpool/core";
import { describe, expect, it, onTestFinished } from "vitest";
import { isRunning, waitUntil } from "../../test-utils/src/processes-state.js";
import { startHost } from "./fleet.js";
import { fleetSpec, missingRedis, storeAs, suiteName, useRedisServer } from "./redis.js";

describe.skipIf(missingRedis !== undefined)(suiteName("a worker whose spawning process exited"), () => {
  const server = useRedisServer();

  it("stays alive for other hosts while another store of its host renews it, and not after", async () => {
    const spec = fleetSpec(server());
    const spawner = startHost(spec, 1, ["serve", "docs", "model-a"]);
    const record = await spawner.next<WorkerRecord>();
    onTestFinished(() => {
      if (isRunning(record.pid)) process.kill(record.pid, "SIGKILL");
    });
    const exited = new Promise((resolve) => spawner.child.once("exit", resolve));
    spawner.send("leave");
    await exited;
    expect(isRunning(record.pid)).toBe(true);

    // The next session on host-1 reads the record: the live worker of its host is adopted for heartbeats.
    const nextSession = storeAs(spec, "host-1");
    expect((await nextSession.lookup("docs")).records.map((r) => r.id)).toEqual([record.id]);
    const remote = storeAs(spec, "host-2");
    await new Promise((resolve) => setTimeout(resolve, 1_000)); // 2.5 TTLs
    const [seen] = (await remote.lookup("docs")).records;
    expect(checkRecordLiveness(seen as WorkerRecord, remote.hostId)).toEqual({ ok: true });

    // Without any store of its host, it goes dark for the fleet once its heartbeat lapses.
    await nextSession.close();
    await waitUntil(async () => {
      const [later] = (await remote.lookup("docs")).records;
      return later !== undefined && !checkRecordLiveness(later, remote.hostId).ok;
    }, 5_000);
    expect(isRunning(record.pid)).toBe(true);
  });
});
