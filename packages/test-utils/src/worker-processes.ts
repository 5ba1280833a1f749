import { readdirSync, readFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { onTestFinished } from "vitest";
import { isRunning } from "./processes-state.js";

/**
 * Running worker processes (zombies excluded) whose model starts with `prefix`: the pool passes it to each
 * worker in MODELPOOL_MODEL, so this finds them whoever spawned them and whether or not they are recorded.
 */
export function runningWorkersOfModel(prefix: string): number[] {
  const pids: number[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const env = readFileSync(`/proc/${name}/environ`, "latin1").split("\0");
      if (env.some((entry) => entry.startsWith(`MODELPOOL_MODEL=${prefix}`)) && isRunning(Number(name))) {
        pids.push(Number(name));
      }
    } catch {
      // gone, or not ours
    }
  }
  return pids;
}

/**
 * Counts the running workers of `prefix` every few milliseconds from now until `stop()`, which resolves to
 * how many samples were taken and the pids at the worst moment. Any left running when the test ends are
 * SIGKILLed.
 */
export function sampleRunningWorkers(prefix: string): { stop(): Promise<{ samples: number; worst: number[] }> } {
  let stopped = false;
  let samples = 0;
  let worst: number[] = [];
  const loop = (async () => {
    while (!stopped) {
      const pids = runningWorkersOfModel(prefix);
      samples++;
      if (pids.length > worst.length) worst = pids;
      await sleep(5);
    }
  })();
  onTestFinished(async () => {
    stopped = true;
    await loop;
    for (const pid of runningWorkersOfModel(prefix)) process.kill(pid, "SIGKILL");
  });
  return {
    async stop() {
      stopped = true;
      await loop;
      return { samples, worst };
    },
  };
}
