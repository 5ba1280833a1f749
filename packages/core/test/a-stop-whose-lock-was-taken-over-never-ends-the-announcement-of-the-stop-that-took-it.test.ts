import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { DeviceRegistry, processIdentityOf } from "@modelpool/core";
import { startNodeScript, tempDir, tempRegistryPath } from "@modelpool/test-utils";
import { expect, test } from "vitest";
import { childLines } from "./fixtures/child-lines.js";
import { liveRecord } from "./fixtures/registry-files.js";

// Two stoppers of one record, the first stalled past lockStaleMs while deciding. Once the second took the
// lock over and announced, and the first's `finally` could remove the second's announcement: a lease
// written then found no update under way. Now the lock is never taken from the live first stopper: the
// second decides only after it, and a lease waits for the second's announcement until it ends.
const entry = () => ({ ...processIdentityOf(process.pid), pool: "process", leases: 1, lastUsedAt: Date.now() });

test("a stop whose lock was taken over never ends the announcement of the stop that took it", {
  timeout: 60_000,
}, async () => {
  const path = await tempRegistryPath();
  const signals = await tempDir();
  const go = join(signals, "go");
  const lockStaleMs = 2000;
  const registry = new DeviceRegistry({ path, legacySources: false, lockStaleMs, lockTimeoutMs: 20_000 });
  await registry.put(liveRecord({ id: "w1", workerId: "docs" }));
  const script = new URL("./fixtures/stop-deciding-until.ts", import.meta.url);

  // A: stalls while deciding for longer than the lock's (former) stale time.
  const first = childLines(startNodeScript(script, [path, String(lockStaleMs), String(lockStaleMs + 400), "-"]));
  await first.line("deciding");
  // B: waits for the lock. A's is never taken over while A lives: B decides only once A is done.
  const second = childLines(startNodeScript(script, [path, String(lockStaleMs), "1500", go]));
  expect(await first.line("updated", 20_000)).toBe("updated stopped");
  await second.line("deciding", 20_000);

  // A lease now waits for B's announced update (B is alive and holds the lock), then reads the record.
  const seen = await registry.hold({ workerId: "docs", id: "w1" }, entry());
  writeFileSync(go, "");
  await second.exited;

  const [record] = (await new DeviceRegistry({ path, legacySources: false }).lookup("docs")).records;
  // The lease saw what the stops wrote; it was never granted on a worker then stopped.
  expect({ leaseSaw: seen?.status, recordNow: record?.status }).toEqual({ leaseSaw: "stopped", recordNow: "stopped" });
});
