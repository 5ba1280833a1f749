import { spawn, spawnSync } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { DeviceRegistry, processIdentityOf, type WorkerRecord } from "@modelpool/core";
import { TARGET } from "./target.js";

export { TARGET };

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
 * `size` worker records. The target workerId has one record on a live process; with `halfDead`, half of
 * all records (one of the target's two among them) point at exited processes.
 */
export function fixtureRecords(size: number, people: Bystanders, halfDead: boolean): WorkerRecord[] {
  const now = Date.now();
  const record = (i: number, workerId: string, dead: boolean): WorkerRecord => {
    const live = people.live[i % people.live.length] as { pid: number; start?: string };
    return {
      kind: "worker",
      id: `entry-${i}`,
      workerId,
      pid: dead ? (people.dead[i % people.dead.length] as number) : live.pid,
      ...(!dead && live.start ? { pidStart: live.start } : {}),
      fingerprint: { resolvedModel: i % 2 ? TARGET.model : "anthropic/claude-sonnet-4-5", modelPolicy: "dynamic" },
      status: "ready",
      url: `http://127.0.0.1:${4096 + (i % 1000)}`,
      port: 4096 + (i % 1000),
      startedAt: now,
      updatedAt: now,
    };
  };
  const records: WorkerRecord[] = [
    {
      ...record(0, TARGET.workerId, false),
      fingerprint: { resolvedModel: TARGET.model, modelPolicy: "dynamic" as const },
    },
  ];
  if (halfDead) records.push(record(1, TARGET.workerId, true));
  for (let i = records.length; i < size; i++) records.push(record(i, `worker-${i}`, halfDead && i % 2 === 1));
  return records;
}

/** The same records as the orchestrator's version-1 file holds them (`model` on each entry). */
export async function writeOrchestratorFile(path: string, records: readonly WorkerRecord[]): Promise<string> {
  const entries = records.map(({ fingerprint, pidStart: _start, ...rest }) => ({
    ...rest,
    model: fingerprint?.resolvedModel,
  }));
  const text = JSON.stringify({ version: 1, updatedAt: Date.now(), entries }, null, 2);
  await writeFile(path, text);
  return text;
}

/** The same records in a registry directory, written through the registry itself. */
export async function writeRegistryDirectory(path: string, records: readonly WorkerRecord[]): Promise<void> {
  const registry = new DeviceRegistry({ path, legacySources: false });
  for (const record of records) await registry.put(record);
}
