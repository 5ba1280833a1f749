import { DeviceRegistry } from "@modelpool/core";
import { raceTest, tempRegistryPath } from "@modelpool/test-utils";
import { expect } from "vitest";
import { BUSY_REF, startBusyHolder } from "./fixtures/busy-holder-race.js";
import { liveRecord } from "./fixtures/registry-files.js";

// A change that does not look at the lease entries (marking a worker draining, which is how a stop of a
// worker another process holds is deferred) must land however busily a holder rewrites its entry: else
// the drain mark is lost without a word, and the worker is handed out again (and, its owner having
// forgotten it, never stopped).
raceTest(
  "an update whose change ignores lease entries lands however fast a busy holder rewrites its entry",
  {
    perRunMs: 6_000,
    defaultRuns: 1,
  },
  async () => {
    const path = await tempRegistryPath();
    const registry = new DeviceRegistry({ path, legacySources: false });
    await registry.put(liveRecord({ id: "w1", workerId: "docs" }));
    const ref = BUSY_REF;
    const holder = await startBusyHolder(path);

    let lost = 0;
    let attempts = 0;
    for (const end = performance.now() + 3_000; performance.now() < end || attempts < 50; ) {
      const attempt = ++attempts;
      // A mark of its own each time (the drain mark, set once, could not tell one attempt from the next).
      const after = await registry.update(ref, (current) => ({ ...current, draining: true, mark: attempt }));
      const [stored] = (await new DeviceRegistry({ path, legacySources: false }).lookup("docs")).records;
      if (after?.mark !== attempt || stored?.mark !== attempt) lost++;
    }
    const writes = await holder.release();
    expect({ lost, attempts }).toEqual({ lost: 0, attempts });
    return { updates: attempts, "entry rewrites": writes, lost };
  },
);
