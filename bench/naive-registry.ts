// A faithful copy of the seed orchestrator's device registry code, for comparison. What it does, as its
// own functions do: read the whole JSON (a corrupt or missing file reads as empty); write a temp file in
// the OS temp directory and rename it over the registry, writing in place when the rename fails across
// devices; judge liveness with `kill(pid, 0)`, an EPERM counting as dead; on every lookup prune every
// entry (workers and sessions alike) whose pid is dead, rewriting the file if anything went, read the
// file again, filter by workerId, status and model, and take the most recently updated. No lock, no
// cache, no identity check beyond "the pid answers".
import { randomUUID } from "node:crypto";
import { readFile, rename, unlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

export type NaiveEntry = {
  kind?: string;
  id?: string;
  workerId?: string;
  pid?: number;
  status?: string;
  model?: string;
  updatedAt?: number;
};
type RegistryFile = { version: number; updatedAt?: number; entries: NaiveEntry[] };

function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false; // EPERM included, as the orchestrator does
  }
}

async function readRegistryFile(path: string): Promise<RegistryFile> {
  try {
    const raw = JSON.parse(await readFile(path, "utf8")) as Partial<RegistryFile>;
    return {
      version: 1,
      updatedAt: raw.updatedAt ?? Date.now(),
      entries: Array.isArray(raw.entries) ? raw.entries : [],
    };
  } catch {
    return { version: 1, updatedAt: Date.now(), entries: [] };
  }
}

async function writeRegistryFile(path: string, file: RegistryFile): Promise<void> {
  const text = JSON.stringify(file, null, 2);
  const temp = join(tmpdir(), `orchestrator-registry-${randomUUID()}.json`);
  await writeFile(temp, text);
  try {
    await rename(temp, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EXDEV") throw error;
    await writeFile(path, text);
    await unlink(temp);
  }
}

async function pruneDeadEntries(path: string): Promise<void> {
  const file = await readRegistryFile(path);
  const entries = file.entries.filter((entry) => entry.pid === undefined || isProcessAlive(entry.pid));
  if (entries.length !== file.entries.length) {
    await writeRegistryFile(path, { ...file, updatedAt: Date.now(), entries });
  }
}

export async function naiveFindWorker(path: string, workerId: string, model: string): Promise<NaiveEntry | undefined> {
  await pruneDeadEntries(path);
  const file = await readRegistryFile(path);
  return file.entries
    .filter(
      (entry) =>
        entry.kind === "worker" &&
        entry.workerId === workerId &&
        (entry.status === "ready" || entry.status === "busy") &&
        entry.model === model,
    )
    .sort((a, b) => (b.updatedAt ?? 0) - (a.updatedAt ?? 0))[0];
}

export async function naiveUpsert(path: string, entry: NaiveEntry): Promise<void> {
  const file = await readRegistryFile(path);
  const entries = file.entries.filter((existing) => existing.id !== entry.id);
  entries.push(entry);
  await writeRegistryFile(path, { ...file, updatedAt: Date.now(), entries });
}

export async function naiveCount(path: string): Promise<number> {
  return (await readRegistryFile(path)).entries.length;
}
