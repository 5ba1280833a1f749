// A race (one run in `npm test`, 20 under `npm run test:hostile`): an owner stops (stopAll) the worker it spawned while 3 other processes lease it over and over.
// Every participant records what it saw; each run checks over its whole history:
// - stoppedWhileHeld: a lease during which its worker stopped answering;
// - falseStopped: stopAll() returned a worker that still runs without being recorded draining;
// - orphans: a worker any participant saw that still runs once everyone is done (a drain that never ends);
// - spawnedTwice: two ready, undrained records of the same fingerprint at once (sampled).
import { DeviceRegistry, type WorkerRecord } from "@modelpool/core";
import {
  isRunning,
  raceTest,
  SameModelTestPolicy,
  startNodeScript,
  tempRegistryPath,
  testPool,
  waitUntil,
} from "@modelpool/test-utils";
import { expect, onTestFinished } from "vitest";
import { childLines } from "./fixtures/child-lines.js";

const HOLDERS = 3;
const LEASES_EACH = 5;

type Held = { step: "held"; pid: number; aliveAtStart: boolean; aliveAtEnd: boolean };

raceTest(
  `a worker stopped by its owner while ${HOLDERS} processes lease it: never stopped while held, never falsely reported stopped, never left running`,
  { perRunMs: 20_000 },
  async () => {
    const counts = { stoppedWhileHeld: 0, falseStopped: 0, orphans: 0, spawnedTwice: 0, leases: 0 };
    const path = await tempRegistryPath();
    const registry = new DeviceRegistry({ path });
    const seen = new Set<number>();
    onTestFinished(() => {
      for (const pid of seen) if (isRunning(pid)) process.kill(pid, "SIGKILL");
    });
    const owner = testPool({ registry: path, plugins: [new SameModelTestPolicy()] });
    const first = await owner.getOrSpawn({ workerId: "docs", fingerprint: { resolvedModel: "m" } });
    seen.add(first.worker.pid);
    await first.release();

    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const ready = (await registry.list().catch(() => [] as WorkerRecord[])).filter(
          (record) =>
            (record.status === "ready" || record.status === "busy") && !record.draining && isRunning(record.pid),
        );
        if (ready.length > 1) counts.spawnedTwice++;
        await new Promise((done) => setTimeout(done, 5));
      }
    })();

    const holders = Array.from({ length: HOLDERS }, () =>
      childLines(
        startNodeScript(new URL("./fixtures/lease-loop.ts", import.meta.url), [path, String(LEASES_EACH), "40"]),
      ),
    );
    await Promise.all(holders.map((lines) => lines.line('{"step":"ready"')));
    // The owner stops once some leases are under way.
    await waitUntil(
      () => holders.some((lines) => lines.lines.some((line) => line.startsWith('{"step":"held"'))),
      60_000,
    );
    const stopped = await owner.stopAll();
    for (const worker of stopped) {
      if (!isRunning(worker.pid)) continue;
      const record = (await registry.list()).find((r) => r.id === worker.id);
      if (!record?.draining) counts.falseStopped++;
    }

    await Promise.all(holders.map((lines) => lines.exited));
    sampling = false;
    await sampler;
    for (const lines of holders) {
      for (const line of lines.lines) {
        if (!line.startsWith('{"step":"held"')) continue;
        const held = JSON.parse(line) as Held;
        seen.add(held.pid);
        counts.leases++;
        if (!held.aliveAtStart || !held.aliveAtEnd) counts.stoppedWhileHeld++;
      }
    }
    // Everyone is done and released: every drain must end — by the last release, by the owner's retries,
    // or, for a worker a holder spawned and left draining as it exited, by the next sweep of any pool on
    // the host (the documented hand-off; the owner's pool sweeps here as that next pool).
    for (const end = performance.now() + 20_000; performance.now() < end; ) {
      if ([...seen].every((pid) => !isRunning(pid))) break;
      await owner.sweep();
      await new Promise((done) => setTimeout(done, 200));
    }
    counts.orphans += [...seen].filter((pid) => isRunning(pid)).length;
    expect({ ...counts, leases: 0 }).toEqual({
      stoppedWhileHeld: 0,
      falseStopped: 0,
      orphans: 0,
      spawnedTwice: 0,
      leases: 0,
    });
    return { leases: counts.leases };
  },
);
