import { DeviceRegistry } from "@modelpool/core";
import { raceTest, stopRecordedWorkersAfterTest, tempRegistryPath } from "@modelpool/test-utils";
import { expect } from "vitest";
import { startRequester } from "./fixtures/requester.js";

raceTest(
  "the owner of a worker another process marked draining does not hand it out again",
  {
    perRunMs: 15_000,
    defaultRuns: 1,
  },
  async () => {
    const path = await tempRegistryPath();
    stopRecordedWorkersAfterTest(path);
    const owner = await startRequester(path);
    const first = await owner.ask("docs", "m");
    expect(first.outcome).toBe("spawned");

    // Another process (this test) marks it draining in the registry, as a pool that superseded it would.
    await new DeviceRegistry({ path }).update({ workerId: "docs", id: first.id as string }, (record) => ({
      ...record,
      draining: true,
    }));

    const second = await owner.ask("docs", "m");
    expect(second.outcome).toBe("spawned");
    expect(second.pid).not.toBe(first.pid);
    expect(second.considered).toContainEqual({ pid: first.pid, code: "DRAINING" });
    await owner.exit();
  },
);
