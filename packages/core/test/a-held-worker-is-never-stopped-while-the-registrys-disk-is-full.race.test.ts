import { join } from "node:path";
import { DeviceRegistry } from "@modelpool/core";
import { raceTest, smallDisk, smallDiskUnavailable } from "@modelpool/test-utils";
import { expect } from "vitest";
import { startBusyHolder, stopAttempts } from "./fixtures/busy-holder-race.js";
import { liveRecord } from "./fixtures/registry-files.js";

// The registry on a disk that fills up while a process holds a worker and rewrites its lease entry (each
// rewrite now failing with ENOSPC) and another keeps trying to stop the worker (each stop's writes failing
// too, or refused): a failed write must never make the holder's entry look absent, so the worker is never
// recorded stopped while held; and no record is left torn.
raceTest(
  "a worker held while the registry's disk is full is never stopped, and its record stays whole",
  {
    perRunMs: 8_000,
    defaultRuns: 1,
    skip: smallDiskUnavailable(),
  },
  async () => {
    const disk = smallDisk(1024);
    const path = join(disk.path, "registry");
    const registry = new DeviceRegistry({ path, legacySources: false });
    await registry.put(liveRecord({ id: "w1", workerId: "docs" }));
    const holder = await startBusyHolder(path);
    await disk.fill();
    let failedStops = 0;
    let stoppedWhileHeld = 0;
    let attempts = 0;
    for (const end = performance.now() + 2_000; performance.now() < end || attempts < 20; attempts++) {
      try {
        stoppedWhileHeld += (await stopAttempts(registry, { forMs: 0, atLeast: 1 })).stoppedWhileHeld;
      } catch {
        failedStops++; // the disk is full: the stop did not happen, and says so
      }
    }
    await disk.free();
    const writes = await holder.release();
    const scan = await registry.scan();
    expect(scan.unreadable).toEqual([]);
    expect(scan.records.map((r) => r.status)).toEqual(["ready"]);
    expect({ stoppedWhileHeld, attempts }).toEqual({ stoppedWhileHeld: 0, attempts });
    return { "stop attempts": attempts, "stops failing on a full disk": failedStops, "entry rewrites": writes };
  },
);
