// The floor: the least a correct cold reuse decision does, and nothing else — list the workerId's
// directory, read one small record, read `/proc/<pid>/stat` for the process's start time, create one lease
// file with flag 'wx'. No validation, no policy, no hooks. Every figure of the bench is also given as a
// ratio to it: the floor is what "fast" is measured against.
import { closeSync, openSync, readdirSync, readFileSync, unlinkSync, writeSync } from "node:fs";
import { join } from "node:path";

let count = 0;

/** One cold decision on the records in `recordDir`; its lease file goes to `leaseDir`. Returns the lease's path. */
export function floorDecision(recordDir: string, leaseDir: string, recordId: string): string {
  const name = `${recordId}.json`;
  if (!readdirSync(recordDir).includes(name)) throw new Error(`the floor found no ${name}`);
  const record = JSON.parse(readFileSync(join(recordDir, name), "utf8")) as { pid: number };
  const stat = readFileSync(`/proc/${record.pid}/stat`, "latin1");
  if (stat.length === 0) throw new Error("the floor read no start time");
  const lease = join(leaseDir, `${recordId}.${process.pid}.${++count}.lease`);
  const fd = openSync(lease, "wx", 0o600);
  try {
    writeSync(fd, `{"pid":${process.pid},"leases":1}\n`);
  } finally {
    closeSync(fd);
  }
  return lease;
}

/** The floor's release (untimed by every measure). */
export function floorRelease(lease: string): void {
  unlinkSync(lease);
}
