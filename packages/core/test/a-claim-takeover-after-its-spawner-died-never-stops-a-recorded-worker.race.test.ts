// A race (one run in `npm test`, 20 under `npm run test:hostile`): a spawner dies (SIGKILL) after
// recording its worker ready, before releasing its spawn claim; another process leases that worker; then
// 3 pools at once ask for the same workerId + model without a policy that would reuse it, so each spawns,
// and the first to claim takes the dead spawner's claim over. Each run checks:
// - stoppedWhileHeld: the recorded, leased worker stopped while its lease was held;
// - orphans: a worker of the model running that the registry does not record, once everyone is done;
// - falseStopped: a worker stopAll() returned that still runs.

import { randomUUID } from "node:crypto";
import { DeviceRegistry, WorkerPool } from "@modelpool/core";
import {
  isRunning,
  modelWorkerBackend,
  raceTest,
  startNodeScript,
  stopRecordedWorkersAfterTest,
  tempRegistryPath,
  workersOfModel,
} from "@modelpool/test-utils";
import { expect, onTestFinished } from "vitest";
import { childLines } from "./fixtures/child-lines.js";
import { startRequester } from "./fixtures/requester.js";

const TAKERS = 3;

raceTest(
  "a claim taken over from a spawner that died after recording its worker never stops that worker while it is leased",
  { perRunMs: 10_000, skip: process.platform !== "linux" ? "needs /proc" : undefined },
  async () => {
    const path = await tempRegistryPath();
    const model = `takeover-${randomUUID()}`;
    stopRecordedWorkersAfterTest(path);
    onTestFinished(() => {
      for (const pid of workersOfModel(model)) process.kill(pid, "SIGKILL");
    });
    const spawner = childLines(
      startNodeScript(new URL("./fixtures/dies-before-releasing-its-spawn-claim.ts", import.meta.url), [
        path,
        "docs",
        model,
      ]),
    );
    const dying = JSON.parse(await spawner.line('{"step":"dying"', 120_000)) as { pid: number };
    await spawner.exited;
    const holder = await startRequester(path);
    const held = await holder.ask("docs", model);
    expect(held, "the holder reuses the recorded worker").toMatchObject({ step: "leased", pid: dying.pid });

    const takers = Array.from(
      { length: TAKERS },
      () => new WorkerPool({ backend: modelWorkerBackend(), registry: path }),
    );
    // While the takers race, the held worker is watched: it must run the whole time.
    let stoppedWhileHeld = 0;
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        if (!isRunning(dying.pid)) {
          stoppedWhileHeld++;
          return;
        }
        await new Promise((done) => setTimeout(done, 5));
      }
    })();
    const leases = await Promise.allSettled(
      takers.map((pool) => pool.getOrSpawn({ workerId: "docs", fingerprint: { resolvedModel: model } })),
    );
    const takeovers = leases.filter((lease) => lease.status === "fulfilled").length;
    for (const lease of leases) if (lease.status === "fulfilled") await lease.value.release();
    watching = false;
    await watcher;
    let falseStopped = 0;
    for (const pool of takers) {
      for (const worker of await pool.stopAll()) if (isRunning(worker.pid)) falseStopped++;
    }
    await holder.exit();
    const recorded = new Set((await new DeviceRegistry({ path }).list()).map((record) => record.pid));
    const orphans = workersOfModel(model).filter((pid) => !recorded.has(pid)).length;
    const refused = leases.flatMap((lease) => (lease.status === "rejected" ? [String(lease.reason)] : []));
    expect({ stoppedWhileHeld, orphans, falseStopped, refused }).toEqual({
      stoppedWhileHeld: 0,
      orphans: 0,
      falseStopped: 0,
      refused: [],
    });
    return { takeovers };
  },
);
