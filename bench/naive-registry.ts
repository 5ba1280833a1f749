// A faithful copy of how today's orchestrators keep their device registry, for comparison: on every
// request read the whole JSON, check every pid with signal 0, rewrite the file if anything died, read it
// again, filter by workerId. No lock, no cache, no identity check beyond "the pid answers".
import { readFile, writeFile } from "node:fs/promises";

type Entry = { kind?: string; id?: string; workerId?: string; pid?: number; status?: string };
type RegistryFile = { version: number; updatedAt?: number; entries: Entry[] };

function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
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
    // The behaviour being measured: a corrupt or missing file reads as empty.
    return { version: 1, updatedAt: Date.now(), entries: [] };
  }
}

async function writeRegistryFile(path: string, file: RegistryFile): Promise<void> {
  await writeFile(path, JSON.stringify(file, null, 2));
}

async function pruneDeadEntries(path: string): Promise<void> {
  const file = await readRegistryFile(path);
  const entries = file.entries.filter((entry) => entry.kind !== "worker" || isProcessAlive(entry.pid ?? 0));
  if (entries.length !== file.entries.length)
    await writeRegistryFile(path, { ...file, updatedAt: Date.now(), entries });
}

export async function naiveFindWorker(path: string, workerId: string): Promise<Entry | undefined> {
  await pruneDeadEntries(path);
  const file = await readRegistryFile(path);
  return file.entries.find(
    (entry) =>
      entry.kind === "worker" && entry.workerId === workerId && (entry.status === "ready" || entry.status === "busy"),
  );
}

export async function naiveUpsert(path: string, entry: Entry): Promise<void> {
  const file = await readRegistryFile(path);
  const entries = file.entries.filter((existing) => existing.id !== entry.id);
  entries.push(entry);
  await writeRegistryFile(path, { ...file, updatedAt: Date.now(), entries });
}
