import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { DeviceRegistry } from "@modelpool/core";
import { raceTest, tempRegistryPath } from "@modelpool/test-utils";
import { expect } from "vitest";
import { startBusyHolder, stopAttempts } from "./fixtures/busy-holder-race.js";
import { liveRecord, workerDirectory } from "./fixtures/registry-files.js";

// A busy process holds the worker from before the first stop attempt to after the last, rewriting its
// lease entry (a new generation each time) as its count changes. A stopping `update`
// lists the directory to find the entries; with thousands of files in the workerId's directory (records
// and lease entries of many processes, temp files of killed writers that prune keeps for a minute), that
// listing takes several getdents calls, and an entry replaced between two of them can be missed in both
// its generations. The worker must still never be stopped while it is held.
raceTest(
  "a worker held the whole time is never stopped, however many files its directory holds",
  {
    perRunMs: 8_000,
    defaultRuns: 1,
  },
  async () => {
    const path = await tempRegistryPath();
    const registry = new DeviceRegistry({ path, legacySources: false });
    await registry.put(liveRecord({ id: "w1", workerId: "docs" }));
    const dir = workerDirectory(path, "docs");
    for (let i = 0; i < 3_000; i++) writeFileSync(join(dir, `.tmp-${String(i).padStart(36, "0")}`), "");
    const holder = await startBusyHolder(path);
    const { attempts, stoppedWhileHeld } = await stopAttempts(registry, { forMs: 2_000, atLeast: 15 });
    const writes = await holder.release();
    expect({ stoppedWhileHeld, attempts }).toEqual({ stoppedWhileHeld: 0, attempts });
    return { "stop attempts": attempts, "entry rewrites": writes, "stopped while held": stoppedWhileHeld };
  },
);
