import type { ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { DeviceRegistry } from "@modelpool/core";
import {
  raceTest,
  startNodeScript,
  stopRecordedWorkersAfterTest,
  tempRegistryPath,
  waitUntil,
  workersOfModel,
} from "@modelpool/test-utils";
import { expect, onTestFinished } from "vitest";
import { type ChildLines, childLines } from "./fixtures/child-lines.js";

const PROCESSES = 8;

/** The pid of the process holding the (only) spawn claim of the registry, once one does. */
async function claimHolder(path: string): Promise<number> {
  for (;;) {
    try {
      for (const key of readdirSync(join(path, "claims"))) {
        for (const name of readdirSync(join(path, "claims", key))) {
          if (!/^\d+$/.test(name)) continue;
          return (JSON.parse(readFileSync(join(path, "claims", key, name), "utf8")) as { owner: { pid: number } }).owner
            .pid;
        }
      }
    } catch {
      // not there yet, or changing under us
    }
    await sleep(5);
  }
}

raceTest(
  "8 OS processes asking at once for the same worker, the spawning one SIGKILLed while its worker starts: one worker ends up running, recorded, shared by all the others",
  {
    perRunMs: 20_000,
    defaultRuns: 1,
  },
  async () => {
    const path = await tempRegistryPath();
    const model = `storm-${randomUUID()}`;
    stopRecordedWorkersAfterTest(path);
    onTestFinished(() => {
      for (const pid of workersOfModel(model)) process.kill(pid, "SIGKILL");
    });
    // Each worker takes 2 s to become ready: time enough to kill the process that spawned it meanwhile.
    const askers: { child: ChildProcess; out: ChildLines }[] = Array.from({ length: PROCESSES }, () => {
      const child = startNodeScript(new URL("./fixtures/request-worker.ts", import.meta.url), [path, "docs", model], {
        WORKER_START_DELAY_MS: "2000",
        PROBE_TIMEOUT_MS: "30000",
      });
      return { child, out: childLines(child) };
    });

    const holderPid = await claimHolder(path);
    const victim = askers.find(({ child }) => child.pid === holderPid);
    expect(victim, `claim holder ${holderPid} is one of the askers`).toBeDefined();
    await waitUntil(() => workersOfModel(model).length > 0, 20_000);
    expect(workersOfModel(model)).toHaveLength(1); // its worker is starting (2 s from ready)
    victim?.child.kill("SIGKILL");
    const survivors = askers.filter((asker) => asker !== victim);
    const codes = await Promise.all(survivors.map(({ out }) => out.exited));

    expect(codes, survivors.map(({ out }) => out.stderr()).join("\n")).toEqual(Array(PROCESSES - 1).fill(0));
    const printed = survivors.map(({ out }) => JSON.parse(out.lines.at(-1) as string) as { pid: number });
    expect(new Set(printed.map((p) => p.pid)).size).toBe(1);
    // The shared worker is recorded ready. The dead spawner's worker is stopped by whoever took its claim
    // over; while that stop is still under way (a loaded machine), it stays recorded as starting.
    const records = await new DeviceRegistry({ path }).list();
    expect(records.filter((r) => r.status === "ready").map((r) => r.pid)).toEqual([printed[0]?.pid]);
    expect(records.filter((r) => r.status !== "ready").every((r) => r.status === "starting")).toBe(true);
    // No worker runs that the registry does not know of (nobody would ever stop it).
    await sleep(500);
    const recorded = new Set((await new DeviceRegistry({ path }).list()).map((r) => r.pid));
    expect(workersOfModel(model).filter((pid) => !recorded.has(pid))).toEqual([]);
    // And the orphan does not outlive the stop (SIGTERM, then SIGKILL after the grace period).
    await waitUntil(() => workersOfModel(model).length === 1, 20_000);
  },
);
