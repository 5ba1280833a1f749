import { DeviceRegistry } from "@modelpool/core";
import { raceTest, tempRegistryPath } from "@modelpool/test-utils";
import { expect } from "vitest";
import { startBusyHolder, stopAttempts } from "./fixtures/busy-holder-race.js";
import { liveRecord } from "./fixtures/registry-files.js";

// A busy process holds the worker from before the first stop attempt to after the last, rewriting its
// lease entry as its count changes (a process with a pool per task does so whenever a task ends while
// others still hold the worker): a new generation each time. A stopping `update` lists the directory,
// then reads the newest generation of each entry, which the holder may replace and clear meanwhile; the
// entry must never look absent. The worker must never be stopped while it is held. The holder lets go
// only when told, after the last attempt: no clock decides how long it holds, so a slow start or a pause
// under load cannot end its hold early.
raceTest(
  "a worker held the whole time is never stopped while its holder rewrites its lease entry",
  {
    perRunMs: 8_000,
    defaultRuns: 1,
  },
  async () => {
    const path = await tempRegistryPath();
    const registry = new DeviceRegistry({ path, legacySources: false });
    await registry.put(liveRecord({ id: "w1", workerId: "docs" }));
    const holder = await startBusyHolder(path);
    const { attempts, stoppedWhileHeld } = await stopAttempts(registry, { forMs: 2_000, atLeast: 25 });
    const writes = await holder.release();
    expect({ stoppedWhileHeld, attempts }).toEqual({ stoppedWhileHeld: 0, attempts });
    return { "stop attempts": attempts, "entry rewrites": writes, "stopped while held": stoppedWhileHeld };
  },
);
