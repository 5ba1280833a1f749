import { readdirSync, readFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { readLiveProcess } from "@modelpool/core";

/** Is `pid` a running process (not gone, not a zombie)? */
export function isRunning(pid: number): boolean {
  const live = readLiveProcess(pid);
  return live.running && !live.zombie;
}

/** Polls `condition` until it holds; fails the test after `timeoutMs`. */
export async function waitUntil(condition: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await sleep(25);
  }
}

/** Pids of running processes (not this one) whose environment holds `entry` (`NAME=value`). */
export function processesWithEnv(entry: string): number[] {
  const pids: number[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      const env = readFileSync(`/proc/${name}/environ`, "latin1").split("\0");
      if (env.includes(entry) && isRunning(Number(name))) pids.push(Number(name));
    } catch {
      // gone, or not ours
    }
  }
  return pids;
}

/** Pids of running processes whose environment names this model (workers get MODELPOOL_MODEL from the pool). */
export function workersOfModel(model: string): number[] {
  return processesWithEnv(`MODELPOOL_MODEL=${model}`);
}
