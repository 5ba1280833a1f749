import { spawn, spawnSync } from "node:child_process";
import { processIdentityOf } from "@modelpool/core";

export type Bystanders = { live: { pid: number; start?: string }[]; dead: number[]; stop(): void };

/** Real live processes to point entries at (pid + start time), and pids of processes that have exited. */
export function bystanders(liveCount = 4, deadCount = 16): Bystanders {
  const children = Array.from({ length: liveCount }, () => spawn("sleep", ["3600"], { stdio: "ignore" }));
  const live = children.map((child) => processIdentityOf(child.pid as number));
  const dead = Array.from({ length: deadCount }, () => spawnSync("true").pid);
  const stop = () => {
    for (const child of children) child.kill("SIGKILL");
  };
  return { live, dead, stop };
}

/**
 * A version-2 registry of `size` worker entries (one per line, as modelpool writes it), readable by the
 * naive baseline too. The target workerId has one entry on a live process; with `halfDead`, half of all
 * entries (one of the target's two among them) point at exited processes.
 */
export function registryText(size: number, targetId: string, people: Bystanders, halfDead: boolean): string {
  const now = Date.now();
  const entries: object[] = [];
  const record = (i: number, workerId: string, dead: boolean) => {
    const live = people.live[i % people.live.length] as { pid: number; start?: string };
    const pid = dead ? (people.dead[i % people.dead.length] as number) : live.pid;
    return {
      kind: "worker",
      id: `entry-${i}`,
      workerId,
      pid,
      ...(!dead && live.start ? { pidStart: live.start } : {}),
      fingerprint: {
        resolvedModel: i % 2 ? "openai/gpt-5-mini" : "anthropic/claude-sonnet-4-5",
        modelPolicy: "dynamic",
      },
      status: "ready",
      url: `http://127.0.0.1:${4096 + (i % 1000)}`,
      port: 4096 + (i % 1000),
      startedAt: now,
      updatedAt: now,
    };
  };
  entries.push({
    ...record(0, targetId, false),
    fingerprint: { resolvedModel: "openai/gpt-5-mini", modelPolicy: "dynamic" },
  });
  if (halfDead) entries.push(record(1, targetId, true));
  for (let i = entries.length; i < size; i++) entries.push(record(i, `worker-${i}`, halfDead && i % 2 === 1));
  return `{"version":2,"updatedAt":${now},"entries":[\n${entries.map((e) => JSON.stringify(e)).join(",\n")}\n]}\n`;
}
