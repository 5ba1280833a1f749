// A race, run MODELPOOL_RACE_RUNS times (default 3; the hostile suite runs it many more under load and
// stalls): a spawner dies (SIGKILL) after recording its worker ready, before releasing its spawn claim;
// another process leases that worker; then 3 pools at once ask for the same workerId + model without a
// policy that would reuse it, so each spawns, and the first to claim takes the dead spawner's claim over.
// Counted over the whole history:
// - stoppedWhileHeld: the recorded, leased worker stopped while its lease was held;
// - orphans: a worker of the model running that the registry does not record, once everyone is done;
// - falseStopped: a worker stopAll() returned that still runs.

import { randomUUID } from "node:crypto";
import { DeviceRegistry, WorkerPool } from "@modelpool/core";
import {
  isRunning,
  modelWorkerBackend,
  startNodeScript,
  stopRecordedWorkersAfterTest,
  tempRegistryPath,
  workersOfModel,
} from "@modelpool/test-utils";
import { expect, onTestFinished, test } from "vitest";
import { childLines } from "./fixtures/child-lines.js";
import { startRequester } from "./fixtures/requester.js";

const RUNS = Number(process.env.MODELPOOL_RACE_RUNS ?? 1);
const TAKERS = 3;

test.skipIf(process.platform !== "linux")(
  `a claim taken over from a spawner that died after recording its worker never stops that worker while it is leased (${RUNS} runs)`,
  { timeout: 60_000 + RUNS * 90_000 },
  async () => {
    const counts = { stoppedWhileHeld: 0, orphans: 0, falseStopped: 0, takeovers: 0 };
    for (let run = 0; run < RUNS; run++) {
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
      const dying = JSON.parse(await spawner.line('{"step":"dying"', 60_000)) as { pid: number };
      await spawner.exited;
      const holder = await startRequester(path);
      const held = await holder.ask("docs", model);
      if (held.pid !== dying.pid)
        throw new Error(`the holder did not reuse the recorded worker: ${JSON.stringify(held)}`);

      const takers = Array.from(
        { length: TAKERS },
        () => new WorkerPool({ backend: modelWorkerBackend(), registry: path }),
      );
      // While the takers race, the held worker is watched: it must run the whole time.
      let watching = true;
      const watcher = (async () => {
        while (watching) {
          if (!isRunning(dying.pid)) {
            counts.stoppedWhileHeld++;
            return;
          }
          await new Promise((done) => setTimeout(done, 5));
        }
      })();
      const leases = await Promise.allSettled(
        takers.map((pool) => pool.getOrSpawn({ workerId: "docs", fingerprint: { resolvedModel: model } })),
      );
      counts.takeovers += leases.filter((lease) => lease.status === "fulfilled").length;
      for (const lease of leases) if (lease.status === "fulfilled") await lease.value.release();
      watching = false;
      await watcher;
      for (const pool of takers) {
        for (const worker of await pool.stopAll()) if (isRunning(worker.pid)) counts.falseStopped++;
      }
      await holder.exit();
      const recorded = new Set((await new DeviceRegistry({ path }).list()).map((record) => record.pid));
      counts.orphans += workersOfModel(model).filter((pid) => !recorded.has(pid)).length;
    }
    console.log(`race claim-takeover: ${RUNS} runs ${JSON.stringify(counts)}`);
    expect({ ...counts, takeovers: 0 }).toEqual({ stoppedWhileHeld: 0, orphans: 0, falseStopped: 0, takeovers: 0 });
  },
);
