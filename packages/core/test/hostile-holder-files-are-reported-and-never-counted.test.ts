import { symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { DeviceRegistry, processIdentityOf } from "@modelpool/core";
import { tempRegistryPath } from "@modelpool/test-utils";
import { expect, test } from "vitest";
import { liveRecord, makeFifo, snapshotTree, unblockFifoAfter, workerDirectory } from "./fixtures/registry-files.js";

/** Reads of a few small files take milliseconds; this leaves a shared, slow machine a wide margin. */
const BOUNDED_MS = 5_000;

// Lease entries are files beside the record (`<hash>.<generation>.holder`). One that is forged, filed
// under another entry's name, a link, a FIFO or huge is reported with its path and why, never counted as
// a holder (it could otherwise keep a worker from ever being stopped), never followed, and left as it is.
test("hostile holder files are reported within a bounded time, never counted, never followed, never changed", {
  timeout: 30_000,
}, async () => {
  const path = await tempRegistryPath();
  const registry = new DeviceRegistry({ path, legacySources: false });
  await registry.put(liveRecord({ id: "w1", workerId: "docs" }));
  const dir = workerDirectory(path, "docs");
  const me = processIdentityOf(process.pid);
  const entry = { ...me, pool: "process", leases: 3, lastUsedAt: Date.now(), record: "w1" };
  const hash = (n: number) => String(n).repeat(40).slice(0, 40);

  // Content naming record w1 and this process, filed under a name that is not theirs.
  await writeFile(join(dir, `${hash(1)}.1.holder`), JSON.stringify(entry), { mode: 0o600 });
  await symlink("/etc/passwd", join(dir, `${hash(2)}.1.holder`));
  makeFifo(join(dir, `${hash(3)}.1.holder`));
  unblockFifoAfter(join(dir, `${hash(3)}.1.holder`), 8_000);
  await writeFile(join(dir, `${hash(4)}.1.holder`), `{"pid":1,"x":"${"a".repeat(300_000)}"}`, { mode: 0o600 });
  await writeFile(join(dir, `${hash(5)}.1.holder`), `${"[".repeat(10_000)}`, { mode: 0o600 });
  await writeFile(join(dir, "no-hash.holder"), JSON.stringify(entry), { mode: 0o600 });
  await writeFile(join(dir, `${hash(6)}.1.holder`), JSON.stringify({ ...entry, leases: -1 }), { mode: 0o600 });
  const before = snapshotTree(path);

  const started = performance.now();
  const read = await new DeviceRegistry({ path, legacySources: false }).lookup("docs");
  expect(performance.now() - started).toBeLessThan(BOUNDED_MS);

  expect(read.records).toHaveLength(1);
  expect(read.records[0]?.holders ?? []).toEqual([]);
  const reasons = Object.fromEntries(read.unreadable.map((u) => [u.location.slice(dir.length + 1), u.reason]));
  expect(reasons).toEqual({
    [`${hash(1)}.1.holder`]: expect.stringMatching(/another record or process than its file name/),
    [`${hash(2)}.1.holder`]: expect.stringMatching(/not a regular file/),
    [`${hash(3)}.1.holder`]: expect.stringMatching(/not a regular file/),
    [`${hash(4)}.1.holder`]: expect.stringMatching(/bytes, more than/),
    [`${hash(5)}.1.holder`]: expect.stringMatching(/nest/),
    "no-hash.holder": expect.stringMatching(/not a holder file name/),
    [`${hash(6)}.1.holder`]: expect.stringMatching(/leases/),
  });

  // A stop is not held off by any of them, and nothing of theirs is touched by it.
  const stopped = await registry.update({ workerId: "docs", id: "w1" }, (current) =>
    (current.holders ?? []).some((holder) => holder.leases > 0) ? undefined : { ...current, status: "stopped" },
  );
  expect(stopped?.status).toBe("stopped");
  const after = snapshotTree(path);
  for (const name of Object.keys(reasons)) {
    const key = Object.keys(before).find((k) => k.endsWith(name)) as string;
    expect(after[key]).toEqual(before[key]);
  }
});
